"""Importing Ofsted's published list of children's social care providers (CSV or XLSX).

The list fills and refreshes the provider directory by URN: a new URN adds a
provider (reference ``PRV-<laptop>-NNNN``), a known URN updates it, and no
provider is ever duplicated. An inspection is recorded when the row's
inspection date is new for that provider, and the provider's current
judgement follows its latest inspection. Rows that cannot be read are
reported with their line (the spreadsheet row, header counted) and the
reason; every other row is imported. The whole import runs in the caller's
transaction, so a failure (or the officer cancelling) leaves the directory
as it was.

Lists from any recent year are read (see :mod:`ofsted_layout` for the
column spellings, the header search and remembered mappings). Judgements
come as words or as Ofsted's codes: 1 Outstanding, 2 Good, 3 Requires
improvement (formerly Adequate or Satisfactory), 4 Inadequate, 5 Not judged.
*Not judged* is neither Good nor missing: the provider keeps the judgement of
its last judged inspection (or Not yet inspected) and no inspection is
recorded for that date, since PlaceDesk records inspections by their
judgement; the report counts these rows. Dates may be ``dd/mm/yyyy``, ISO or
Excel date serials.

A URN appearing twice in one file keeps its first row: a different later
row is reported with both line numbers; an identical repeat is reported as
such and ignored. Rows are read and applied in chunks, so a 100,000-row
list never sits in memory whole. Provision types that are not placement
providers (adoption agencies, boarding schools, ...) are counted as
skipped, not reported as errors.

What the officer maintains by hand (contract route, rates, capabilities,
vacancies) is never overwritten; vacancies are only trimmed to the places
Ofsted registers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import ChangedMeanwhile, EditConflict
from placedesk.models import Inspection, Provider
from placedesk.models.enums import OfstedJudgement, ProviderType, RiskLevel
from placedesk.services.common.bulk_insert import (
    RecordChange,
    insert_audited,
    update_audited,
)
from placedesk.services.referrals.ofsted_layout import (
    FIELDS,
    Layout,
    cell_text,
    open_list,
    remember_mapping,
)

MAX_REPORTED_PROBLEMS = 500
CHUNK_ROWS = 2000
HEADERS: dict[str, tuple[str, ...]] = {name: spellings for name, _, _, spellings in FIELDS}

# Checked in order: the first phrase found in the provision type decides.
PROVISION_TYPES: tuple[tuple[str, ProviderType], ...] = (
    ("residential special school", ProviderType.RESIDENTIAL_SPECIAL_SCHOOL),
    ("children's home", ProviderType.CHILDRENS_HOME),
    ("childrens home", ProviderType.CHILDRENS_HOME),
    ("secure unit", ProviderType.CHILDRENS_HOME),
    ("independent fostering", ProviderType.IFA),
    ("local authority fostering", ProviderType.IN_HOUSE_FOSTERING),
    ("supported accommodation", ProviderType.SUPPORTED_ACCOMMODATION),
    ("residential family centre", ProviderType.PARENT_AND_CHILD),
    ("parent and child", ProviderType.PARENT_AND_CHILD),
)

# None: inspected but not judged (code 5).
JUDGEMENTS: dict[str, OfstedJudgement | None] = {
    "outstanding": OfstedJudgement.OUTSTANDING,
    "good": OfstedJudgement.GOOD,
    "requires improvement to be good": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "requires improvement": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "adequate": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "satisfactory": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "inadequate": OfstedJudgement.INADEQUATE,
    "not yet inspected": OfstedJudgement.NOT_YET_INSPECTED,
    "": OfstedJudgement.NOT_YET_INSPECTED,
    "-": OfstedJudgement.NOT_YET_INSPECTED,
    "n/a": OfstedJudgement.NOT_YET_INSPECTED,
    "not judged": None,
    "1": OfstedJudgement.OUTSTANDING,
    "2": OfstedJudgement.GOOD,
    "3": OfstedJudgement.REQUIRES_IMPROVEMENT,
    "4": OfstedJudgement.INADEQUATE,
    "5": None,
}

_URN = re.compile(r"^(SC|EY)?\d{5,8}$", re.IGNORECASE)
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: .*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
_JUDGEMENT_CODE = re.compile(r"^([1-5])(?:\.0+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serials PlaceDesk accepts as inspection dates: 1950 to 2100.
_SERIAL_RANGE = (18264, 73051)


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
    # Later rows of a URN already read: a different row (not imported) / an identical repeat (ignored).
    duplicates: list[ImportProblem] = field(default_factory=list)
    duplicate_rows: int = 0
    repeats: list[ImportProblem] = field(default_factory=list)
    repeat_rows: int = 0
    # Rows whose inspection was not judged (code 5): the provider keeps its last judgement.
    not_judged: int = 0
    sheet: str | None = None
    other_sheets: list[str] = field(default_factory=list)
    header_line: int = 1
    # (PlaceDesk field, the file's column) for every column read.
    columns_used: list[tuple[str, str]] = field(default_factory=list)
    mapping_remembered: bool = False

    @property
    def skipped(self) -> int:
        return sum(self.skipped_types.values())

    def add_problem(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(ImportProblem(line, reason))

    def add_duplicate(self, line: int, reason: str) -> None:
        self.duplicate_rows += 1
        if len(self.duplicates) < MAX_REPORTED_PROBLEMS:
            self.duplicates.append(ImportProblem(line, reason))

    def add_repeat(self, line: int, reason: str) -> None:
        self.repeat_rows += 1
        if len(self.repeats) < MAX_REPORTED_PROBLEMS:
            self.repeats.append(ImportProblem(line, reason))

    def add_warning(self, line: int, reason: str) -> None:
        if len(self.warnings) < MAX_REPORTED_PROBLEMS:
            self.warnings.append(ImportProblem(line, reason))


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
    # None: the inspection was not judged (code 5).
    judgement: OfstedJudgement | None = OfstedJudgement.NOT_YET_INSPECTED


_text = cell_text


def _serial_date(number: float, text: str) -> dt.date:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise ValueError(f"inspection date '{text}' is not a date (expected dd/mm/yyyy)")
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def _parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value):  # NaN from a spreadsheet: no date
            return None
        return _serial_date(float(value), _text(value))
    text = _text(value)
    if not text or text.lower() in ("-", "n/a", "null"):
        return None
    try:
        match = _UK_DATE.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _ISO_DATE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"inspection date '{text}' is not a real date") from None
    if _SERIAL.match(text):
        return _serial_date(float(text), text)
    raise ValueError(f"inspection date '{text}' is not a date (expected dd/mm/yyyy)")


def _parse_places(value: Any) -> int | None:
    text = _text(value)
    if not text or text.lower() in ("-", "n/a", "null"):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"places '{text}' is not a whole number") from None
    if not number.is_integer() or number < 0 or number > 10000:
        raise ValueError(f"places '{text}' is not a whole number of 0 or more")
    return int(number)


def _parse_judgement(value: Any) -> OfstedJudgement | None:
    text = _text(value).lower().replace("’", "'")
    if text not in JUDGEMENTS:
        text = _JUDGEMENT_CODE.sub(r"\1", text)
    if text not in JUDGEMENTS:
        raise ValueError(
            f"overall judgement '{_text(value)}' is not one of Outstanding, Good, Requires improvement to be good, "
            "Inadequate, Not judged (or Ofsted's codes 1 to 5)"
        )
    return JUDGEMENTS[text]


def provider_type_for(provision_type: str) -> ProviderType | None:
    """PlaceDesk's provider type for an Ofsted provision type; None if it is not a placement provider."""
    text = provision_type.lower().replace("’", "'")
    for phrase, provider_type in PROVISION_TYPES:
        if phrase in text:
            return provider_type
    return None


def parse_ofsted_row(values: Mapping[str, Any]) -> OfstedRow:
    """One row (field -> cell value) as an :class:`OfstedRow`, or ValueError saying why not."""
    urn = _text(values.get("urn")).upper()
    if not urn:
        raise ValueError("no URN")
    if not _URN.match(urn):
        raise ValueError(f"URN '{urn}' is not an Ofsted URN (like SC123456 or 1234567)")
    provision = _text(values.get("provision_type"))
    subtype = _text(values.get("provider_subtype"))
    if not provision and not subtype:
        raise ValueError("no provision type")
    # The subtype is the more precise where Ofsted gives both (a secure children's home within children's homes).
    provider_type = (provider_type_for(subtype) if subtype else None) or provider_type_for(provision)
    name = _text(values.get("name"))
    if not name:
        raise ValueError("no provider name")
    if len(name) > 300:
        raise ValueError("the name is longer than 300 characters")
    judgement = _parse_judgement(values.get("judgement"))
    postcode = _text(values.get("postcode")).upper()
    return OfstedRow(
        urn=urn, provider_type=provider_type, provision_type=(subtype or provision)[:200], name=name,
        registration_status=_text(values.get("registration_status"))[:64],
        address1=_text(values.get("address1"))[:300], town=_text(values.get("town"))[:120],
        postcode=postcode[:10], local_authority=_text(values.get("local_authority"))[:120],
        region=_text(values.get("region"))[:120], sector=_text(values.get("sector"))[:32],
        places=_parse_places(values.get("places")), owner=_text(values.get("owner"))[:300],
        inspection_date=_parse_date(values.get("inspection_date")), judgement=judgement,
    )


# --- reading the file -------------------------------------------------------------------


def import_ofsted_providers(session: Session, path: Path, *, today: dt.date, laptop_id: str | None = None,
                            mapping: Mapping[str, str] | None = None,
                            progress: Callable[[int, int], None] | None = None) -> OfstedImportReport:
    """Import Ofsted's providers list into the directory (see the module docstring).

    ``mapping`` (field -> the file's header) says which column holds a field
    where the spellings PlaceDesk knows are not enough; it is remembered for
    files with the same header. ``progress(done, total)`` is called as the
    file is read; an exception it raises (the officer cancelling) stops the
    import, and the caller's transaction is rolled back.
    """
    path = Path(path)
    report = OfstedImportReport(path=path)
    layout, rows, close = open_list(path, mapping, progress)
    _describe(report, layout)
    try:
        applier = _Applier(session, report, today=today, laptop_id=laptop_id)
        columns = list(layout.columns.items())
        width = max(layout.columns.values()) + 1
        seen: dict[str, tuple[int, int]] = {}
        chunk: list[tuple[int, OfstedRow]] = []
        for line, row in rows:
            if not any(_text(c) for c in row):
                continue
            report.rows_read += 1
            cells = list(row) + [None] * max(0, width - len(row))
            values = {key: cells[index] for key, index in columns}
            try:
                item = parse_ofsted_row(values)
            except ValueError as exc:
                report.add_problem(line, str(exc))
                continue
            digest = _digest(values)
            first = seen.get(item.urn)
            if first is not None:
                if first[1] == digest:
                    report.add_repeat(line, f"repeats line {first[0]} exactly (URN {item.urn}): ignored")
                else:
                    report.add_duplicate(line, f"URN {item.urn} is also on line {first[0]}, which is kept: "
                                               f"line {line} was not imported")
                continue
            seen[item.urn] = (line, digest)
            if item.provider_type is None:
                report.skipped_types[item.provision_type] += 1
                continue
            if item.inspection_date is not None and item.inspection_date > today:
                report.add_problem(line, f"inspection date {item.inspection_date:%d/%m/%Y} is in the future")
                continue
            chunk.append((line, item))
            if len(chunk) >= CHUNK_ROWS:
                applier.apply(chunk)
                chunk = []
        applier.apply(chunk)
    finally:
        close()
    session.flush()
    if mapping:
        remember_mapping(layout.headers, {name: layout.headers[index] for name, index in layout.columns.items()})
    return report


def _digest(values: dict[str, Any]) -> int:
    """A fingerprint of a row's cells, to tell an identical repeat from a different row with the same URN."""
    try:
        return hash(tuple(values.values()))
    except TypeError:
        return hash(repr(tuple(values.values())))


def _describe(report: OfstedImportReport, layout: Layout) -> None:
    report.sheet = layout.sheet
    report.other_sheets = list(layout.other_sheets)
    report.header_line = layout.header_line
    report.columns_used = layout.used()
    report.mapping_remembered = layout.remembered


def report_lines(report: OfstedImportReport) -> list[str]:
    """The import report as the officer reads it: what was read, the counts, then every skipped row by reason."""
    where = report.path.name + (f", sheet '{report.sheet}'" if report.sheet else "")
    lines = [f"{where}: {report.rows_read:,} rows read (header on line {report.header_line})."]
    if report.other_sheets:
        lines.append("Other sheets not read: " + ", ".join(report.other_sheets) + ".")
    lines.append(f"{report.added:,} providers added, {report.updated:,} updated, {report.unchanged:,} unchanged; "
                 f"{report.inspections_added:,} inspections recorded.")
    if report.not_judged:
        lines.append(f"{report.not_judged:,} rows have an inspection that was not judged (code 5): those providers "
                     "keep their last judgement.")
    if report.skipped:
        kinds = ", ".join(f"{kind} ({n:,})" for kind, n in report.skipped_types.most_common())
        lines.append(f"{report.skipped:,} rows skipped as not placement providers: {kinds}.")
    for title, items, count in (
            ("rows repeat an earlier row exactly and were ignored", report.repeats, report.repeat_rows),
            ("rows have a URN already read on an earlier line; the first is kept", report.duplicates,
             report.duplicate_rows),
            (("rows could not be read and were not imported (fix them in the file and import it again; nothing "
              "is duplicated)"), report.problems, report.bad_rows)):
        if not count:
            continue
        lines.append("")
        lines.append(f"{count:,} {title}:")
        lines.extend(f"  Line {problem.line}: {problem.reason}" for problem in items)
        if count > len(items):
            lines.append(f"  … and {count - len(items):,} more.")
    if not report.bad_rows:
        lines.append("Every row was read.")
    if report.warnings:
        lines.append("")
        lines.append("Imported with part of the row ignored:")
        lines.extend(f"  Line {problem.line}: {problem.reason}" for problem in report.warnings)
    lines.append("")
    lines.append("Columns used" + (" (as remembered for this header)" if report.mapping_remembered else "") + ":")
    lines.extend(f"  {label}: {header}" for label, header in report.columns_used)
    return lines


# --- applying rows ----------------------------------------------------------------------

# The provider's columns the list refreshes, compared before anything is written.
_COMPARED = ("name", "provider_type", "registration_status", "address_line1", "town", "postcode", "local_authority",
             "region", "sector", "places", "owner_organisation")


def _values(row: OfstedRow, known: bool) -> dict[str, Any]:
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
    elif not known:
        values["places"] = 0
    return values


class _Applier:
    """Applies parsed rows a chunk at a time; each URN arrives once (duplicates are dropped before).

    New providers, inspections and changes to known providers are written with
    an executemany each, with the same audit events the ORM's flush hook would
    write (:mod:`placedesk.services.common.bulk_insert`): over a 100,000-row
    list the ORM's per-object work would take minutes. Providers that did not
    change are only compared.
    """

    def __init__(self, session: Session, report: OfstedImportReport, *, today: dt.date,
                 laptop_id: str | None) -> None:
        self.session = session
        self.report = report
        self.today = today
        self.laptop_id = laptop_id
        self.stem: str | None = None
        self.number = 0
        self.officer = str(session.info.get("officer", ""))
        self.levels: dict[OfstedJudgement, RiskLevel] = {}

    def _new_ref(self) -> str:
        if self.stem is None:
            from placedesk.services.common.refs import next_ref

            laptop_id = self.laptop_id
            if laptop_id is None:
                from placedesk.config import ensure_laptop_id, load_settings

                laptop_id = ensure_laptop_id(load_settings().settings)
            first = next_ref(self.session, Provider.ref, "PRV", laptop_id)
            stem, number = first.rsplit("-", 1)
            self.stem, self.number = stem, int(number)
        else:
            self.number += 1
        return f"{self.stem}-{self.number:04d}"

    def _risk(self, judgement: OfstedJudgement) -> RiskLevel:
        """A new provider's risk: it has no KPIs, CAPs or visits yet, so its judgement alone decides."""
        level = self.levels.get(judgement)
        if level is None:
            from placedesk.services.monitoring.risk import RiskFacts, assess

            level = self.levels[judgement] = assess(RiskFacts(judgement=judgement)).level
        return level

    def apply(self, parsed: list[tuple[int, OfstedRow]]) -> None:
        if not parsed:
            return
        session, report = self.session, self.report
        urns = [item.urn for _, item in parsed]
        columns = [Provider.id, Provider.version, Provider.urn, Provider.vacancies, Provider.last_inspection_date,
                   Provider.ofsted_judgement, Provider.risk_level, *(getattr(Provider, name) for name in _COMPARED)]
        known = {row.urn: row for row in session.execute(select(*columns).where(Provider.urn.in_(urns)))}
        inspected: set[tuple[uuid.UUID, dt.date]] = set()
        if known:
            inspected.update((pid, day) for pid, day in session.execute(
                select(Inspection.provider_id, Inspection.inspection_date)
                .where(Inspection.provider_id.in_([row.id for row in known.values()]))
            ))
        new_providers: list[dict[str, Any]] = []
        new_inspections: list[dict[str, Any]] = []
        changes: list[RecordChange] = []
        judged: set[uuid.UUID] = set()
        for line, item in parsed:
            row = known.get(item.urn)
            values = _values(item, row is not None)
            provider_id = row.id if row is not None else uuid.uuid4()
            last = row.last_inspection_date if row is not None else None
            changed = {} if row is None else {k: v for k, v in values.items() if getattr(row, k) != v}
            if row is not None:
                places = values.get("places", row.places)
                if row.vacancies and row.vacancies > places:
                    changed["vacancies"] = places
            judgement = OfstedJudgement.NOT_YET_INSPECTED
            if item.judgement is None:
                report.not_judged += 1
            elif item.judgement is not OfstedJudgement.NOT_YET_INSPECTED:
                if item.inspection_date is None:
                    report.add_warning(line, "has a judgement but no inspection date: no inspection recorded")
                elif (provider_id, item.inspection_date) not in inspected:
                    new_inspections.append({
                        "id": uuid.uuid4(), "provider_id": provider_id, "inspection_date": item.inspection_date,
                        "judgement": item.judgement, "inspection_type": "Full inspection",
                        "summary": "From Ofsted's published providers list"})
                    inspected.add((provider_id, item.inspection_date))
                    report.inspections_added += 1
                    if last is None or item.inspection_date >= last:
                        judgement = item.judgement
                        if row is not None:
                            changed["ofsted_judgement"] = item.judgement
                            changed["last_inspection_date"] = item.inspection_date
                            judged.add(provider_id)
            if row is None:
                new_providers.append({
                    **values, "id": provider_id, "ref": self._new_ref(), "urn": item.urn, "vacancies": 0,
                    "capabilities": [], "ofsted_judgement": judgement, "risk_level": self._risk(judgement),
                    "last_inspection_date": item.inspection_date if judgement is not OfstedJudgement.NOT_YET_INSPECTED
                    else None})
                report.added += 1
            elif changed:
                changes.append(RecordChange(provider_id, row.version, {k: getattr(row, k) for k in changed}, changed))
                report.updated += 1
            else:
                report.unchanged += 1
        self._insert(Provider, new_providers)
        self._insert(Inspection, new_inspections)
        self._update(changes)
        # The version each judged provider has now: its refreshed risk is checked against it.
        versions = {row.id: row.version for row in known.values() if row.id in judged}
        versions.update((change.record_id, change.version + 1) for change in changes if change.record_id in judged)
        self._refresh_risks(judged, {row.id: row.risk_level for row in known.values() if row.id in judged}, versions)
        session.flush()

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        insert_audited(self.session, model, rows, officer=self.officer)

    def _update(self, changes: list[RecordChange]) -> None:
        """Write changes to known providers, refusing the whole import if a colleague changed one since it was read."""
        try:
            update_audited(self.session, Provider, changes, officer=self.officer)
        except EditConflict as conflict:
            provider = self.session.get(Provider, conflict.entity_id) if not conflict.deleted else None
            name = f"the provider {provider.name}, {provider.ref}" if provider is not None else "a provider"
            raise ChangedMeanwhile(conflict, name, "this import",
                                   "Nothing was imported: import the list again, and it is applied to their "
                                   "version.") from None

    def _refresh_risks(self, judged: set[uuid.UUID], levels: dict[uuid.UUID, RiskLevel],
                       versions: dict[uuid.UUID, int]) -> None:
        """Known providers judged anew: their risk, which the judgement is one rule of, with all their facts."""
        if not judged:
            return
        from placedesk.services.monitoring.risk import assess, collect_facts

        facts = collect_facts(self.session, self.today, list(judged))
        changes = []
        for provider_id in judged:
            level = assess(facts[provider_id]).level
            if levels[provider_id] is not level:
                changes.append(RecordChange(provider_id, versions[provider_id], {"risk_level": levels[provider_id]},
                                            {"risk_level": level}))
        self._update(changes)


__all__ = [
    "HEADERS",
    "ImportProblem",
    "OfstedImportReport",
    "OfstedRow",
    "import_ofsted_providers",
    "parse_ofsted_row",
    "provider_type_for",
    "report_lines",
]
