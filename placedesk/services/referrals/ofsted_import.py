"""Importing Ofsted's published list of children's social care providers (CSV or XLSX).

The list fills and refreshes the provider directory by URN: a new URN adds a
provider (reference ``PRV-<laptop>-NNNN``), a known URN updates it, and no
provider is ever duplicated. An inspection is recorded when the row's
inspection date is new for that provider, and the provider's current
judgement follows its latest inspection. Rows that cannot be read are
reported with their line (the spreadsheet row, header counted) and the
reason; every other row is imported. The whole import runs in the caller's
transaction, so a failure leaves the directory as it was.

Headers are matched whatever their case, spacing or punctuation, and the
header line may sit below a few title lines (Ofsted's spreadsheets have
them). Provision types that are not placement providers (adoption agencies,
boarding schools, ...) are counted as skipped, not reported as errors.

What the officer maintains by hand (contract route, rates, capabilities,
vacancies) is never overwritten; vacancies are only trimmed to the places
Ofsted registers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError
from placedesk.models import Inspection, Provider
from placedesk.models.enums import OfstedJudgement, ProviderType

MAX_REPORTED_PROBLEMS = 500
HEADER_SEARCH_ROWS = 20

# Canonical field -> header spellings seen in Ofsted's files (normalised: lower case, letters and digits only).
HEADERS: dict[str, tuple[str, ...]] = {
    "urn": ("urn",),
    "provision_type": ("provisiontype", "typeofprovision", "providertype"),
    "registration_status": ("registrationstatus", "status"),
    "name": ("name", "settingname", "providername", "provisionname"),
    "address1": ("address1", "addressline1", "settingaddress1", "address"),
    "town": ("town", "settingtown", "towncity"),
    "postcode": ("postcode", "settingpostcode"),
    "local_authority": ("localauthority", "la", "localauthorityname"),
    "region": ("ofstedregion", "region"),
    "sector": ("sector",),
    "places": ("places", "numberofplaces", "registeredplaces", "maxusers", "maximumnumberofplaces"),
    "owner": ("organisationwhichownstheprovider", "owner", "organisation", "ownerorganisation", "providerorganisation"),
    "inspection_date": ("inspectiondate", "latestfullinspectiondate", "lastinspectiondate", "dateofinspection"),
    "judgement": (
        "overallexperiencesandprogressofchildrenandyoungpeople",
        "overallexperiencesandprogressofchildren",
        "overalleffectiveness",
        "overalljudgement",
        "overallexperiencesandprogress",
    ),
}
REQUIRED = ("urn", "provision_type", "name")

# Checked in order: the first phrase found in the provision type decides.
PROVISION_TYPES: tuple[tuple[str, ProviderType], ...] = (
    ("residential special school", ProviderType.RESIDENTIAL_SPECIAL_SCHOOL),
    ("children's home", ProviderType.CHILDRENS_HOME),
    ("childrens home", ProviderType.CHILDRENS_HOME),
    ("independent fostering", ProviderType.IFA),
    ("local authority fostering", ProviderType.IN_HOUSE_FOSTERING),
    ("supported accommodation", ProviderType.SUPPORTED_ACCOMMODATION),
    ("residential family centre", ProviderType.PARENT_AND_CHILD),
    ("parent and child", ProviderType.PARENT_AND_CHILD),
)

JUDGEMENTS: dict[str, OfstedJudgement] = {
    "outstanding": OfstedJudgement.OUTSTANDING,
    "good": OfstedJudgement.GOOD,
    "requires improvement to be good": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "requires improvement": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "inadequate": OfstedJudgement.INADEQUATE,
    "not yet inspected": OfstedJudgement.NOT_YET_INSPECTED,
    "": OfstedJudgement.NOT_YET_INSPECTED,
    "-": OfstedJudgement.NOT_YET_INSPECTED,
    "n/a": OfstedJudgement.NOT_YET_INSPECTED,
}

_URN = re.compile(r"^(SC|EY)?\d{5,8}$", re.IGNORECASE)
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


@dataclass
class ImportProblem:
    """A row not imported: its line (header counted, as a spreadsheet shows it) and why."""

    line: int
    reason: str


@dataclass
class OfstedImportReport:
    """What the import did, for the officer to check."""

    path: Path
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    inspections_added: int = 0
    # Provision type -> rows skipped because it is not a placement provider.
    skipped_types: Counter[str] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)
    bad_rows: int = 0
    # Rows imported with part of them ignored (say, a judgement with no date).
    warnings: list[ImportProblem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_types.values())

    def add_problem(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(ImportProblem(line, reason))


@dataclass(frozen=True)
class OfstedRow:
    """One readable row of the list, in PlaceDesk's terms."""

    urn: str
    provider_type: ProviderType | None  # None: not a placement provider (skipped)
    provision_type: str
    name: str
    registration_status: str = ""
    address1: str = ""
    town: str = ""
    postcode: str = ""
    local_authority: str = ""
    region: str = ""
    sector: str = ""
    places: int | None = None
    owner: str = ""
    inspection_date: dt.date | None = None
    judgement: OfstedJudgement = OfstedJudgement.NOT_YET_INSPECTED


def _norm(header: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def _parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text or text in ("-", "n/a", "N/A"):
        return None
    match = _UK_DATE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _ISO_DATE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"inspection date '{text}' is not a real date") from None
    raise ValueError(f"inspection date '{text}' is not a date (expected dd/mm/yyyy)")


def _parse_places(value: Any) -> int | None:
    text = _text(value)
    if not text or text in ("-", "n/a", "N/A"):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"places '{text}' is not a whole number") from None
    if not number.is_integer() or number < 0 or number > 10000:
        raise ValueError(f"places '{text}' is not a whole number of 0 or more")
    return int(number)


def provider_type_for(provision_type: str) -> ProviderType | None:
    """PlaceDesk's provider type for an Ofsted provision type; None if it is not a placement provider."""
    text = provision_type.lower().replace("’", "'")
    for phrase, provider_type in PROVISION_TYPES:
        if phrase in text:
            return provider_type
    return None


def parse_ofsted_row(values: dict[str, Any]) -> OfstedRow:
    """One row (canonical field -> cell value) as an :class:`OfstedRow`, or ValueError saying why not."""
    urn = _text(values.get("urn")).upper()
    if not urn:
        raise ValueError("no URN")
    if not _URN.match(urn):
        raise ValueError(f"URN '{urn}' is not an Ofsted URN (like SC123456 or 1234567)")
    provision = _text(values.get("provision_type"))
    if not provision:
        raise ValueError("no provision type")
    name = _text(values.get("name"))
    if not name:
        raise ValueError("no provider name")
    if len(name) > 300:
        raise ValueError("the name is longer than 300 characters")
    judgement_text = _text(values.get("judgement")).lower().replace("’", "'")
    judgement = JUDGEMENTS.get(judgement_text)
    if judgement is None:
        raise ValueError(
            f"overall judgement '{_text(values.get('judgement'))}' is not one of Outstanding, Good, "
            "Requires improvement to be good, Inadequate"
        )
    postcode = _text(values.get("postcode")).upper()
    return OfstedRow(
        urn=urn, provider_type=provider_type_for(provision), provision_type=provision, name=name,
        registration_status=_text(values.get("registration_status"))[:64],
        address1=_text(values.get("address1"))[:300], town=_text(values.get("town"))[:120],
        postcode=postcode[:10], local_authority=_text(values.get("local_authority"))[:120],
        region=_text(values.get("region"))[:120], sector=_text(values.get("sector"))[:32],
        places=_parse_places(values.get("places")), owner=_text(values.get("owner"))[:300],
        inspection_date=_parse_date(values.get("inspection_date")), judgement=judgement,
    )


# --- reading the file -------------------------------------------------------------------


def _rows_from_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise PlaceDeskError(f"{path.name} is not a CSV or XLSX file: save the Ofsted list as CSV or XLSX.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Ofsted's older CSVs and Excel's "CSV" save are Windows-1252.
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for line, row in enumerate(reader, start=1):
            yield line, row
    except csv.Error as exc:
        raise PlaceDeskError(f"{path.name} stops being readable CSV near line {reader.line_num} ({exc}).") from exc


def _rows_from_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise PlaceDeskError(f"{path.name} is not a readable XLSX workbook ({exc}).") from exc
    try:
        # Use the first sheet that has a URN header near its top (Ofsted puts notes on other sheets).
        for sheet in workbook.worksheets:
            head = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
            if any("urn" in (_norm(c) for c in row) for row in head):
                for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield line, list(row)
                return
        first = workbook.worksheets[0] if workbook.worksheets else None
        if first is not None:
            yield from ((n, list(r)) for n, r in enumerate(first.iter_rows(max_row=HEADER_SEARCH_ROWS,
                                                                            values_only=True), start=1))
    finally:
        workbook.close()


def _rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    if not path.exists():
        raise PlaceDeskError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(4)
    if suffix in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return _rows_from_xlsx(path)
    if suffix in (".csv", ".txt", ""):
        return _rows_from_csv(path)
    raise PlaceDeskError(
        f"{path.name} is not a CSV or XLSX file. Download Ofsted's providers list as CSV or XLSX and import that."
    )


def _header_map(row: Sequence[Any]) -> dict[str, int]:
    normalised = [_norm(c) for c in row]
    found: dict[str, int] = {}
    for canonical, spellings in HEADERS.items():
        for spelling in spellings:
            if spelling in normalised:
                found[canonical] = normalised.index(spelling)
                break
    return found


# --- applying rows ----------------------------------------------------------------------


def _next_number(session: Session, laptop_id: str) -> tuple[str, int]:
    from placedesk.services.common.refs import next_ref

    first = next_ref(session, Provider.ref, "PRV", laptop_id)
    stem, number = first.rsplit("-", 1)
    return stem, int(number)


_UPDATABLE = ("name", "provider_type", "registration_status", "address_line1", "town", "postcode",
              "local_authority", "region", "sector", "places", "owner_organisation")


def _values(row: OfstedRow, existing: Provider | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": row.name, "provider_type": row.provider_type, "address_line1": row.address1, "town": row.town,
        "postcode": row.postcode, "local_authority": row.local_authority, "region": row.region,
        "owner_organisation": row.owner,
    }
    if row.registration_status:
        values["registration_status"] = row.registration_status
    if row.sector:
        values["sector"] = row.sector
    if row.places is not None:
        values["places"] = row.places
    elif existing is None:
        values["places"] = 0
    return values


def import_ofsted_providers(session: Session, path: Path, *, today: dt.date,
                            laptop_id: str | None = None) -> OfstedImportReport:
    """Import Ofsted's providers list into the directory (see the module docstring)."""
    path = Path(path)
    report = OfstedImportReport(path=path)
    rows = _rows(path)
    columns: dict[str, int] | None = None
    seen_lines: list[str] = []
    for line, row in rows:
        columns = _header_map(row)
        if "urn" in columns:
            break
        seen_lines.append(", ".join(_text(c) for c in row if _text(c))[:120])
        if line >= HEADER_SEARCH_ROWS:
            break
    if not columns or "urn" not in columns:
        first = next((s for s in seen_lines if s), "nothing")
        raise PlaceDeskError(
            f"{path.name} has no URN column in its first {HEADER_SEARCH_ROWS} lines (first line: {first}). "
            "Import Ofsted's list of children's social care providers, which has URN, Provision type and Name columns."
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        names = {"provision_type": "Provision type", "name": "Name"}
        raise PlaceDeskError(
            f"{path.name} has a URN column but no " + " or ".join(names[m] for m in missing)
            + " column: check it is Ofsted's providers list."
        )

    parsed: list[tuple[int, OfstedRow]] = []
    width = max(columns.values()) + 1
    for line, row in rows:
        if not any(_text(c) for c in row):
            continue
        report.rows_read += 1
        cells = list(row) + [None] * max(0, width - len(row))
        try:
            item = parse_ofsted_row({key: cells[index] for key, index in columns.items()})
        except ValueError as exc:
            report.add_problem(line, str(exc))
            continue
        if item.provider_type is None:
            report.skipped_types[item.provision_type] += 1
            continue
        if item.inspection_date is not None and item.inspection_date > today:
            report.add_problem(line, f"inspection date {item.inspection_date:%d/%m/%Y} is in the future")
            continue
        parsed.append((line, item))
    _apply(session, parsed, report, today=today, laptop_id=laptop_id)
    return report


def _apply(session: Session, parsed: list[tuple[int, OfstedRow]], report: OfstedImportReport, *,
           today: dt.date, laptop_id: str | None) -> None:
    urns = sorted({item.urn for _, item in parsed})
    existing: dict[str, Provider] = {}
    for start in range(0, len(urns), 30000):
        chunk = urns[start:start + 30000]
        existing.update((p.urn, p) for p in session.scalars(select(Provider).where(Provider.urn.in_(chunk))))
    known_ids = [p.id for p in existing.values()]
    inspected: set[tuple[uuid.UUID, dt.date]] = set()
    for start in range(0, len(known_ids), 30000):
        inspected.update((pid, day) for pid, day in session.execute(
            select(Inspection.provider_id, Inspection.inspection_date)
            .where(Inspection.provider_id.in_(known_ids[start:start + 30000]))
        ))
    stem: str | None = None
    number = 0
    touched: dict[str, str] = {}  # urn -> "added" / "updated" / "unchanged"
    judgement_changed: list[Provider] = []
    for line, item in parsed:
        provider = existing.get(item.urn)
        values = _values(item, provider)
        if provider is None:
            if stem is None:
                if laptop_id is None:
                    from placedesk.config import ensure_laptop_id, load_settings

                    laptop_id = ensure_laptop_id(load_settings().settings)
                stem, number = _next_number(session, laptop_id)
            else:
                number += 1
            provider = Provider(ref=f"{stem}-{number:04d}", urn=item.urn, vacancies=0, capabilities=[],
                                ofsted_judgement=OfstedJudgement.NOT_YET_INSPECTED, **values)
            provider.id = uuid.uuid4()
            session.add(provider)
            existing[item.urn] = provider
            touched[item.urn] = "added"
        else:
            changed = False
            for key, value in values.items():
                if getattr(provider, key) != value:
                    setattr(provider, key, value)
                    changed = True
            if provider.vacancies and provider.vacancies > provider.places:
                provider.vacancies = provider.places
            if touched.get(item.urn) != "added":
                previous = touched.get(item.urn, "unchanged")
                touched[item.urn] = "updated" if changed or previous == "updated" else "unchanged"
        if item.judgement is not OfstedJudgement.NOT_YET_INSPECTED:
            if item.inspection_date is None:
                report.warnings.append(
                    ImportProblem(line, "has a judgement but no inspection date: no inspection recorded")
                )
            elif (provider.id, item.inspection_date) not in inspected:
                session.add(Inspection(provider_id=provider.id, inspection_date=item.inspection_date,
                                       judgement=item.judgement, inspection_type="Full inspection",
                                       summary="From Ofsted's published providers list"))
                inspected.add((provider.id, item.inspection_date))
                report.inspections_added += 1
                if provider.last_inspection_date is None or item.inspection_date >= provider.last_inspection_date:
                    provider.ofsted_judgement = item.judgement
                    provider.last_inspection_date = item.inspection_date
                    judgement_changed.append(provider)
                    if touched[item.urn] == "unchanged":
                        touched[item.urn] = "updated"
    report.added = sum(1 for v in touched.values() if v == "added")
    report.updated = sum(1 for v in touched.values() if v == "updated")
    report.unchanged = sum(1 for v in touched.values() if v == "unchanged")
    _refresh_risks(session, existing, touched, judgement_changed, today=today)
    session.flush()


def _refresh_risks(session: Session, providers: dict[str, Provider], touched: dict[str, str],
                   judgement_changed: list[Provider], *, today: dt.date) -> None:
    """Keep the stored risk level in step with the judgement (one of its rules).

    A new provider has no KPIs, CAPs or visits yet, so its judgement alone
    decides; it is set before the first flush, saving an update per row. Known
    providers whose judgement changed are reassessed with all their facts.
    """
    from placedesk.services.monitoring.risk import RiskFacts, assess, collect_facts

    for urn, state in touched.items():
        if state == "added":
            provider = providers[urn]
            provider.risk_level = assess(
                RiskFacts(judgement=provider.ofsted_judgement, inspection_date=provider.last_inspection_date)
            ).level
    known = [p for p in dict.fromkeys(judgement_changed) if touched.get(p.urn) != "added"]
    if known:
        session.flush()
        facts = collect_facts(session, today, [p.id for p in known])
        for provider in known:
            level = assess(facts[provider.id]).level
            if provider.risk_level is not level:
                provider.risk_level = level


__all__ = [
    "HEADERS",
    "ImportProblem",
    "OfstedImportReport",
    "OfstedRow",
    "import_ofsted_providers",
    "parse_ofsted_row",
    "provider_type_for",
]
