"""The window on the team server: connecting from the File menu, back to the laptop, file-only actions explained,
and starting on the server (or offline on the laptop when it cannot be reached)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from placedesk.config import TeamServerSettings, load_settings, save_settings, settings_path
from placedesk.db import Database
from placedesk.services.common.team_server import KEYRING_SERVICE, keyring_account
from placedesk.ui.app import build_main_window, server_to_start_on
from placedesk.ui.dialogs import ServerPassword
from placedesk.ui.main_window import MainWindow
from tests.conftest import DialogRecorder
from tests.team_server_helpers import PASSWORD, new_login, tcp_address


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> MainWindow:
    win = build_main_window(db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready)
    return win


def _menu(window: MainWindow) -> dict[str, Any]:
    return {a.text().replace("&", ""): a for a in window.file_menu.actions() if a.text()}


def test_on_the_laptop_file_every_file_action_works_and_the_server_is_offered(window: MainWindow) -> None:
    menu = _menu(window)
    for name in ("Back up database…", "Open database…", "New database…", "Restore from a backup…",
                 "Connect to team server…"):
        assert menu[name].isEnabled(), name
    assert not menu["Back to the laptop database"].isEnabled()
    assert menu["Back to the laptop database"].toolTip() == "This window is on the laptop database already"
    assert window.windowTitle() == f"PlaceDesk — {window.ctx.db.path.name}"


def test_connecting_with_no_server_set_opens_the_settings_to_set_one(window: MainWindow,
                                                                    dialogs: DialogRecorder) -> None:
    window.connect_team_server()
    assert "Set the team server's address first" in dialogs.texts("inform")[0]
    assert [name for name, _ in dialogs.calls].count("run_modal") == 1
    assert not window.ctx.db.is_server


def test_the_team_server_is_started_on_only_when_set_and_a_db_argument_wins() -> None:
    from placedesk.config import Settings

    settings = Settings()
    assert server_to_start_on(None, settings) is None
    settings.team_server = TeamServerSettings(host="db", database="team", login="akhan", use=True)
    assert server_to_start_on(None, settings) is settings.team_server
    assert server_to_start_on("laptop.sqlite", settings) is None
    assert server_to_start_on("postgresql+psycopg://akhan@db/team", settings) == "postgresql+psycopg://akhan@db/team"
    settings.team_server.use = False
    assert server_to_start_on(None, settings) is None


# --- on a real server ------------------------------------------------------------------------------


@pytest.fixture
def team_server(pg_server: Any, pg_database_url: str, placedesk_home: Path) -> TeamServerSettings:
    """The saved settings of an officer whose login (password ``PASSWORD``) may use a PlaceDesk database."""
    from sqlalchemy.engine import make_url

    database = str(make_url(pg_database_url).database)
    host, port = tcp_address(pg_server)
    server = TeamServerSettings(host=host, port=port, database=database,
                                login=new_login(pg_server, grant_in=database))
    settings = load_settings().settings
    settings.team_server = server
    save_settings(settings)
    return server


def test_connecting_from_the_menu_puts_the_window_on_the_server_and_back(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, team_server: TeamServerSettings, keystore: Any) -> None:
    from placedesk.ui.db_lock import lock_database, lock_path

    win = build_main_window(db)
    qtbot.addWidget(win)
    win.ctx.lock = lock_database(db.path)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready)
    dialogs.answer("ask_server_password", ServerPassword(PASSWORD, True))
    win.connect_team_server()
    qtbot.waitUntil(lambda: win.ctx.db.is_server, timeout=15000)
    where = f"{team_server.host}/{team_server.database} as {team_server.login}"
    assert win.windowTitle() == f"PlaceDesk — Team server: {where}"
    assert win.db_label.text() == f"Team server: {where}"
    assert PASSWORD not in win.windowTitle() + win.db_label.text()
    # The file is free for another window now; the server needs no lock.
    assert win.ctx.lock is None and not lock_path(db.path.resolve()).exists()
    menu = _menu(win)
    for name, says in (("Back up database…", "pg_dump"), ("Restore from a backup…", "pg_dump"),
                       ("Open database…", "Back to the laptop database"),
                       ("New database…", "Back to the laptop database")):
        assert not menu[name].isEnabled() and says in menu[name].toolTip(), name
    assert menu["Back to the laptop database"].isEnabled() and not menu["Connect to team server…"].isEnabled()
    saved = load_settings().settings.team_server
    assert saved.use and PASSWORD not in settings_path().read_text()
    assert keystore.store[(KEYRING_SERVICE, keyring_account(team_server))] == PASSWORD
    # Every tab opens on the server database.
    for key in ("coming_up", "children", "referrals", "providers", "placements", "monitoring", "sync"):
        win.show_tab(key)
    win.backup()
    assert "pg_dump" in dialogs.texts("inform")[-1]
    from placedesk.ui.settings_dialog import SettingsDialog

    settings_dialog = SettingsDialog(win.ctx.settings, win, ctx=win.ctx)
    assert not settings_dialog.encrypt_button.isEnabled() and "pg_dump" in settings_dialog.encryption.text()

    settings = load_settings().settings
    settings.last_database = str(db.path)
    win.ctx.settings.last_database = str(db.path)
    win.back_to_laptop()
    assert not win.ctx.db.is_server and win.ctx.db.path == db.path.resolve()
    assert win.windowTitle() == f"PlaceDesk — {db.path.name}"
    assert not load_settings().settings.team_server.use
    assert _menu(win)["Back up database…"].isEnabled()
    win.close()


def test_a_window_on_the_server_neither_picks_up_nor_sends_bundles_by_itself(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, team_server: TeamServerSettings, keystore: Any,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.services.sync import outbox
    from placedesk.ui.sync import sync_actions

    exchanges: list[str] = []
    monkeypatch.setattr(outbox, "sync_with_share", lambda *a, **k: exchanges.append("sync") or None)
    win = build_main_window(db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready)
    dialogs.answer("ask_server_password", ServerPassword(PASSWORD, False))
    win.connect_team_server()
    qtbot.waitUntil(lambda: win.ctx.db.is_server, timeout=15000)
    shared = tmp_path / "shared"
    shared.mkdir()
    win.ctx.settings.shared_folder = str(shared)
    # The timer's quiet pick-up and the window closing leave the shared folder alone on the server.
    sync_actions.send_and_receive(win, win.ctx, quiet=True)
    assert sync_actions.deliver_on_close(win.ctx) is None
    assert exchanges == [] and list(shared.iterdir()) == []
    win.close()


def test_starting_on_the_server_uses_the_keystore_and_asks_nothing(
        qtbot: QtBot, dialogs: DialogRecorder, team_server: TeamServerSettings, keystore: Any) -> None:
    from placedesk.ui.app import open_server_for_gui

    keystore.store[(KEYRING_SERVICE, keyring_account(team_server))] = PASSWORD
    db, problem = open_server_for_gui(team_server)
    assert db is not None and db.is_server and problem == ""
    db.close()
    assert dialogs.texts("ask_server_password") == []


def test_a_server_out_of_reach_at_start_offers_the_laptop_database(
        qtbot: QtBot, dialogs: DialogRecorder, team_server: TeamServerSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from placedesk.ui import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    settings = load_settings().settings
    settings.team_server.port, settings.team_server.use = closed, True
    save_settings(settings)
    dialogs.answer("choose", True)
    started: list[Database] = []
    monkeypatch.setattr(app, "build_main_window", lambda db, *a, **k: started.append(db) or _NoWindow())
    monkeypatch.setattr(app.QApplication, "exec", lambda self: 0)
    assert app.run_gui(None) == 0
    assert "could not reach the team server" in dialogs.texts("choose")[0]
    assert started and not started[0].is_server
    started[0].close()


class _NoWindow:
    """Stands in for the main window when only the start-up choice is under test."""

    class _Ctx:
        lock = None

    ctx = _Ctx()

    def statusBar(self) -> Any:  # noqa: N802 - Qt's name
        return type("Bar", (), {"showMessage": lambda *a: None})()

    def show(self) -> None:
        return None
