"""The sync panel, the File-menu sync actions and the status-bar indicator, driven as an officer would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot
from PySide6.QtWidgets import QMainWindow, QMenu
from sqlalchemy import func, select

from placedesk.config import Settings, backups_dir
from placedesk.db import Database
from placedesk.models import Child
from placedesk.services.sync.backups import daily_backup, list_backups
from placedesk.ui.sync import sync_actions
from placedesk.ui.context import AppContext
from placedesk.ui.sync.sync_panel import SyncPanel
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.services.sync.helpers import fill, install_identity, new_db


@pytest.fixture
def ctx(db: Database, tmp_path: Path) -> AppContext:
    settings = Settings()
    settings.laptop_id = "LAPA"
    settings.officer.name = "Officer A"
    return AppContext(db, settings)


def _wait(qtbot: QtBot, dialogs: DialogRecorder, name: str = "inform") -> str:
    qtbot.waitUntil(lambda: wait_for_tasks(100) and bool(dialogs.texts(name)), timeout=15000)
    return dialogs.texts(name)[-1]


def test_without_a_shared_folder_the_panel_says_how_to_set_one(qtbot: QtBot, ctx: AppContext) -> None:
    panel = SyncPanel(ctx)
    qtbot.addWidget(panel)
    assert "Not set" in panel.share_label.text() and "settings" in panel.share_label.text()
    assert not panel.send_button.isEnabled()
    assert panel.history_stack.currentWidget() is panel.empty
    assert panel.waiting_label.text() == "nothing waiting" and panel.last_sync_label.text() == "never"


def test_send_and_receive_with_an_unmounted_share_waits_then_delivers(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder, tmp_path: Path) -> None:
    share = tmp_path / "share"
    ctx.settings.shared_folder = str(share)
    install_identity("Officer A")
    with ctx.action() as s:
        fill(s)
    panel = SyncPanel(ctx)
    qtbot.addWidget(panel)
    assert "cannot be reached" in panel.share_label.text()
    qtbot.mouseClick(panel.send_button, sync_actions.Qt.LeftButton)
    assert "wait in the outbox" in _wait(qtbot, dialogs)
    assert panel.waiting_label.text() == "1 bundle(s)"
    share.mkdir()
    panel.refresh()
    assert "(reachable)" in panel.share_label.text()
    qtbot.mouseClick(panel.send_button, sync_actions.Qt.LeftButton)
    qtbot.waitUntil(lambda: len(dialogs.texts("inform")) == 2, timeout=15000)
    assert "Sent 1 bundle(s)" in dialogs.texts("inform")[-1]
    qtbot.waitUntil(lambda: panel.waiting_label.text() == "nothing waiting")
    assert panel.last_sync_label.text() != "never"
    assert panel.history.rowCount() == 1 and panel.history.item(0, 1).text() == "Sent"
    assert panel.history.item(0, 5).text() == "Delivered"


def test_export_to_a_folder_and_import_on_another_laptop_from_the_panel(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder, tmp_path: Path) -> None:
    install_identity("Officer A")
    with ctx.action() as s:
        fill(s, child_name=("Ruby", "Lane"))
    panel = SyncPanel(ctx)
    qtbot.addWidget(panel)
    dialogs.answer("choose_directory", tmp_path / "stick")
    dialogs.answer("choose", "zip")
    qtbot.mouseClick(panel.export_button, sync_actions.Qt.LeftButton)
    assert "Exported" in _wait(qtbot, dialogs)
    (bundle,) = (tmp_path / "stick").iterdir()
    assert bundle.suffix == ".zip"

    other_db = new_db(tmp_path / "other.sqlite", "Officer B")
    other_settings = Settings()
    other_settings.laptop_id = "LAPB"
    other_settings.officer.name = "Officer B"
    other = AppContext(other_db, other_settings)
    other_panel = SyncPanel(other)
    qtbot.addWidget(other_panel)
    dialogs.answer("choose_open_file", bundle)
    # Officer A is not trusted yet: the bundle is shown (who, when, what) and trusted from there.
    shown: list[str] = []
    dialogs.answer("run_modal", lambda view: shown.append(view.findChildren(sync_actions.QLabel)[0].text()) or True)
    qtbot.mouseClick(other_panel.import_button, sync_actions.Qt.LeftButton)
    qtbot.waitUntil(lambda: wait_for_tasks(100) and len(dialogs.texts("inform")) == 2, timeout=15000)
    assert "Imported:" in dialogs.texts("inform")[-1]
    assert "Made by Officer A" in shown[0] and "Not on your trust list" in shown[0]
    with other.read() as s:
        assert s.scalar(select(func.count(Child.id))) == 1
    assert other_panel.history.item(0, 1).text() == "Received"
    other_db.close()


def test_a_bad_bundle_picked_in_the_app_is_refused_with_its_reason(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder, tmp_path: Path) -> None:
    bad = tmp_path / "bundle.zip"
    bad.write_bytes(b"PK not a zip")
    dialogs.answer("choose_open_file", bad)
    sync_actions.import_from_file(None, ctx)  # type: ignore[arg-type]
    assert "not a readable zip" in _wait(qtbot, dialogs, "warn")


def test_spreadsheets_from_the_menu_are_pseudonymised_by_default(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder, tmp_path: Path) -> None:
    with ctx.action() as s:
        fill(s, child_name=("Jordan", "Whitfield"))
    dialogs.answer("run_modal", lambda dialog: dialog.pseudonymise.isChecked())
    dialogs.answer("choose_directory", tmp_path / "xl")
    sync_actions.write_spreadsheets(None, ctx, today=dt.date(2026, 3, 2))  # type: ignore[arg-type]
    assert "pseudonymised.xlsx" in _wait(qtbot, dialogs)
    (path,) = (tmp_path / "xl").iterdir()
    ws = openpyxl.load_workbook(path)["Placements"]
    assert "Age band" in [c.value for c in ws[1]]


def test_restore_from_a_backup_puts_the_old_data_back_and_keeps_a_safety_copy(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder) -> None:
    with ctx.action() as s:
        fill(s)
    daily_backup(ctx.db.path, today=dt.date(2026, 3, 2), keep=5)
    with ctx.action() as s:
        fill(s)
    notices: list[frozenset[str]] = []
    ctx.changed.connect(notices.append)
    dialogs.answer("run_modal", lambda chooser: chooser.list.count() == 1)
    dialogs.answer("confirm", True)
    sync_actions.restore_from_backup(None, ctx)  # type: ignore[arg-type]
    assert "Restored" in dialogs.texts("inform")[-1] and "saved as" in dialogs.texts("inform")[-1]
    with ctx.read() as s:
        assert s.scalar(select(func.count(Child.id))) == 1
    assert notices and "all" in notices[-1]
    assert len(list(backups_dir().iterdir())) == 2


def test_restore_with_no_backups_explains_they_are_automatic(ctx: AppContext, dialogs: DialogRecorder,
                                                             qtbot: QtBot) -> None:
    sync_actions.restore_from_backup(None, ctx)  # type: ignore[arg-type]
    assert "automatically each day" in dialogs.texts("inform")[-1]


def test_install_adds_menu_actions_and_a_status_bar_indicator_and_delivers_on_close(
        qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    ctx.settings.shared_folder = str(share)
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = QMenu("&File", window)
    quit_action = menu.addAction("Quit")
    sync = sync_actions.install_sync_menu(window, ctx, menu, quit_action, automatic=False)
    install_identity("Officer A")  # its passphrase kept in the keystore: closing never asks
    texts = [a.text() for a in menu.actions()]
    assert texts[-1] == "Quit" and "&Send and receive now" in texts and "&Restore from a backup…" in texts
    assert "last sync never" in sync.status_label.text()
    with ctx.action() as s:
        fill(s)
    sync.on_close()
    assert len(list(share.iterdir())) == 1
    ctx.notify({"sync_record"})
    assert "Outbox empty" in sync.status_label.text() and "never" not in sync.status_label.text()


def test_daily_backup_runs_in_the_background(qtbot: QtBot, ctx: AppContext) -> None:
    sync_actions.take_daily_backup(None, ctx, today=dt.date(2026, 3, 2))  # type: ignore[arg-type]
    target = backups_dir() / "test-daily-2026-03-02.sqlite"
    qtbot.waitUntil(target.exists, timeout=10000)
    wait_for_tasks()
    assert [p.name for p in backups_dir().iterdir()] == [target.name]


def test_automatic_pick_up_imports_quietly_and_reports_a_bad_bundle_only_once(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    ctx.settings.shared_folder = str(share)
    (share / ("placedesk-LAPC-20260101T000000Z-" + "d" * 32 + ".zip")).write_bytes(b"PK broken")
    for _ in range(2):
        sync_actions.send_and_receive(None, ctx, quiet=True)  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: wait_for_tasks(100), timeout=15000)
        qtbot.wait(50)
    assert len(dialogs.texts("inform")) == 1 and "Not imported" in dialogs.texts("inform")[0]


def test_automatic_mode_takes_todays_backup_soon_after_start(qtbot: QtBot, ctx: AppContext) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = QMenu("&File", window)
    sync = sync_actions.install_sync_menu(window, ctx, menu)
    assert sync.timer.isActive()
    qtbot.waitUntil(lambda: any(b.kind == "daily backup" for b in list_backups()), timeout=10000)
    sync.on_close()
    assert not sync.timer.isActive()
    wait_for_tasks()
