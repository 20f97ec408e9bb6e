"""``placedesk dashboard --csv``: every figure one row each, the same as the app computes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from placedesk.cli import main
from placedesk.db import Database
from tests.services.monitoring.helpers import build_monitored_provider, make_child, make_placement


def test_dashboard_csv_lists_every_figure(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with db.session_scope() as session:
        provider, _ = build_monitored_provider(session, dt.date(2026, 6, 15))
        make_placement(session, provider, make_child(session, "C1"), "PLC-1", start=dt.date(2026, 1, 1),
                       weekly_pence=(400000, 25050))
    out = tmp_path / "figures.csv"
    assert main(["--db", db.location, "dashboard", "--on", "2026-06-15", "--csv", str(out)]) == 0
    assert "dashboard figures for 2026-06-15" in capsys.readouterr().out
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["name", "value"]
    figures = dict(rows[1:])
    assert len(figures) == len(rows) - 1  # one row per figure, no name twice
    assert figures["on"] == "2026-06-15"
    assert figures["providers_risk_high"] == "1"
    assert figures["caps_open"] == "1" and figures["cap_actions_open"] == "1" and figures["cap_actions_overdue"] == "1"
    assert figures["kpi_reds_latest_period:PRV-T-0001"] == "1"
    assert figures["weekly_spend_pence:childrens_home"] == "425050"
