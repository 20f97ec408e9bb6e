"""Settings › Team server: the address typed or pasted, Test connection in the officer's words, no password saved."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.config import Settings, load_settings, save_settings, settings_path
from placedesk.dbkey import keystore_available
from placedesk.services.common.team_server import KEYRING_SERVICE
from placedesk.ui.dialogs import ServerPassword, ServerPasswordDialog
from placedesk.ui.settings_dialog import SettingsDialog
from placedesk.ui.team_server import STALE_KEYSTORE
from tests.conftest import DialogRecorder
from tests.team_server_helpers import new_login, tcp_address


def _dialog(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    settings = settings or Settings()
    settings.officer.name = "Casey Officer"
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    return dialog


def _fill(dialog: SettingsDialog, **fields: str) -> None:
    for key, value in fields.items():
        dialog.team_fields[f"team_{key}"].setText(value)


def test_a_pasted_address_fills_the_fields_and_is_saved_without_any_password(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.team_url.setText("postgresql+psycopg://akhan@placedesk-db.northshire.gov.uk:5433/team"
                            "?sslmode=verify-full&sslrootcert=/etc/council-ca.pem")
    dialog.team_url.editingFinished.emit()
    assert [dialog.team_fields[k].text() for k in ("team_host", "team_port", "team_database", "team_login")] == [
        "placedesk-db.northshire.gov.uk", "5433", "team", "akhan"]
    assert dialog.team_url.text() == ""
    dialog.use_team_server.setChecked(True)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = dialog.result_settings
    assert saved is not None
    save_settings(saved)
    back = load_settings().settings.team_server
    assert (back.host, back.port, back.database, back.login, back.use) == (
        "placedesk-db.northshire.gov.uk", 5433, "team", "akhan", True)
    assert back.options == "sslmode=verify-full&sslrootcert=%2Fetc%2Fcouncil-ca.pem"
    assert "password" not in settings_path().read_text()


def test_a_password_in_a_pasted_address_and_bad_fields_are_shown_beside_them(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.team_url.setText("postgresql+psycopg://akhan:hunter2@db/team")
    dialog.team_url.editingFinished.emit()
    assert "Take the password out" in dialog.error_text("team_url")
    assert dialog.team_fields["team_host"].text() == ""
    _fill(dialog, host="db", port="not-a-port", login="", options="password=hunter2")
    dialog.accept()
    assert dialog.result_settings is None
    assert "whole number from 1 to 65535" in dialog.error_text("team_port")
    assert "your own login" in dialog.error_text("team_login")
    assert "never stores a password" in dialog.error_text("team_options")


def test_starting_on_the_team_server_needs_its_address(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.use_team_server.setChecked(True)
    dialog.accept()
    assert "address before choosing to start" in dialog.error_text("team_host")


def test_the_connect_dialog_names_the_server_and_offers_the_keystore(qtbot: QtBot) -> None:
    dialog = ServerPasswordDialog("db/team as akhan", "The password is wrong.", can_remember=True)
    qtbot.addWidget(dialog)
    assert "db/team as akhan" in dialog.findChildren(type(dialog.reason))[0].text()
    assert dialog.reason.text() == "The password is wrong." and not dialog.reason.isHidden()
    qtbot.keyClicks(dialog.password, "s3cret")
    dialog.remember.setChecked(True)
    assert dialog.answer() == ServerPassword("s3cret", True)
    without = ServerPasswordDialog("db/team as akhan", can_remember=False)
    qtbot.addWidget(without)
    assert not without.remember.isEnabled() and "no keystore" in without.remember.toolTip()


# --- Test connection against a real server -----------------------------------------------------


@pytest.fixture
def officer(pg_server: Any, pg_database_url: str) -> dict[str, str]:
    """An officer login on a PlaceDesk database, with a role that reads the team's tables."""
    from sqlalchemy.engine import make_url

    database = str(make_url(pg_database_url).database)
    host, port = tcp_address(pg_server)
    return {"host": host, "port": str(port), "database": database, "login": new_login(pg_server, grant_in=database)}


def _test(qtbot: QtBot, dialog: SettingsDialog) -> str:
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    return dialog.test_result.text()


def test_test_connection_asks_for_the_password_keeps_it_when_asked_then_asks_no_more(
        qtbot: QtBot, dialogs: DialogRecorder, officer: dict[str, str], keystore: Any) -> None:
    dialog = _dialog(qtbot)
    _fill(dialog, **officer)
    dialogs.answer("ask_server_password", ServerPassword("wrong-password", False),
                   ServerPassword("right-password", True))
    said = _test(qtbot, dialog)
    assert said.startswith(f"Connected to {officer['host']}/{officer['database']} as {officer['login']}: a PlaceDesk "
                           "database on PostgreSQL")
    first, second = dialogs.texts("ask_server_password")
    assert first == f"{officer['host']}/{officer['database']} as {officer['login']}  {keystore_available()}"
    assert "the password is wrong" in second
    account = f"{officer['login']}@{officer['host']}/{officer['database']}"
    assert keystore.store == {(KEYRING_SERVICE, account): "right-password"}
    assert _test(qtbot, dialog).startswith("Connected to")
    assert len(dialogs.texts("ask_server_password")) == 2


def test_a_keystore_password_the_server_now_refuses_is_removed_and_asked_for(
        qtbot: QtBot, dialogs: DialogRecorder, officer: dict[str, str], keystore: Any) -> None:
    account = f"{officer['login']}@{officer['host']}/{officer['database']}"
    keystore.store[(KEYRING_SERVICE, account)] = "old-password"
    dialog = _dialog(qtbot)
    _fill(dialog, **officer)
    said = _test(qtbot, dialog)
    assert said == "Not tested: no password was given."
    assert STALE_KEYSTORE in dialogs.texts("ask_server_password")[0]
    assert keystore.store == {}


def test_test_connection_says_what_is_wrong(qtbot: QtBot, dialogs: DialogRecorder, pg_server: Any,
                                            officer: dict[str, str]) -> None:
    dialog = _dialog(qtbot)
    _fill(dialog, **{**officer, "database": "nowhere"})
    dialogs.always("ask_server_password", ServerPassword("right-password", False))
    assert "no database called nowhere" in _test(qtbot, dialog)
    lonely = new_login(pg_server, prefix="lonely")
    _fill(dialog, database=officer["database"], login=lonely)
    assert "no PlaceDesk role" in _test(qtbot, dialog)
    _fill(dialog, port=str(_closed_port()))
    assert "could not reach the team server" in _test(qtbot, dialog)
    dialog.team_fields["team_host"].clear()
    dialog.team_fields["team_login"].clear()
    assert _test(qtbot, dialog).startswith("Fill in the team server's host")


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_test_button_is_reachable_by_keyboard(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.test_button.focusPolicy() & Qt.TabFocus
    assert dialog.test_result.accessibleName() == "Test connection result"


def test_when_libpq_logs_in_by_itself_nothing_is_asked_or_kept(
        qtbot: QtBot, dialogs: DialogRecorder, officer: dict[str, str], keystore: Any, tmp_path: Any) -> None:
    # Single sign-on and libpq's password file take the same road: the server accepts the first,
    # password-less attempt, so PlaceDesk asks nothing and keeps nothing.
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{officer['host']}:{officer['port']}:{officer['database']}:{officer['login']}:"
                        "right-password\n")
    passfile.chmod(0o600)
    dialog = _dialog(qtbot)
    _fill(dialog, **officer, options=f"passfile={passfile}")
    assert _test(qtbot, dialog).startswith("Connected to")
    assert dialogs.texts("ask_server_password") == [] and keystore.store == {}
