"""KPI entry: the month grid with errors beside the KPI, and importing a return with a column mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models import Provider
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import PERIOD, provider_values, read_returns
from placedesk.ui.monitoring.dialogs.kpi_dialogs import ImportReturnsDialog, MonthGridDialog
from tests.services.monitoring.helpers import make_provider
from tests.ui.monitoring.ui_helpers import TODAY, make_ctx, pick


def _provider(db: Database) -> Provider:
    with db.session_scope() as session:
        ensure_default_kpis(session)
        return make_provider(session, "PRV-1", name="Brook Lodge")


def test_month_grid_shows_error_beside_the_kpi_then_saves(qtbot: QtBot, db: Database) -> None:
    provider = _provider(db)
    dialog = MonthGridDialog(make_ctx(db), provider.id, "Brook Lodge", dt.date(2026, 5, 1), TODAY)
    qtbot.addWidget(dialog)
    assert len(dialog.inputs) == 10
    qtbot.keyClicks(dialog.inputs["SCHOOL_ATTENDANCE"], "92.5")
    qtbot.keyClicks(dialog.inputs["MISSING"], "two")
    dialog.accept()
    assert not dialog.result()
    assert "Missing episodes" in dialog.error_text("MISSING") and "not a number" in dialog.error_text("MISSING")
    assert dialog.error_text("SCHOOL_ATTENDANCE") == ""
    dialog.inputs["MISSING"].setText("2")
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        stored = {(p.code, p.period): p.value for p in provider_values(session, session.get(Provider, provider.id))}
    assert stored == {("SCHOOL_ATTENDANCE", dt.date(2026, 5, 1)): 92.5, ("MISSING", dt.date(2026, 5, 1)): 2}


def test_month_grid_loads_the_months_values(qtbot: QtBot, db: Database) -> None:
    provider = _provider(db)
    ctx = make_ctx(db)
    first = MonthGridDialog(ctx, provider.id, "Brook Lodge", dt.date(2026, 5, 1), TODAY)
    qtbot.addWidget(first)
    first.inputs["COMPLAINTS"].setText("3")
    first.accept()
    again = MonthGridDialog(ctx, provider.id, "Brook Lodge", dt.date(2026, 4, 1), TODAY)
    qtbot.addWidget(again)
    assert again.inputs["COMPLAINTS"].text() == ""
    again.month.setDate(dt.date(2026, 5, 9))
    assert again.inputs["COMPLAINTS"].text() == "3"


def test_import_dialog_maps_columns_and_reports_bad_rows(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    provider = _provider(db)
    path = tmp_path / "brook.csv"
    path.write_text("When,Attendance %,Complaints received\n2026-03,96,0\n2026-04,ninety,1\n", encoding="utf-8")
    table = read_returns(path)
    kpis = [("SCHOOL_ATTENDANCE", "School attendance"), ("COMPLAINTS", "Complaints")]
    dialog = ImportReturnsDialog(make_ctx(db), provider.id, path, table, {}, kpis, TODAY)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert not dialog.result() and "month" in dialog.error_text()
    pick(dialog.combos["When"], PERIOD)
    pick(dialog.combos["Attendance %"], "SCHOOL_ATTENDANCE")
    pick(dialog.combos["Complaints received"], "COMPLAINTS")
    dialog.accept()
    assert dialog.result()
    report = dialog.result_value
    assert report.rows_imported == 1 and [b.line for b in report.bad_rows] == [3]
    with db.session() as session:
        remembered = session.get(Provider, provider.id).kpi_import_mapping
    assert remembered == {"When": PERIOD, "Attendance %": "SCHOOL_ATTENDANCE", "Complaints received": "COMPLAINTS"}
