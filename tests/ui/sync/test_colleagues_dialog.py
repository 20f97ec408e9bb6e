"""File › Colleagues…, and the passphrase asked once per session, driven as an officer would."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.models.base import utcnow
from placedesk.services.sync.bundle_signing import spoken_fingerprint
from placedesk.services.sync.colleagues import export_own_certificate, load_trust
from placedesk.ui.context import AppContext
from placedesk.ui.sync import colleagues_dialog
from placedesk.ui.sync.colleagues_dialog import ColleaguesDialog, session_signer
from tests.conftest import DialogRecorder
from tests.services.sync.helpers import PASSPHRASE, install_identity, signer_for


@pytest.fixture
def ctx(db: Database) -> AppContext:
    settings = Settings()
    settings.laptop_id = "LAPA"
    settings.officer.name = "Officer A"
    return AppContext(db, settings)


def _colleague_file(tmp_path: Path, name: str, laptop: str) -> Path:
    return export_own_certificate(tmp_path / f"{laptop}.pem", laptop_id=laptop,
                                  certificate_pem=signer_for(name).certificate_pem())


def test_adding_a_colleague_shows_the_fingerprint_first_and_remove_revokes(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder, tmp_path: Path) -> None:
    dialog = ColleaguesDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 0 and not dialog.remove_button.isEnabled()
    assert dialog.list.accessibleName() == "Trusted colleagues"
    certificate = _colleague_file(tmp_path, "Officer B", "LAPB")
    dialogs.answer("choose_open_file", certificate, certificate)
    dialogs.answer("confirm", False, True)  # the first time the officer does not confirm
    qtbot.mouseClick(dialog.add_button, colleagues_dialog.Qt.LeftButton)
    assert dialog.list.count() == 0
    fingerprint = spoken_fingerprint(signer_for("Officer B").fingerprint)
    assert fingerprint in dialogs.texts("confirm")[0] and "laptop LAPB" in dialogs.texts("confirm")[0]
    qtbot.mouseClick(dialog.add_button, colleagues_dialog.Qt.LeftButton)
    assert dialog.list.count() == 1
    assert "Officer B (colleague)" in dialog.list.item(0).text() and fingerprint in dialog.list.item(0).text()
    assert load_trust().laptops == {"LAPB": signer_for("Officer B").fingerprint}
    dialog.list.setCurrentRow(0)
    dialogs.answer("confirm", True)
    qtbot.mouseClick(dialog.remove_button, colleagues_dialog.Qt.LeftButton)
    assert dialog.list.count() == 0 and load_trust().colleagues == []


def test_exporting_my_certificate_writes_it_with_my_laptop(qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder,
                                                           tmp_path: Path) -> None:
    mine = install_identity("Officer A")
    dialog = ColleaguesDialog(ctx)
    qtbot.addWidget(dialog)
    dialogs.answer("choose_save_file", tmp_path / "mine.pem")
    qtbot.mouseClick(dialog.export_button, colleagues_dialog.Qt.LeftButton)
    text = (tmp_path / "mine.pem").read_text()
    assert "Laptop: LAPA" in text and "BEGIN CERTIFICATE" in text
    assert "Wrote" in dialogs.texts("inform")[-1]
    assert spoken_fingerprint(mine.fingerprint) in dialogs.texts("inform")[-1]


def test_the_passphrase_is_asked_once_per_session_and_never_by_the_automatic_sync(
        ctx: AppContext, dialogs: DialogRecorder, memory_keyring: object) -> None:
    install_identity("Officer A", remember=False)
    assert session_signer(None, ctx, ask=False) is None  # the automatic sync gets nothing and asks nothing
    assert dialogs.texts("ask_passphrase") == []
    dialogs.answer("ask_passphrase", PASSPHRASE)
    dialogs.answer("choose", False)  # do not keep it in the keystore
    signer = session_signer(None, ctx, ask=True)
    assert signer is not None and signer.name == "Officer A"
    assert session_signer(None, ctx, ask=False) is signer and session_signer(None, ctx, ask=True) is signer
    assert len(dialogs.texts("ask_passphrase")) == 1
    assert memory_keyring.store == {}  # type: ignore[attr-defined]


def test_a_kept_passphrase_signs_without_asking(ctx: AppContext, dialogs: DialogRecorder) -> None:
    installed = install_identity("Officer A", remember=True)
    signer = session_signer(None, ctx, ask=False)
    assert signer is not None and signer.fingerprint == installed.fingerprint
    assert dialogs.texts("ask_passphrase") == []


def test_a_wrong_passphrase_is_said_so_and_nothing_is_kept(ctx: AppContext, dialogs: DialogRecorder) -> None:
    install_identity("Officer A", remember=False)
    dialogs.answer("ask_passphrase", "not the passphrase")
    assert session_signer(None, ctx, ask=True) is None
    assert "passphrase does not open" in dialogs.texts("warn")[-1]
    assert session_signer(None, ctx, ask=False) is None


def test_the_dialog_fits_the_screen(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    from placedesk.services.sync.colleagues import add_colleague

    for name, laptop in (("Officer B", "LAPB"), ("Officer C", "LAPC")):
        add_colleague(_colleague_file(tmp_path, name, laptop), now=utcnow())
    dialog = ColleaguesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() <= 1280 and dialog.height() <= 680
    dialog.grab().save(str(tmp_path / "colleagues.png"))
    assert dialog.list.count() == 2
