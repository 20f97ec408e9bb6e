"""Encryption from the window: a new database, "Encrypt this database", and the passphrase at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.config import OfficerSettings, Settings, save_settings
from placedesk.db import Database, encrypt_database, open_database
from placedesk.dbkey import new_passphrase_key
from placedesk.models import Provider
from placedesk.ui.app import build_main_window, open_for_gui
from placedesk.ui.main_window import MainWindow
from placedesk.ui.settings_dialog import SettingsDialog
from tests.conftest import DialogRecorder
from tests.services.referrals.helpers import make_provider

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> MainWindow:
    save_settings(Settings(officer=OfficerSettings(name="Test Officer")))
    win = build_main_window(db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready)
    return win


def test_encrypt_this_database_from_settings_keeps_the_records(
        qtbot: QtBot, window: MainWindow, dialogs: DialogRecorder, keystore: Any) -> None:
    with window.ctx.action() as s:
        make_provider(s, "Oak House")
    path = window.ctx.db.path
    opened: list[SettingsDialog] = []

    def press_encrypt(dialog: SettingsDialog) -> bool:
        opened.append(dialog)
        assert "Not encrypted" in dialog.encryption.text()
        qtbot.mouseClick(dialog.encrypt_button, Qt.LeftButton)
        assert "Encrypted with SQLCipher" in dialog.encryption.text()
        assert not dialog.encrypt_button.isEnabled()
        return False

    dialogs.answer("run_modal", press_encrypt)
    dialogs.answer("confirm", True)
    window.edit_settings()
    assert opened and window.ctx.db.encrypted and len(keystore.store) == 1
    assert not path.read_bytes().startswith(b"SQLite format 3")
    with window.ctx.read() as s:
        assert s.query(Provider).one().name == "Oak House"
    assert "now encrypted" in dialogs.texts("inform")[-1]


def test_a_new_database_can_be_encrypted_with_a_passphrase_where_there_is_no_keystore(
        qtbot: QtBot, window: MainWindow, dialogs: DialogRecorder, no_keystore: None, tmp_path: Path) -> None:
    target = tmp_path / "real.sqlite"
    dialogs.answer("choose_save_file", target)
    dialogs.answer("choose", True)
    dialogs.answer("ask_passphrase", PASSPHRASE, PASSPHRASE)
    window.new_database()
    assert window.ctx.db.path == target.resolve() and window.ctx.db.encrypted
    assert not target.read_bytes().startswith(b"SQLite format 3")


def test_start_up_asks_for_the_passphrase_until_it_opens(dialogs: DialogRecorder, no_keystore: None,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "real.sqlite"
    open_database(path).close()
    encrypt_database(path, new_passphrase_key(PASSPHRASE))
    dialogs.answer("ask_passphrase", "not the passphrase", PASSPHRASE)
    opened = open_for_gui(path)
    assert opened is not None
    db, lock = opened
    assert db.encrypted
    db.close()
    lock.unlock()
    assert len(dialogs.texts("ask_passphrase")) == 2
    assert "passphrase is wrong" in dialogs.texts("ask_passphrase")[1]


def test_the_first_start_offers_to_encrypt_the_new_database(dialogs: DialogRecorder, keystore: Any,
                                                            tmp_path: Path) -> None:
    dialogs.answer("choose", True)
    opened = open_for_gui(tmp_path / "first.sqlite")
    assert opened is not None
    db, lock = opened
    assert db.created and db.encrypted
    db.close()
    lock.unlock()
    assert "Encrypt it?" in dialogs.texts("choose")[0]
    # Declined: a plain database, as before.
    opened = open_for_gui(tmp_path / "second.sqlite")
    assert opened is not None
    db, lock = opened
    assert not db.encrypted
    db.close()
    lock.unlock()
