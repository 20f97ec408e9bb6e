"""The main window: tabs, status bar, empty-state guidance, opening files safely."""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.config import load_settings, save_settings
from placedesk.db import Database, open_database
from placedesk.services.common.summary import record_counts
from placedesk.ui.app import build_main_window, choose_database
from placedesk.ui.main_window import LazyTab, MainWindow
from tests.conftest import DialogRecorder


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> MainWindow:
    win = build_main_window(db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready)
    return win


def test_demo_database_shows_its_path_and_counts(qtbot: QtBot, demo_db: Database) -> None:
    win = build_main_window(demo_db)
    qtbot.addWidget(win)
    win.show()
    with demo_db.session() as s:
        counts = record_counts(s)
    qtbot.waitUntil(lambda: "providers" in win.counts_label.text())
    assert str(demo_db.path) in win.db_label.text()
    assert f"{counts.providers:,} providers" in win.counts_label.text()
    assert f"{counts.children:,} children" in win.counts_label.text()
    providers = win.show_tab("providers")
    assert providers.model.total == counts.providers
    assert providers.model.rowCount() == min(counts.providers, 200)


def test_window_appears_before_the_data_layer_then_fills_the_first_tab(qtbot: QtBot, db: Database) -> None:
    win = build_main_window(db)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=20000):
        win.show()
        assert not win.is_ready and win.counts_label.text() == "Opening…"
    assert win._lazy["coming_up"].tab is not None
    assert "0 providers" in win.counts_label.text()


def test_tab_titles_and_only_the_visible_tab_is_built(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles == ["Coming up", "Children", "Referrals", "Providers", "Placements", "Monitoring", "Sync"]
    built = [isinstance(w, LazyTab) and w.tab is not None for w in map(window.tabs.widget, range(7))]
    assert built == [True, False, False, False, False, False, False]
    menu = [a.text() for a in window.file_menu.actions() if a.text()]
    assert {"&Send and receive now", "&Import bundle…", "&Restore from a backup…"} <= set(menu)
    assert window.sync is not None and window.sync.status_label.text().startswith("Sync:")


def test_empty_database_says_what_to_do_next(window: MainWindow) -> None:
    referrals = window.show_tab("referrals")
    assert referrals.list.stack.currentWidget() is referrals.list.empty
    assert "Start a referral" in [b.text() for b in referrals.list.empty.findChildren(type(referrals.new_button))]
    providers = window.show_tab("providers")
    assert providers.list.stack.currentWidget() is providers.list.empty
    assert "Import Ofsted" in providers.list.empty.guidance.text()
    assert "0 providers" in window.counts_label.text()


def test_new_database_never_replaces_an_existing_file(window: MainWindow, dialogs: DialogRecorder,
                                                      tmp_path: Path) -> None:
    existing = tmp_path / "keep.sqlite"
    existing.write_bytes(b"precious")
    dialogs.answer("choose_save_file", existing)
    window.new_database()
    assert existing.read_bytes() == b"precious"
    assert "already exists" in dialogs.texts("warn")[0]


def test_opening_a_foreign_file_keeps_the_current_database(window: MainWindow, dialogs: DialogRecorder,
                                                           tmp_path: Path) -> None:
    foreign = tmp_path / "other.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    current = window.ctx.db.path
    dialogs.answer("choose_open_file", foreign)
    window.open_database_file()
    assert window.ctx.db.path == current
    assert "not a PlaceDesk database" in dialogs.texts("warn")[0]


def test_opening_another_database_switches_and_is_remembered(window: MainWindow, dialogs: DialogRecorder,
                                                             tmp_path: Path) -> None:
    other = tmp_path / "second.sqlite"
    open_database(other).close()
    dialogs.answer("choose_open_file", other)
    window.open_database_file()
    assert window.ctx.db.path == other.resolve()
    assert other.name in window.windowTitle()
    last = load_settings().settings.last_database
    assert last == str(other.resolve())
    assert choose_database(None, last) == other.resolve()


def test_window_size_is_remembered(qtbot: QtBot, db: Database) -> None:
    first = build_main_window(db)
    qtbot.addWidget(first)
    first.show()
    first.resize(780, 640)  # the offscreen screen is 800 pixels wide
    first.close()
    second = build_main_window(db)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (780, 640)


def test_broken_settings_file_is_never_overwritten(qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    from placedesk.config import settings_path

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this is [not toml", encoding="utf-8")
    win = build_main_window(db)
    qtbot.addWidget(win)
    assert win.ctx.settings_problem
    other = db.path.with_name("other.sqlite")
    open_database(other).close()
    dialogs.answer("choose_open_file", other)
    win.open_database_file()
    win.close()
    assert path.read_text(encoding="utf-8") == "this is [not toml"


def test_settings_dialog_rejects_bad_intervals_then_saves(window: MainWindow, dialogs: DialogRecorder,
                                                          qtbot: QtBot) -> None:
    from placedesk.ui.settings_dialog import SettingsDialog

    def fill(dialog: SettingsDialog) -> bool:
        dialog.fields["name"].setText("Priya Shah")
        dialog.fields["high_days"].setText("400")
        dialog.accept()
        assert not dialog.result_settings
        # Beside the field it concerns, which keeps its red frame until it is changed.
        assert "high ≤ medium ≤ low" in dialog.error_text("high_days")
        dialog.fields["high_days"].clear()
        qtbot.keyClicks(dialog.fields["high_days"], "60")
        dialog.accept()
        return dialog.result_settings is not None

    dialogs.answer("run_modal", fill)
    window.edit_settings()
    assert window.ctx.settings.officer.name == "Priya Shah"
    assert load_settings().settings.monitoring.high_days == 60
    assert window.ctx.db.officer == "Priya Shah"


def test_a_shared_folder_is_browsed_checked_and_shown_in_the_status_bar_once_saved(
        window: MainWindow, dialogs: DialogRecorder, qtbot: QtBot, tmp_path: Path) -> None:
    from placedesk.ui.settings_dialog import SettingsDialog

    qtbot.waitUntil(lambda: window.sync is not None)
    assert "No shared folder" in window.sync.status_label.text()
    shared = tmp_path / "shared"

    def fill(dialog: SettingsDialog) -> bool:
        dialog.fields["name"].setText("Priya Shah")
        dialog.shared_folder.setText(str(shared))
        dialog.accept()
        assert "does not exist" in dialog.error_text("shared_folder")
        shared.mkdir()
        dialogs.answer("choose_directory", shared)
        qtbot.mouseClick(dialog.browse_button, Qt.LeftButton)
        assert dialog.shared_folder.text() == str(shared) and dialog.error_text("shared_folder") == ""
        dialog.accept()
        return dialog.result_settings is not None

    dialogs.answer("run_modal", fill)
    window.edit_settings()
    assert window.ctx.settings.shared_folder == str(shared)
    assert "No shared folder" not in window.sync.status_label.text()
    assert window.settings_label.text() == "Priya Shah"


def test_saved_settings_survive_a_restart(tmp_path: Path) -> None:
    settings = load_settings().settings
    settings.coming_up_days = 14
    save_settings(settings)
    assert load_settings().settings.coming_up_days == 14


def test_start_up_objects_are_frozen_once_the_window_is_ready(qtbot: QtBot, db: Database) -> None:
    win = build_main_window(db)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=20000):
        win.show()
        assert gc.get_freeze_count() == 0
    assert gc.get_freeze_count() > 0


def test_a_refusal_for_want_of_the_profile_opens_it_with_the_phone_field(
        qtbot: QtBot, window: MainWindow, dialogs: DialogRecorder) -> None:
    from placedesk.ui.settings_dialog import SettingsDialog

    seen: list[str] = []

    def fill(dialog: SettingsDialog) -> bool:
        seen.append(dialog.fields["phone"].accessibleName() or "phone")
        dialog.fields["name"].setText("Priya Shah")
        dialog.fields["local_authority"].setText("Northshire")
        dialog.fields["phone"].setText("01632 960 123")
        dialog.accept()
        return dialog.result_settings is not None

    dialogs.answer("run_modal", fill)
    window.ctx.profile_needed.emit(("officer name",))
    window.ctx.profile_needed.emit(("officer name",))  # a second notice while the first is pending opens it once
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert window.ctx.settings.officer.phone == "01632 960 123"
    assert load_settings().settings.officer.local_authority == "Northshire"
    assert "Audit &log…" in [a.text() for a in window.file_menu.actions()]


def test_ctrl_n_starts_a_referral_and_f5_refreshes_every_screen(window: MainWindow, qtbot: QtBot) -> None:
    notices: list[frozenset[str]] = []
    window.ctx.changed.connect(notices.append)
    qtbot.keyClick(window, Qt.Key_F5)
    assert notices and "all" in notices[-1]
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    referrals = window.tab("referrals")
    assert referrals.wizards and referrals.wizards[-1].windowTitle() == "New referral"  # type: ignore[attr-defined]
    referrals.wizards[-1].close()  # type: ignore[attr-defined]
    qtbot.keyClick(window, Qt.Key_3, Qt.AltModifier)
    assert window.tabs.currentWidget() is window._lazy["referrals"]
