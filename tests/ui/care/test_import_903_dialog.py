"""Importing SSDA903 files from the window: files chosen, import run, report shown, screens told."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from placedesk.config import OfficerSettings, Settings
from placedesk.db import Database
from placedesk.models import CarePeriod, Child
from placedesk.ui.context import AppContext
from placedesk.ui.care.import_903_dialog import import_903_files
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder

EPISODES = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST,URN\n"
            "C100,01/01/2024,S,C2,N1,U4,PR1,,,,,\n"
            "C100,01/13/2024,S,C2,N1,U4,PR1,,,,,\n")
HEADER = "CHILD,SEX,DOB,ETHNIC\nC100,2,15/06/2009,WBRI\n"


def test_import_with_header_creates_children_and_reports_bad_rows(qtbot: QtBot, db: Database, tmp_path: Path,
                                                                 dialogs: DialogRecorder) -> None:
    (tmp_path / "episodes.csv").write_text(EPISODES, encoding="utf-8")
    (tmp_path / "header.csv").write_text(HEADER, encoding="utf-8")
    ctx = AppContext(db, Settings(officer=OfficerSettings(name="Test Officer")))
    notices: list[frozenset[str]] = []
    ctx.changed.connect(notices.append)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialogs.answer("choose_open_file", tmp_path / "episodes.csv", tmp_path / "header.csv")
    dialogs.answer("choose", True, True)
    import_903_files(parent, ctx)
    wait_for_tasks()
    qtbot.waitUntil(lambda: bool(dialogs.texts("warn")))
    message = dialogs.texts("warn")[0]
    assert "1 episodes added" in message and "1 children created" in message
    assert "episodes.csv line 3: DECOM '01/13/2024' is not a real date" in message
    assert notices == [frozenset({"child", "care_period"})]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CarePeriod)) == 1
        assert s.scalars(select(Child.case_reference)).all() == ["C100"]


def test_cancelling_the_file_choice_does_nothing(qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    import_903_files(parent, AppContext(db, Settings(officer=OfficerSettings(name="Test Officer"))))
    assert dialogs.texts("choose") == [] and dialogs.texts("inform") == []


def test_a_long_import_shows_progress_and_cancel_rolls_it_back(qtbot: QtBot, db: Database, tmp_path: Path,
                                                               dialogs: DialogRecorder) -> None:
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from tests.robustness import snapshot

    children = 8000
    (tmp_path / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC\n" + "".join(f"C{n:05d},2,15/06/2009,WBRI\n" for n in range(children)), encoding="utf-8")
    (tmp_path / "episodes.csv").write_text(
        EPISODES.splitlines()[0] + "\n" + "".join(f"C{n:05d},01/01/2024,S,C2,N1,U4,PR1,,,,,\n" for n in range(children)),
        encoding="utf-8")
    before = snapshot(db.path)
    ctx = AppContext(db, Settings(officer=OfficerSettings(name="Test Officer")))
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialogs.answer("choose_open_file", tmp_path / "episodes.csv", tmp_path / "header.csv")
    dialogs.answer("choose", True, True)
    import_903_files(parent, ctx)
    progress = parent.findChild(QProgressDialog)
    assert progress is not None
    qtbot.waitUntil(lambda: progress.value() > 0, timeout=30000)
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.LeftButton)
    wait_for_tasks(60000)
    qtbot.waitUntil(lambda: bool(dialogs.texts("inform")))
    assert "Cancelled: nothing was changed." in dialogs.texts("inform")[0]
    assert dialogs.texts("warn") == []
    assert snapshot(db.path) == before
