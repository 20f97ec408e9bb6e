"""File › Import postcode locations…: Code-Point Open from the menu, its report, and Cancel rolling back."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from placedesk.db import Database
from placedesk.models import PostcodeLocation
from placedesk.services.referrals.postcodes import ImportReport
from placedesk.ui.app import build_main_window
from placedesk.ui.referrals import postcode_import
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.services.referrals.test_postcode_files import codepoint_zip
from tests.ui.referrals.wizard.conftest import make_ctx as ctx_for


def count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(PostcodeLocation)) or 0)


def test_code_point_open_zip_imports_from_the_file_menu(qtbot: QtBot, db: Database, dialogs: DialogRecorder,
                                                        tmp_path: Path) -> None:
    window = build_main_window(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_ready)
    action = next(a for a in window.file_menu.actions() if a.text() == "Import &postcode locations…")
    dialogs.answer("choose_open_file", codepoint_zip(tmp_path / "codepo_gb.zip"))
    action.trigger()
    wait_for_tasks()
    qtbot.waitUntil(lambda: bool(dialogs.texts("warn")))
    text = dialogs.texts("warn")[0]
    assert "OS Code-Point Open (2 area files), 5 rows read from 2 files" in text
    assert "Imported 3 locations" in text and "Skipped 1 rows: no location given in the file." in text
    assert "line 2 of ls.csv: easting 'north' is not a number" in text
    assert count(db) == 3 + 3  # three postcodes and the centres of S10, S1 and LS1 worked out from them

def test_cancel_rolls_the_postcode_import_back(qtbot: QtBot, db: Database, dialogs: DialogRecorder,
                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pressed = threading.Event()
    real = postcode_import.import_locations

    def slow(*args: Any, **kwargs: Any) -> Any:
        pressed.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(postcode_import, "import_locations", slow)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialogs.answer("choose_open_file", codepoint_zip(tmp_path / "codepo_gb.zip"))
    running = postcode_import.import_postcode_table(parent, ctx_for(db))
    assert running is not None
    qtbot.mouseClick(running.dialog.findChild(QPushButton), Qt.LeftButton)
    pressed.set()
    wait_for_tasks()
    qtbot.waitUntil(lambda: bool(dialogs.texts("inform")))
    assert "codepo_gb.zip: Import cancelled: nothing was changed." in dialogs.texts("inform")[0]
    assert count(db) == 0


def test_a_long_list_of_bad_lines_is_shortened_in_the_window() -> None:
    report = ImportReport(path=Path("pc.csv"), key_column="pcds", coordinates="latitude/longitude", rows_read=40,
                          columns_used=[("postcode", "pcds")])
    for line in range(2, 42):
        report.add_problem(line, "no postcode")
    text = postcode_import.report_text(report)
    assert "line 26: no postcode" in text and "line 27:" not in text
    assert "… and 15 more (run 'placedesk postcodes import' to list them)." in text
