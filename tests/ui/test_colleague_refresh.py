"""Open windows refresh when a colleague, in another process, changes what they show."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.services.referrals.intake import ChildDetails, save_child
from placedesk.ui.app import build_main_window
from tests.conftest import database_target
from tests.test_db_changes import COLLEAGUE

TODAY = dt.date(2026, 3, 2)



def _officer(placedesk_home: Path) -> None:
    from placedesk.config import OfficerSettings, Settings, save_settings

    save_settings(Settings(officer=OfficerSettings(name="Casey Officer", local_authority="Northshire",
                                                   email="casey@example.gov.uk")))


def _texts(window: object) -> set[str]:
    model = window.tab("children").list.model  # type: ignore[attr-defined]
    return {str(model.index(r, c).data()) for r in range(model.rowCount()) for c in range(model.columnCount())}


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_child_renamed_by_a_colleague_in_another_process_shows_in_the_open_list(
        qtbot: QtBot, db: Database, placedesk_home: Path) -> None:
    _officer(placedesk_home)
    with db.session_scope() as s:
        save_child(s, None, ChildDetails("CW1", "Ada", "Stone", dt.date(2012, 1, 1)), today=TODAY, laptop_id="L1")
    window = build_main_window(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_ready, timeout=20000)
    window.show_tab("children")
    qtbot.waitUntil(lambda: any("Ada" in t for t in _texts(window)), timeout=10000)

    colleague = subprocess.run([sys.executable, "-c", COLLEAGUE, database_target(db)], capture_output=True, text=True,
                               env=dict(os.environ), timeout=120)
    assert colleague.returncode == 0, colleague.stderr
    # No click, no focus change: the window's watcher notices and the list reloads.
    qtbot.waitUntil(lambda: any("Amelia" in t for t in _texts(window)), timeout=15000)
    assert "outside this window" in window.statusBar().currentMessage()
