"""KPIs: definitions, RAG status, recorded values, the month grid and providers' returns.

RAG is computed from a definition's ``target``, ``amber_threshold`` and
``direction``, never typed (DOMAIN.md, contract monitoring):

- higher is better: green at or above the target, amber at or above the
  amber threshold, red below it;
- lower is better: green at or below the target, amber at or below the
  amber threshold, red above it.

Values are kept per provider (and per placement for placement KPIs) per
month: ``period_start`` is always the first day of the month, and recording
a value for a month that already has one replaces it.

A provider's monthly return arrives as CSV or XLSX, one row per month: a
period column and one column per KPI. The officer maps the columns once;
the mapping is remembered on the provider (``Provider.kpi_import_mapping``).
Every bad row is reported by its line number and the good rows are kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.models import KpiDefinition, KpiValue, Placement, Provider
from placedesk.models.enums import KpiDirection, KpiKind, KpiScope, Rag
from placedesk.services.common.parsing import parse_date
from placedesk.services.common.periods import month_start
from placedesk.services.monitoring.risk import refresh_risk

# The mapping value that marks a returns file's period (month) column; KPI codes are upper case.
PERIOD = "period"
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


# --- RAG ------------------------------------------------------------------------------

def rag(direction: KpiDirection, target: float, amber_threshold: float, value: float) -> Rag:
    """The RAG status of ``value`` against a target and amber threshold (module docstring)."""
    if direction is KpiDirection.HIGHER_IS_BETTER:
        if value >= target:
            return Rag.GREEN
        return Rag.AMBER if value >= amber_threshold else Rag.RED
    if value <= target:
        return Rag.GREEN
    return Rag.AMBER if value <= amber_threshold else Rag.RED


def rag_for(definition: KpiDefinition, value: float) -> Rag:
    """The RAG status of a value of ``definition``."""
    return rag(definition.direction, definition.target, definition.amber_threshold, value)


# --- definitions ----------------------------------------------------------------------

def _check_thresholds(direction: KpiDirection, target: float, amber_threshold: float) -> None:
    if direction is KpiDirection.HIGHER_IS_BETTER and amber_threshold > target:
        raise ValidationError(
            f"When higher is better the amber threshold ({amber_threshold:g}) must be at or below the "
            f"target ({target:g}): values between them are amber.", "amber_threshold")
    if direction is KpiDirection.LOWER_IS_BETTER and amber_threshold < target:
        raise ValidationError(
            f"When lower is better the amber threshold ({amber_threshold:g}) must be at or above the "
            f"target ({target:g}): values between them are amber.", "amber_threshold")


def create_definition(
    session: Session, *, code: str, name: str, kind: KpiKind, direction: KpiDirection, target: float,
    amber_threshold: float, unit: str = "%", scope: KpiScope = KpiScope.PROVIDER, description: str = "",
) -> KpiDefinition:
    """Add a KPI the officer defines; the code must be new and the thresholds consistent."""
    code = code.strip().upper()
    if not _CODE.match(code):
        raise ValidationError("Give the KPI a short code of capital letters, digits and _ (e.g. STAFF_TURNOVER).",
                              "code")
    if not name.strip():
        raise ValidationError("Give the KPI a name.", "name")
    if session.scalar(select(KpiDefinition.id).where(KpiDefinition.code == code)) is not None:
        raise ValidationError(f"There is already a KPI with code {code}: choose another code.", "code")
    _check_thresholds(direction, target, amber_threshold)
    definition = KpiDefinition(code=code, name=name.strip(), kind=kind, direction=direction, target=target,
                               amber_threshold=amber_threshold, unit=unit.strip(), scope=scope,
                               description=description.strip(), active=True)
    session.add(definition)
    session.flush()
    return definition


_EDITABLE = {"name", "description", "kind", "unit", "direction", "target", "amber_threshold", "scope", "active"}


def update_definition(session: Session, definition: KpiDefinition, **changes: object) -> KpiDefinition:
    """Change a KPI's name, target, thresholds and so on (its code stays, values refer to it)."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValidationError(f"These KPI fields cannot be changed: {', '.join(sorted(unknown))}.")
    direction = changes.get("direction", definition.direction)
    target = changes.get("target", definition.target)
    amber = changes.get("amber_threshold", definition.amber_threshold)
    assert isinstance(direction, KpiDirection)
    _check_thresholds(direction, float(target), float(amber))  # type: ignore[arg-type]
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationError("Give the KPI a name.", "name")
    for key, value in changes.items():
        setattr(definition, key, value)
    session.flush()
    return definition


def active_definitions(session: Session, scope: KpiScope | None = None) -> list[KpiDefinition]:
    """KPIs in use, in name order (optionally only provider or placement ones)."""
    query = select(KpiDefinition).where(KpiDefinition.active.is_(True)).order_by(KpiDefinition.name)
    if scope is not None:
        query = query.where(KpiDefinition.scope == scope)
    return list(session.scalars(query))


def all_definitions(session: Session) -> list[KpiDefinition]:
    """Every KPI, in use or not, in name order (for the officer's KPI list)."""
    return list(session.scalars(select(KpiDefinition).order_by(KpiDefinition.active.desc(), KpiDefinition.name)))


def definition_by_code(session: Session, code: str) -> KpiDefinition:
    definition = session.scalar(select(KpiDefinition).where(KpiDefinition.code == code.strip().upper()))
    if definition is None:
        raise ValidationError(f"There is no KPI with code '{code}': check the code or add the KPI first.", "code")
    return definition


# --- values ---------------------------------------------------------------------------

def parse_value(text: str, field: str | None = None) -> float:
    """A KPI value typed by the officer or read from a return: a number, a trailing % allowed."""
    cleaned = text.strip().rstrip("%").strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValidationError(f"'{text}' is not a number: type the value, e.g. 92.5.", field) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError(f"'{text}' is not a number: type the value, e.g. 92.5.", field)
    if value < 0:
        raise ValidationError(f"'{text}' is negative: KPI values are counts or percentages of 0 or more.", field)
    return value


def _check_value(definition: KpiDefinition, value: float, field: str | None) -> None:
    if value < 0:
        raise ValidationError(f"{definition.name}: {value:g} is negative; values are 0 or more.", field)
    if definition.unit == "%" and value > 100:
        raise ValidationError(f"{definition.name}: {value:g}% is more than 100%.", field)


def record_value(
    session: Session, provider: Provider, definition: KpiDefinition, period: dt.date, value: float, *,
    placement: Placement | None = None, note: str = "", source: str = "manual",
) -> KpiValue:
    """Record (or replace) one month's value of a KPI for a provider or one of its placements."""
    if definition.scope is KpiScope.PLACEMENT and placement is None:
        raise ValidationError(f"{definition.name} is recorded per placement: choose the placement.", "placement")
    if placement is not None and placement.provider_id != provider.id:
        raise ValidationError("That placement is with another provider: choose one of this provider's.",
                              "placement")
    _check_value(definition, value, definition.code)
    period = month_start(period)
    existing = session.scalar(
        select(KpiValue).where(
            KpiValue.provider_id == provider.id,
            KpiValue.definition_id == definition.id,
            KpiValue.period_start == period,
            KpiValue.placement_id.is_(None) if placement is None else KpiValue.placement_id == placement.id,
        )
    )
    if existing is None:
        existing = KpiValue(provider_id=provider.id, definition_id=definition.id, period_start=period,
                            placement_id=placement.id if placement else None, value=value, note=note,
                            source=source)
        session.add(existing)
    else:
        existing.value = value
        existing.source = source
        if note:
            existing.note = note
    session.flush()
    return existing


@dataclass(frozen=True)
class KpiPoint:
    """One recorded value with its status, for tables and trend charts."""

    code: str
    name: str
    unit: str
    period: dt.date
    value: float
    rag: Rag
    target: float


def provider_values(session: Session, provider: Provider, *, start: dt.date | None = None,
                    end: dt.date | None = None) -> list[KpiPoint]:
    """A provider's own (not per-placement) KPI values, by KPI then period."""
    query = (
        select(KpiDefinition.code, KpiDefinition.name, KpiDefinition.unit, KpiDefinition.direction,
               KpiDefinition.target, KpiDefinition.amber_threshold, KpiValue.period_start, KpiValue.value)
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(KpiValue.provider_id == provider.id, KpiValue.placement_id.is_(None))
        .order_by(KpiDefinition.name, KpiValue.period_start)
    )
    if start is not None:
        query = query.where(KpiValue.period_start >= month_start(start))
    if end is not None:
        query = query.where(KpiValue.period_start <= end)
    return [
        KpiPoint(code, name, unit, period, value, rag(direction, target, amber, value), target)
        for code, name, unit, direction, target, amber, period, value in session.execute(query)
    ]


def _refresh_risk(session: Session, provider: Provider, today: dt.date | None) -> None:
    if today is not None:
        refresh_risk(session, provider, today=today)


# --- month grid -----------------------------------------------------------------------

@dataclass(frozen=True)
class GridRow:
    """One KPI in the month grid: its definition and the value already recorded, if any."""

    definition: KpiDefinition
    value: float | None


def month_grid(session: Session, provider: Provider, month: dt.date) -> list[GridRow]:
    """The provider-level KPIs for one month, with any values already recorded."""
    period = month_start(month)
    # The records themselves, not just their values: a screen showing them keeps their versions, so
    # saving the grid over a colleague's change to one of them is refused (placedesk.models.concurrency).
    recorded = {value.definition_id: value.value for value in session.scalars(
        select(KpiValue).where(
            KpiValue.provider_id == provider.id, KpiValue.period_start == period,
            KpiValue.placement_id.is_(None)))}
    return [GridRow(d, recorded.get(d.id)) for d in active_definitions(session, KpiScope.PROVIDER)]


@dataclass
class GridSaved:
    """What saving a month grid did."""

    saved: int = 0
    cleared: int = 0


def save_month_grid(session: Session, provider: Provider, month: dt.date,
                    entries: Mapping[str, str], *, today: dt.date | None = None) -> GridSaved:
    """Save a month's values typed in the grid (KPI code -> text); blank clears a value.

    All or nothing: the first bad entry raises ValidationError with ``field``
    set to the KPI code, and nothing is saved. With ``today`` the provider's
    stored risk level is refreshed (KPI reds are one of its rules).
    """
    period = month_start(month)
    definitions = {d.code: d for d in active_definitions(session, KpiScope.PROVIDER)}
    parsed: dict[str, float | None] = {}
    for code, text in entries.items():
        definition = definitions.get(code)
        if definition is None:
            raise ValidationError(f"KPI {code} is not a provider KPI in use.", code)
        if not text.strip():
            parsed[code] = None
            continue
        try:
            value = parse_value(text, code)
            _check_value(definition, value, code)
        except ValidationError as exc:
            raise ValidationError(f"{definition.name}: {exc}", code) from None
        parsed[code] = value
    result = GridSaved()
    for code, value in parsed.items():
        definition = definitions[code]
        if value is None:
            existing = session.scalar(select(KpiValue).where(
                KpiValue.provider_id == provider.id, KpiValue.definition_id == definition.id,
                KpiValue.period_start == period, KpiValue.placement_id.is_(None)))
            if existing is not None:
                session.delete(existing)
                result.cleared += 1
            continue
        record_value(session, provider, definition, period, value, source="grid")
        result.saved += 1
    session.flush()
    _refresh_risk(session, provider, today)
    return result


# --- returns import -------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnsTable:
    """A returns file read into memory: its headings and data rows with their line numbers."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [(i, [_cell_text(c) for c in row]) for i, row in
                    enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)]
        finally:
            book.close()
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in openpyxl, zipfile or XML in many ways
        raise PlaceDeskError(f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}): check it opens "
                             "in a spreadsheet, and save it again as .xlsx.") from None


def read_returns(path: Path) -> ReturnsTable:
    """Read a CSV or XLSX return: the first row is headings, blank rows are skipped."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            raw = _xlsx_rows(path)
        elif suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as handle:
                raw = [(i, [c.strip() for c in row]) for i, row in enumerate(csv.reader(handle), start=1)]
        else:
            raise PlaceDeskError(f"{path.name} is not a CSV or XLSX file: save the return as one of those.")
    except UnicodeDecodeError:
        raise PlaceDeskError(f"{path.name} is not UTF-8 text: save it again as CSV UTF-8.") from None
    except csv.Error as exc:
        raise PlaceDeskError(f"{path.name} cannot be read as CSV ({exc}): save it again from the spreadsheet "
                             "as CSV UTF-8.") from None
    except (OSError, ValueError, KeyError) as exc:
        raise PlaceDeskError(f"{path.name} could not be read ({exc}): check it opens in a spreadsheet.") from None
    raw = [(line, row) for line, row in raw if any(cell for cell in row)]
    if not raw:
        raise PlaceDeskError(f"{path.name} is empty: the first row should name the columns.")
    (_, headers), rows = raw[0], raw[1:]
    return ReturnsTable(headers=[h.strip() for h in headers], rows=rows)


def parse_period(text: str) -> dt.date:
    """A return's month: ``2026-03``, ``03/2026``, ``Mar 2026``, ``March 2026`` or any full date."""
    value = text.strip()
    match = re.match(r"^(\d{4})-(\d{1,2})$", value) or None
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    elif (match := re.match(r"^(\d{1,2})/(\d{4})$", value)):
        month, year = int(match.group(1)), int(match.group(2))
    elif (match := re.match(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$", value)) and match.group(1)[:3].lower() in _MONTHS:
        month, year = _MONTHS[match.group(1)[:3].lower()], int(match.group(2))
    else:
        try:
            return month_start(parse_date(value.split(" ")[0].split("T")[0]))
        except ValidationError:
            raise ValidationError(f"'{text}' is not a month: write it as 2026-03 or 03/2026.", PERIOD) from None
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValidationError(f"'{text}' is not a month: write it as 2026-03 or 03/2026.", PERIOD)
    return dt.date(year, month, 1)


def _simplify(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def suggest_mapping(session: Session, provider: Provider, headers: Sequence[str]) -> dict[str, str]:
    """The provider's remembered mapping for these headings, else a guess by name or code."""
    remembered = provider.kpi_import_mapping or {}
    definitions = active_definitions(session, KpiScope.PROVIDER)
    by_key: dict[str, str] = {}
    for d in definitions:
        by_key[_simplify(d.code)] = d.code
        by_key[_simplify(d.name)] = d.code
    mapping: dict[str, str] = {}
    for header in headers:
        if header in remembered:
            mapping[header] = remembered[header]
        elif _simplify(header) in ("period", "month", "periodstart", "date"):
            mapping[header] = PERIOD
        elif _simplify(header) in by_key:
            mapping[header] = by_key[_simplify(header)]
    return mapping


@dataclass(frozen=True)
class BadRow:
    """A row of a return that was not imported, and why."""

    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did: rows kept, values written, and every bad row by line."""

    rows_imported: int = 0
    values_written: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Imported {self.rows_imported} month(s), {self.values_written} value(s)."
        if self.bad_rows:
            text += f" {len(self.bad_rows)} row(s) were not imported:\n" + "\n".join(
                f"Line {b.line}: {b.message}" for b in self.bad_rows)
        return text


def import_returns(
    session: Session, provider: Provider, table: ReturnsTable, mapping: Mapping[str, str], *,
    source: str = "import", today: dt.date | None = None,
) -> ImportReport:
    """Import a read return with ``mapping`` (heading -> KPI code or :data:`PERIOD`) and remember it.

    A row is imported whole or not at all: a bad period or any bad value
    reports the row by line and skips it, and the good rows are kept. Empty
    cells are skipped (no value that month).
    """
    used = {h: c for h, c in mapping.items() if c}
    missing = [h for h in used if h not in table.headers]
    if missing:
        raise ValidationError(f"The file has no column named {', '.join(repr(m) for m in missing)}.", "mapping")
    period_columns = [h for h, c in used.items() if c == PERIOD]
    if len(period_columns) != 1:
        raise ValidationError("Choose exactly one column as the month (period) of each row.", "mapping")
    definitions: dict[str, KpiDefinition] = {}
    for header, code in used.items():
        if code != PERIOD:
            definitions[header] = definition_by_code(session, code)
    if not definitions:
        raise ValidationError("Map at least one column to a KPI.", "mapping")
    index = {h: i for i, h in enumerate(table.headers)}
    report = ImportReport()
    seen_periods: dict[dt.date, int] = {}
    for line, row in table.rows:
        def cell(header: str) -> str:
            position = index[header]
            return row[position] if position < len(row) else ""

        try:
            period = parse_period(cell(period_columns[0]))
            if period in seen_periods:
                raise ValidationError(f"the month {period:%m/%Y} is also on line {seen_periods[period]}.")
            values: list[tuple[KpiDefinition, float]] = []
            for header, definition in definitions.items():
                text = cell(header)
                if not text:
                    continue
                try:
                    value = parse_value(text)
                    _check_value(definition, value, None)
                except ValidationError as exc:
                    raise ValidationError(f"column '{header}': {exc}") from None
                values.append((definition, value))
        except ValidationError as exc:
            report.bad_rows.append(BadRow(line, str(exc)))
            continue
        seen_periods[period] = line
        for definition, value in values:
            record_value(session, provider, definition, period, value, source=source[:120])
            report.values_written += 1
        report.rows_imported += 1
    provider.kpi_import_mapping = dict(used)
    session.flush()
    _refresh_risk(session, provider, today)
    return report


__all__ = [
    "PERIOD", "BadRow", "GridRow", "GridSaved", "ImportReport", "KpiPoint", "ReturnsTable", "active_definitions",
    "all_definitions", "create_definition", "definition_by_code", "import_returns", "month_grid",
    "parse_period", "parse_value", "provider_values", "rag", "rag_for", "read_returns", "record_value",
    "save_month_grid", "suggest_mapping", "update_definition",
]
