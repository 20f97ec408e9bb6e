"""KPIs: RAG for every rule and boundary, values per month, the month grid and returns import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.models import KpiValue
from placedesk.models.enums import KpiDirection, KpiKind, KpiScope, Rag
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import (
    PERIOD,
    create_definition,
    definition_by_code,
    import_returns,
    month_grid,
    parse_period,
    parse_value,
    provider_values,
    rag,
    read_returns,
    record_value,
    save_month_grid,
    suggest_mapping,
    update_definition,
)
from tests.services.monitoring.helpers import make_provider

D = dt.date
HIGHER, LOWER = KpiDirection.HIGHER_IS_BETTER, KpiDirection.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("direction", "target", "amber", "value", "expected"),
    [
        (HIGHER, 95, 90, 96, Rag.GREEN),   # above target
        (HIGHER, 95, 90, 95, Rag.GREEN),   # at target
        (HIGHER, 95, 90, 94.9, Rag.AMBER),  # just below target
        (HIGHER, 95, 90, 90, Rag.AMBER),   # at the amber threshold
        (HIGHER, 95, 90, 89.9, Rag.RED),   # below the amber threshold
        (LOWER, 0, 2, 0, Rag.GREEN),       # at target
        (LOWER, 0, 2, 1, Rag.AMBER),       # between target and threshold
        (LOWER, 0, 2, 2, Rag.AMBER),       # at the amber threshold
        (LOWER, 0, 2, 3, Rag.RED),         # above the threshold
        (LOWER, 15, 25, 10, Rag.GREEN),    # below target
    ],
)
def test_rag_rules(direction: KpiDirection, target: float, amber: float, value: float, expected: Rag) -> None:
    assert rag(direction, target, amber, value) is expected


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100),
       st.floats(min_value=0, max_value=100))
def test_higher_is_better_rag_never_improves_as_value_falls(target: float, gap: float, value: float) -> None:
    amber = max(0.0, target - gap)
    order = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
    assert order[rag(HIGHER, target, amber, value)] >= order[rag(HIGHER, target, amber, value / 2)]


@pytest.mark.parametrize(("direction", "target", "amber", "message"), [
    (HIGHER, 90, 95, ("When higher is better the amber threshold (95) must be at or below the target (90): "
                      "values between them are amber.")),
    (LOWER, 10, 7.5, ("When lower is better the amber threshold (7.5) must be at or above the target (10): "
                      "values between them are amber.")),
])
def test_thresholds_the_wrong_way_round_are_refused_saying_which_way(
        session: Session, direction: KpiDirection, target: float, amber: float, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        create_definition(session, code="ATT", name="Attendance", kind=KpiKind.OUTCOME, direction=direction,
                          target=target, amber_threshold=amber)
    assert (str(err.value), err.value.field) == (message, "amber_threshold")


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_an_amber_threshold_at_the_target_is_allowed(session: Session, direction: KpiDirection) -> None:
    # No amber band: a value is green at the target and red beyond it.
    kpi = create_definition(session, code="VISITS", name="Visits on time", kind=KpiKind.OUTPUT,
                            direction=direction, target=95, amber_threshold=95)
    assert (kpi.target, kpi.amber_threshold) == (95, 95)


def test_definition_thresholds_must_agree_with_direction(session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        create_definition(session, code="ATT", name="Attendance", kind=KpiKind.OUTCOME, direction=HIGHER,
                          target=90, amber_threshold=95)
    assert err.value.field == "amber_threshold"
    kpi = create_definition(session, code="att", name="Attendance", kind=KpiKind.OUTCOME, direction=HIGHER,
                            target=95, amber_threshold=90)
    assert kpi.code == "ATT"
    with pytest.raises(ValidationError, match="already"):
        create_definition(session, code="ATT", name="Other", kind=KpiKind.OUTPUT, direction=LOWER, target=1,
                          amber_threshold=2)
    update_definition(session, kpi, target=97.0)
    assert kpi.target == 97.0
    with pytest.raises(ValidationError):
        update_definition(session, kpi, direction=LOWER)


def test_record_value_replaces_the_months_value(session: Session) -> None:
    [stability, *_] = ensure_default_kpis(session)
    p = make_provider(session, "P1")
    record_value(session, p, stability, D(2026, 3, 17), 85)
    record_value(session, p, stability, D(2026, 3, 2), 92)
    [point] = provider_values(session, p)
    assert point.period == D(2026, 3, 1) and point.value == 92 and point.rag is Rag.GREEN
    with pytest.raises(ValidationError, match="more than 100%"):
        record_value(session, p, stability, D(2026, 4, 1), 101)


def test_placement_kpi_needs_a_placement(session: Session) -> None:
    kpi = create_definition(session, code="VISITS", name="Social worker visits", kind=KpiKind.PROCESS,
                            direction=HIGHER, target=100, amber_threshold=90, scope=KpiScope.PLACEMENT)
    p = make_provider(session, "P1")
    with pytest.raises(ValidationError) as err:
        record_value(session, p, kpi, D(2026, 3, 1), 100)
    assert err.value.field == "placement"


def test_month_grid_saves_all_or_nothing_and_blank_clears(session: Session) -> None:
    ensure_default_kpis(session)
    p = make_provider(session, "P1")
    grid = month_grid(session, p, D(2026, 5, 20))
    assert len(grid) == 10 and all(row.value is None for row in grid)
    with pytest.raises(ValidationError) as err:
        save_month_grid(session, p, D(2026, 5, 1), {"STABILITY": "91", "MISSING": "two"})
    assert err.value.field == "MISSING" and "Missing episodes" in str(err.value)
    assert session.scalars(select(KpiValue)).all() == []
    saved = save_month_grid(session, p, D(2026, 5, 1), {"STABILITY": "91", "MISSING": "2"})
    assert saved.saved == 2
    cleared = save_month_grid(session, p, D(2026, 5, 1), {"STABILITY": "", "MISSING": "3"})
    assert cleared.cleared == 1
    values = {row.definition.code: row.value for row in month_grid(session, p, D(2026, 5, 1))}
    assert values["STABILITY"] is None and values["MISSING"] == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03", D(2026, 3, 1)), ("03/2026", D(2026, 3, 1)), ("Mar 2026", D(2026, 3, 1)),
     ("March 2026", D(2026, 3, 1)), ("15/03/2026", D(2026, 3, 1)), ("2026-03-31", D(2026, 3, 1))],
)
def test_parse_period_accepts_common_month_forms(text: str, expected: dt.date) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "13/2026", "Smarch 2026", "2026"])
def test_parse_period_rejects_what_is_not_a_month(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_period(text)


@given(st.text(max_size=12))
def test_parse_value_returns_a_number_or_explains(text: str) -> None:
    try:
        value = parse_value(text)
    except ValidationError as exc:
        assert str(exc)
    else:
        assert value >= 0


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(session: Session, tmp_path: Path) -> None:
    ensure_default_kpis(session)
    p = make_provider(session, "P1")
    path = _write_csv(tmp_path / "returns.csv",
                      "Month,Stability %,Missing episodes,Notes\n"
                      "2026-01,92,0,fine\n"
                      "Febtember,90,1,bad month\n"
                      "2026-03,eighty,1,bad value\n"
                      "2026-04,88,,missing left blank\n"
                      "2026-01,70,0,repeat of line 2\n")
    table = read_returns(path)
    mapping = {"Month": PERIOD, "Stability %": "STABILITY", "Missing episodes": "MISSING"}
    report = import_returns(session, p, table, mapping, source="import:returns.csv")
    assert report.rows_imported == 2 and report.values_written == 3
    assert [b.line for b in report.bad_rows] == [3, 4, 6]
    assert "Febtember" in report.bad_rows[0].message
    assert "eighty" in report.bad_rows[1].message and "Stability %" in report.bad_rows[1].message
    assert "line 2" in report.bad_rows[2].message
    assert "Line 3" in report.summary()
    stored = {(v.code, v.period): v.value for v in provider_values(session, p)}
    assert stored == {("STABILITY", D(2026, 1, 1)): 92, ("MISSING", D(2026, 1, 1)): 0,
                      ("STABILITY", D(2026, 4, 1)): 88}
    # The mapping is remembered for this provider's next return.
    assert suggest_mapping(session, p, ["Month", "Stability %", "Missing episodes", "Notes"]) == mapping


def test_mapping_is_guessed_from_kpi_names_first_time(session: Session) -> None:
    ensure_default_kpis(session)
    p = make_provider(session, "P1")
    assert suggest_mapping(session, p, ["Period", "School attendance", "COMPLAINTS", "Other"]) == {
        "Period": PERIOD, "School attendance": "SCHOOL_ATTENDANCE", "COMPLAINTS": "COMPLAINTS"}


def test_import_reads_xlsx_with_real_dates(session: Session, tmp_path: Path) -> None:
    ensure_default_kpis(session)
    p = make_provider(session, "P1")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Period", "Complaints"])
    sheet.append([dt.datetime(2026, 2, 1), 1])
    sheet.append([dt.datetime(2026, 3, 1), -4])
    book.save(tmp_path / "r.xlsx")
    report = import_returns(session, p, read_returns(tmp_path / "r.xlsx"),
                            {"Period": PERIOD, "Complaints": "COMPLAINTS"})
    assert report.rows_imported == 1 and [b.line for b in report.bad_rows] == [3]


def test_import_mapping_needs_one_period_and_known_kpis(session: Session, tmp_path: Path) -> None:
    ensure_default_kpis(session)
    p = make_provider(session, "P1")
    table = read_returns(_write_csv(tmp_path / "r.csv", "Month,Complaints\n2026-01,1\n"))
    with pytest.raises(ValidationError, match="month"):
        import_returns(session, p, table, {"Complaints": "COMPLAINTS"})
    with pytest.raises(ValidationError, match="NOPE"):
        import_returns(session, p, table, {"Month": PERIOD, "Complaints": "NOPE"})
    assert definition_by_code(session, "complaints").code == "COMPLAINTS"


def test_unreadable_files_are_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(PlaceDeskError, match="CSV or XLSX"):
        read_returns(_write_csv(tmp_path / "r.txt", "x"))
    with pytest.raises(PlaceDeskError, match="empty"):
        read_returns(_write_csv(tmp_path / "r.csv", "\n\n"))


@given(st.integers(min_value=1900, max_value=2200), st.integers(min_value=1, max_value=12))
def test_every_month_written_either_way_reads_back(year: int, month: int) -> None:
    assert parse_period(f"{year}-{month:02d}") == D(year, month, 1)
    assert parse_period(f"{month:02d}/{year}") == D(year, month, 1)
    assert parse_period(D(year, month, 1).strftime("%b %Y")) == D(year, month, 1)
