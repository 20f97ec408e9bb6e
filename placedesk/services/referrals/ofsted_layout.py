"""How an Ofsted providers list is laid out: its sheet, its header line, and which column is which.

Ofsted has renamed its columns over the years ("URN", "Unique reference
number", "Provider URN", "Setting URN"; "Provision type", "Provider type",
"Provider subtype"; ...), so each PlaceDesk field has the spellings seen in
its lists, compared after lower-casing and dropping everything but letters
and digits. The header may sit below a few title lines, and a workbook may
hold notes on other sheets: the sheet whose header names the most fields is
read, and the report says which.

Where the spellings are not enough, the officer (or ``--map field="Header"``)
says which column holds each field. A mapping that worked is remembered for
files with the same header in ``column-mappings.json`` in the data folder,
written atomically, so the next year's list of the same shape imports
without asking again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placedesk.errors import PlaceDeskError

HEADER_SEARCH_ROWS = 20
PREVIEW_ROWS = 5
MAPPINGS_FILE = "column-mappings.json"
_MEMORY_KIND = "ofsted"

# (field, label the officer sees, required, spellings after normalising).
FIELDS: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("urn", "URN", True, ("urn", "uniquereferencenumber", "providerurn", "settingurn", "urnumber")),
    ("provision_type", "Provision type", True,
     ("provisiontype", "typeofprovision", "providertype", "settingtype", "provisiontypename")),
    ("provider_subtype", "Provider subtype", False, ("providersubtype", "provisionsubtype", "subtype")),
    ("name", "Name", True, ("name", "settingname", "providername", "provisionname", "nameofprovider")),
    ("registration_status", "Registration status", False,
     ("registrationstatus", "status", "providerstatus", "settingstatus")),
    ("address1", "Address 1", False,
     ("address1", "addressline1", "settingaddress1", "address", "provideraddress1", "settingaddressline1")),
    ("town", "Town", False, ("town", "settingtown", "towncity", "providertown", "posttown")),
    ("postcode", "Postcode", False, ("postcode", "settingpostcode", "providerpostcode")),
    ("local_authority", "Local authority", False,
     ("localauthority", "la", "localauthorityname", "providerlocalauthority", "lanameinwhichthesettingislocated")),
    ("region", "Ofsted region", False, ("ofstedregion", "region", "providerregion")),
    ("sector", "Sector", False, ("sector", "providersector", "ownershiptype")),
    ("places", "Places", False,
     ("places", "numberofplaces", "registeredplaces", "maxusers", "maximumnumberofplaces",
      "numberofregisteredplaces", "registeredplacesatlatestinspection")),
    ("owner", "Organisation which owns the provider", False,
     ("organisationwhichownstheprovider", "owner", "organisation", "ownerorganisation", "providerorganisation",
      "organisationname", "ownername")),
    ("inspection_date", "Inspection date", False,
     ("inspectiondate", "latestfullinspectiondate", "lastinspectiondate", "dateofinspection",
      "dateoflatestfullinspection", "inspectionenddate", "latestinspectiondate", "inspectionstartdate")),
    ("judgement", "Overall judgement", False,
     ("overallexperiencesandprogressofchildrenandyoungpeople", "overallexperiencesandprogressofchildren",
      "overalleffectiveness", "overalljudgement", "overallexperiencesandprogress", "overalleffectivenessjudgement",
      "overallexperiencesandprogressofchildrenandyoungpeoplejudgement", "latestfullinspectionoverallexperiences",
      "outcome", "judgement")),
)
FIELD_LABELS: dict[str, str] = {name: label for name, label, _, _ in FIELDS}
REQUIRED: tuple[str, ...] = tuple(name for name, _, required, _ in FIELDS if required)


def normalise(header: Any) -> str:
    """A header as compared: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(header if header is not None else "").lower())


def cell_text(value: Any) -> str:
    """A cell as text, whitespace collapsed; whole floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def detect_columns(headers: Sequence[Any]) -> dict[str, int]:
    """Field -> column index for every field whose header is a known spelling."""
    normalised = [normalise(h) for h in headers]
    found: dict[str, int] = {}
    for name, _, _, spellings in FIELDS:
        for spelling in spellings:
            if spelling in normalised:
                found[name] = normalised.index(spelling)
                break
    return found


def apply_mapping(headers: Sequence[Any], mapping: Mapping[str, str], file_name: str) -> dict[str, int]:
    """Field -> column index from a mapping of field -> header text, refusing names that do not exist."""
    normalised = [normalise(h) for h in headers]
    found: dict[str, int] = {}
    for name, header in mapping.items():
        if name not in FIELD_LABELS:
            raise PlaceDeskError(
                f"'{name}' is not a field PlaceDesk imports; map one of: " + ", ".join(FIELD_LABELS) + "."
            )
        if not header:
            continue
        wanted = normalise(header)
        if wanted not in normalised:
            shown = ", ".join(f'"{cell_text(h)}"' for h in headers if cell_text(h))
            raise PlaceDeskError(f'{file_name} has no column "{header}" for {FIELD_LABELS[name]}; its columns are: '
                                 f"{shown}.")
        found[name] = normalised.index(wanted)
    return found


@dataclass
class Layout:
    """Where the list is in the file: sheet, header line and the columns PlaceDesk reads."""

    sheet: str | None  # None for CSV
    other_sheets: list[str]
    header_line: int
    headers: list[str]
    columns: dict[str, int]
    remembered: bool = False  # the columns came from a mapping remembered for this header

    def used(self) -> list[tuple[str, str]]:
        """(PlaceDesk field label, the file's header) for every column read, in field order."""
        return [(label, self.headers[self.columns[name]]) for name, label, _, _ in FIELDS if name in self.columns]


class ColumnsNotRecognised(PlaceDeskError):
    """The file's columns do not name the fields PlaceDesk needs: ask the officer to map them."""

    def __init__(self, message: str, *, headers: list[str], preview: list[list[str]],
                 guess: dict[str, str], sheet: str | None) -> None:
        super().__init__(message)
        self.headers = headers
        self.preview = preview
        self.guess = guess
        self.sheet = sheet


# --- remembered mappings -----------------------------------------------------------------


def _memory_path() -> Path:
    from placedesk.config import data_dir

    return data_dir() / MAPPINGS_FILE


def header_signature(headers: Sequence[Any]) -> str:
    """A stable key for a header line, whatever its case, spacing and trailing empty columns."""
    names = [normalise(h) for h in headers]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()[:32]


def _load_memory() -> dict[str, Any]:
    path = _memory_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # A missing or damaged memory only means asking for the mapping again.
        return {}
    return data if isinstance(data, dict) else {}


def remembered_mapping(headers: Sequence[Any]) -> dict[str, str] | None:
    """The field -> header mapping the officer gave for a file with this header, if any."""
    entry = _load_memory().get(_MEMORY_KIND, {}).get(header_signature(headers))
    if not isinstance(entry, dict):
        return None
    return {str(k): str(v) for k, v in entry.items() if k in FIELD_LABELS and isinstance(v, str)}


def remember_mapping(headers: Sequence[Any], mapping: Mapping[str, str]) -> None:
    """Keep a mapping for files with this header (written atomically; a failure to write is not fatal)."""
    from placedesk.fileio import atomic_write_text

    data = _load_memory()
    kind = data.setdefault(_MEMORY_KIND, {})
    if not isinstance(kind, dict):
        kind = data[_MEMORY_KIND] = {}
    kind[header_signature(headers)] = {k: v for k, v in mapping.items() if v}
    try:
        atomic_write_text(_memory_path(), json.dumps(data, indent=1, sort_keys=True))
    except OSError:
        # The import itself succeeded; the officer will simply be asked again next time.
        return


# --- reading the file ---------------------------------------------------------------------

Rows = Iterator[tuple[int, list[Any]]]
Progress = Callable[[int, int], None]


def _lines(path: Path, progress: Progress | None) -> Iterator[str]:
    """The file's lines, decoded one by one: UTF-8 where it is, Windows-1252 where not (Excel's CSV)."""
    total = path.stat().st_size
    with path.open("rb") as handle:
        first = True
        for count, raw in enumerate(handle):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            if first:
                text = text.lstrip("\ufeff")
                first = False
            if progress is not None and count % 1000 == 0:
                progress(handle.tell(), total)
            yield text
        if progress is not None:
            progress(total, total)


def csv_rows(path: Path, progress: Progress | None = None) -> Rows:
    """(line, cells) of a CSV file, streamed."""
    with path.open("rb") as handle:
        if b"\x00" in handle.read(4096):
            raise PlaceDeskError(f"{path.name} is not a CSV or XLSX file: save the Ofsted list as CSV or XLSX.")
    reader = csv.reader(_lines(path, progress))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise PlaceDeskError(f"{path.name} stops being readable CSV near line {reader.line_num} ({exc}).") from exc


def _open_workbook(path: Path) -> Any:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise PlaceDeskError(f"{path.name} is not a readable XLSX workbook ({exc}).") from exc


def _is_xlsx(path: Path) -> bool:
    if not path.exists():
        raise PlaceDeskError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(4)
    if suffix in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return True
    if suffix in (".csv", ".txt", ""):
        return False
    raise PlaceDeskError(
        f"{path.name} is not a CSV or XLSX file. Download Ofsted's providers list as CSV or XLSX and import that."
    )


@dataclass
class _Candidate:
    score: int
    header_index: int  # 0-based within the head rows
    head: list[list[Any]]
    columns: dict[str, int] = field(default_factory=dict)
    remembered: bool = False


def _find_header(head: list[list[Any]], mapping: Mapping[str, str] | None, file_name: str, *,
                 strict: bool = True) -> _Candidate | None:
    """The header line among the first rows: the one naming the URN (by mapping, memory or spelling).

    A mapping the officer gave wins, then one remembered for that header, then
    the known spellings; the line naming the most fields is the header.
    """
    best: _Candidate | None = None
    for index, row in enumerate(head):
        normalised = {normalise(c) for c in row} - {""}
        if not normalised:
            continue
        columns = detect_columns(row)
        chosen = False
        remembered = False
        if mapping and all(normalise(h) in normalised for h in mapping.values() if h):
            columns.update(apply_mapping(row, mapping, file_name))
            chosen = True
        elif not mapping:
            memory = remembered_mapping(row)
            if memory and all(normalise(h) in normalised for h in memory.values()):
                columns.update(apply_mapping(row, memory, file_name))
                chosen = remembered = True
        if "urn" not in columns:
            continue
        score = len(columns) + (100 if chosen else 0)
        if best is None or score > best.score:
            best = _Candidate(score, index, head, columns, remembered)
    if strict and mapping and (best is None or best.score < 100):
        # Say which of the officer's headers is not in the file, against the likeliest header line.
        apply_mapping(head[_guess_header(head)] if head else [], mapping, file_name)
    return best


def _guess_header(head: list[list[Any]]) -> int:
    """The line most likely to be the header when none names a URN: the first with the most text cells."""
    counts = [sum(1 for c in row if cell_text(c)) for row in head]
    return counts.index(max(counts)) if counts else 0


def _not_recognised(path: Path, head: list[list[Any]], sheet: str | None,
                    found: _Candidate | None) -> ColumnsNotRecognised:
    index = found.header_index if found is not None else _guess_header(head)
    columns = found.columns if found is not None else None
    headers = [cell_text(c) for c in head[index]] if head else []
    while headers and not headers[-1]:
        headers.pop()
    preview = [[cell_text(c) for c in row[:len(headers)]] for row in head[index + 1:index + 1 + PREVIEW_ROWS]
               if any(cell_text(c) for c in row)]
    guessed = columns if columns is not None else detect_columns(headers)
    guess = {name: headers[i] for name, i in guessed.items() if i < len(headers)}
    where = f" (sheet '{sheet}')" if sheet else ""
    if columns is not None and "urn" in columns:
        missing = [FIELD_LABELS[f] for f in REQUIRED if f not in columns]
        message = (f"{path.name}{where} has a URN column but no " + " or ".join(missing)
                   + " column: check it is Ofsted's providers list, or say which column holds each "
                   "(in the window, or with --map field=\"Header\").")
    else:
        first = ", ".join(h for h in headers if h)[:120] or "nothing"
        message = (f"{path.name}{where} has no URN column in its first {HEADER_SEARCH_ROWS} lines (its columns: "
                   f"{first}). Import Ofsted's list of children's social care providers, or say which column "
                   "holds each field (in the window, or with --map urn=\"Header\").")
    return ColumnsNotRecognised(message, headers=headers, preview=preview, guess=guess, sheet=sheet)


def open_list(path: Path, mapping: Mapping[str, str] | None = None,
              progress: Progress | None = None) -> tuple[Layout, Rows, Callable[[], None]]:
    """Find the list in ``path``: its layout, the rows after its header, and a function closing the file.

    Raises :class:`ColumnsNotRecognised` (with the header and a preview) when
    the URN, provision type or name cannot be found.
    """
    path = Path(path)
    if _is_xlsx(path):
        return _open_xlsx(path, mapping, progress)
    rows = csv_rows(path, progress)
    numbered: list[tuple[int, list[Any]]] = []
    for line, row in rows:
        numbered.append((line, row))
        if len(numbered) >= HEADER_SEARCH_ROWS:
            break
    head = [row for _, row in numbered]
    found = _find_header(head, mapping, path.name)
    if found is None or any(f not in found.columns for f in REQUIRED):
        rows.close()
        raise _not_recognised(path, head, None, found)
    layout = Layout(sheet=None, other_sheets=[], header_line=numbered[found.header_index][0],
                    headers=[cell_text(c) for c in head[found.header_index]], columns=found.columns,
                    remembered=found.remembered)

    def rest() -> Rows:
        # The lines the reader counted: a quoted cell may span lines.
        yield from numbered[found.header_index + 1:]
        yield from rows

    return layout, rest(), rows.close


def _open_xlsx(path: Path, mapping: Mapping[str, str] | None,
               progress: Progress | None) -> tuple[Layout, Rows, Callable[[], None]]:
    workbook = _open_workbook(path)
    try:
        names = list(workbook.sheetnames)
        best: tuple[_Candidate, str] | None = None
        first_head: list[list[Any]] = []
        for index, sheet in enumerate(workbook.worksheets):
            head = [list(r) for r in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
            if index == 0:
                first_head = head
            found = _find_header(head, mapping, path.name, strict=False)
            if found is not None and (best is None or found.score > best[0].score):
                best = (found, names[index])
        if mapping and (best is None or best[0].score < 100):
            # No sheet has the officer's columns: say which is missing, against the likeliest sheet.
            _find_header(best[0].head if best else first_head, mapping, path.name)
        if best is None or any(f not in best[0].columns for f in REQUIRED):
            sheet_name = best[1] if best else (names[0] if names else None)
            raise _not_recognised(path, best[0].head if best else first_head, sheet_name,
                                  best[0] if best else None)
    except BaseException:
        workbook.close()
        raise
    found, sheet_name = best
    sheet = workbook[sheet_name]
    layout = Layout(sheet=sheet_name, other_sheets=[n for n in names if n != sheet_name],
                    header_line=found.header_index + 1,
                    headers=[cell_text(c) for c in found.head[found.header_index]], columns=found.columns,
                    remembered=found.remembered)
    total = int(sheet.max_row or 0)

    def rows() -> Rows:
        start = found.header_index + 2
        for line, row in enumerate(sheet.iter_rows(min_row=start, values_only=True), start=start):
            if progress is not None and line % 1000 == 0:
                progress(line, max(total, line))
            yield line, list(row)
        if progress is not None:
            progress(max(total, 1), max(total, 1))

    return layout, rows(), workbook.close


def read_preview(path: Path) -> ColumnsNotRecognised | Layout:
    """The file's layout if PlaceDesk recognises it, else the header and preview to map it by."""
    try:
        layout, _, close = open_list(path)
    except ColumnsNotRecognised as exc:
        return exc
    close()
    return layout


__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "HEADER_SEARCH_ROWS",
    "REQUIRED",
    "ColumnsNotRecognised",
    "Layout",
    "apply_mapping",
    "cell_text",
    "detect_columns",
    "header_signature",
    "normalise",
    "open_list",
    "read_preview",
    "remember_mapping",
    "remembered_mapping",
]
