"""KPI returns as providers really send them: whatever the file holds, it imports or says what is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placedesk.db import Database
from placedesk.models import Provider
from placedesk.models.enums import ProviderType
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import import_returns, read_returns, suggest_mapping
from tests.robustness import succeeds_or_refuses_cleanly

TODAY = dt.date(2026, 3, 2)
HEADINGS = st.sampled_from(["Month", "Period", "Stability %", "Complaints", "Missing episodes", "School attendance",
                            "Notes", "", "month", "Month"])
CELLS = st.one_of(
    st.sampled_from(["2026-01", "01/2026", "March 2026", "2026-02-30", "13/2026", "92", "-4", "1e400", "nan",
                     "inf", "9" * 40, "0.5", "50%", "", " "]),
    st.text(max_size=10),
    st.text(alphabet=',"\n\r\x00;\t', max_size=5),
)
XLSX_CELLS = st.one_of(st.none(), st.integers(min_value=-(2**70), max_value=2**70),
                       st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=10),
                       st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)))


def _import(path: Path):  # type: ignore[no-untyped-def]
    def action(session):  # type: ignore[no-untyped-def]
        ensure_default_kpis(session)
        provider = session.query(Provider).filter_by(ref="P1").one_or_none()
        if provider is None:
            provider = Provider(ref="P1", name="Oak House", provider_type=ProviderType.CHILDRENS_HOME)
            session.add(provider)
            session.flush()
        table = read_returns(path)
        mapping = suggest_mapping(session, provider, table.headers)
        return import_returns(session, provider, table, mapping, source=f"import:{path.name}", today=TODAY)

    return action


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headings=st.lists(HEADINGS, max_size=5), rows=st.lists(st.lists(CELLS, max_size=6), max_size=6),
       raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_any_csv_return_imports_or_is_refused_cleanly(
        db: Database, tmp_path: Path, headings: list[str], rows: list[list[str]], raw: bytes | None) -> None:
    path = tmp_path / "return.csv"
    if raw is not None:
        path.write_bytes(raw)
    else:
        text = ",".join(headings) + "\n" + "".join(",".join(r) + "\n" for r in rows)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    succeeds_or_refuses_cleanly(db, _import(path))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headings=st.lists(HEADINGS, max_size=4), rows=st.lists(st.lists(XLSX_CELLS, max_size=4), max_size=4),
       raw=st.one_of(st.none(), st.binary(max_size=60), st.just(b"PK\x03\x04" + b"\x00" * 40)))
def test_any_xlsx_return_imports_or_is_refused_cleanly(
        db: Database, tmp_path: Path, headings: list[str], rows: list[list[object]], raw: bytes | None) -> None:
    path = tmp_path / "return.xlsx"
    if raw is not None:
        path.write_bytes(raw)
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(headings)
        for row in rows:
            sheet.append([c for c in row if not (isinstance(c, str) and any(ord(ch) < 32 for ch in c))])
        book.save(path)
    succeeds_or_refuses_cleanly(db, _import(path))
