"""The Send page: a minimised pack per provider, made in the background, saved, and the sent date recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from io import BytesIO

from PySide6.QtCore import Qt
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models import Referral, ReferralRecipient
from placedesk.models.enums import ReferralStatus
from placedesk.services.common.parsing import format_date
from placedesk.services.referrals.intake import pack_for
from placedesk.ui.referrals.wizard.referral_wizard import OFFERS, SEND, ReferralWizard
from tests.conftest import DialogRecorder
from tests.services.referrals.helpers import make_child, make_provider, make_referral
from tests.ui.referrals.wizard.conftest import TODAY, click_cell, press_next, type_into

WizardFactory = Callable[..., ReferralWizard]


def _chosen(db: Database) -> object:
    with db.session_scope() as s:
        child = make_child(s, first_name="Zainab", last_name="Haddad", case_reference="LAC-5150")
        referral = make_referral(s, child=child, wizard_step=3, referred_on=TODAY, required_start_date=TODAY)
        for name in ("Oak House", "Birch Lodge"):
            referral.recipients.append(ReferralRecipient(provider=make_provider(s, name), match_score=50.0))
        s.flush()
        return referral.id


def test_packs_are_made_saved_and_hold_no_name_or_case_reference(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory, tmp_path: Path) -> None:
    wizard = open_wizard(db, _chosen(db))
    assert wizard.currentId() == SEND
    page = wizard.pages[SEND]
    # The packs are made as the page opens, while the officer reads it.
    assert [row.values[2] for row in page.recipients.rows()] == ["being made", "being made"]
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert "Make the packs" in page.page_error.text()
    assert "being made" in page.pack_view.placeholder.text()
    qtbot.waitUntil(lambda: len(page.packs) == 2, timeout=20000)
    assert [row.values[2] for row in page.recipients.rows()] == ["ready to check", "ready to check"]
    assert f"ready for {format_date(TODAY)}" in page.status.text()
    # The first provider's pack is shown beside the list; choosing another shows theirs.
    first, second = (page.recipients.key(row) for row in range(2))
    assert page.pack_view.pdf == page.packs[first].pdf and page.pack_view.page_count >= 1
    click_cell(qtbot, page.view, 1, 0)
    assert page.pack_view.pdf == page.packs[second].pdf
    click_cell(qtbot, page.view, 1, 0)
    target = tmp_path / "out" / "pack.pdf"
    target.parent.mkdir()
    dialogs.answer("choose_save_file", target)
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"Haddad" not in data and b"LAC-5150" not in data
    assert "Saved pack.pdf" in page.status.text()
    assert dialogs.texts("choose_save_file")[0].startswith("Save referral pack referral-pack-")


def test_a_future_sent_date_is_refused_then_recording_sends_the_referral(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory) -> None:
    referral_id = _chosen(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[SEND]
    assert page.sent_on.text() == format_date(TODAY)
    type_into(qtbot, page.sent_on, format_date(TODAY + dt.timedelta(days=2)))
    press_next(qtbot, wizard)
    assert wizard.currentId() == SEND
    assert "cannot be in the future" in page.error_text("sent_on")
    type_into(qtbot, page.sent_on, format_date(TODAY))
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == OFFERS, timeout=20000)
    with db.session() as s:
        referral = s.get(Referral, referral_id)
        assert referral.status is ReferralStatus.SENT
        assert all(r.sent_on == TODAY and len(r.pack_sha256) == 64 for r in referral.recipients)


def test_the_packs_checked_are_the_packs_kept_and_a_new_date_makes_them_again(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    referral_id = _chosen(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[SEND]
    qtbot.waitUntil(lambda: page.packs_date == TODAY, timeout=20000)
    yesterday = TODAY - dt.timedelta(days=1)
    type_into(qtbot, page.sent_on, format_date(yesterday))
    qtbot.keyClick(page.sent_on, Qt.Key_Tab)  # leaving the field finishes the edit
    qtbot.waitUntil(lambda: page.packs_date == yesterday and len(page.packs) == 2, timeout=20000)
    checked = {pid: hashlib.sha256(pack.pdf).hexdigest() for pid, pack in page.packs.items()}
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == OFFERS, timeout=20000)
    with db.session() as s:
        referral = s.get(Referral, referral_id)
        assert {r.provider_id: r.pack_sha256 for r in referral.recipients} == checked
        assert all(r.sent_on == yesterday for r in referral.recipients)


def _with_free_text(db: Database) -> object:
    with db.session_scope() as s:
        child = make_child(s, first_name="Zoë", last_name="O'Brien-Mhaille", case_reference="DM166215",
                           date_of_birth=dt.date(2014, 2, 17))
        referral = make_referral(s, child=child, wizard_step=3, referred_on=TODAY, required_start_date=TODAY,
                                 needs_summary="Zoe O'Brien-Mhaille (Zoë) needs a calm home.",
                                 health_summary="Asthma; case DM 166215, born 17.02.2014.")
        referral.recipients.append(ReferralRecipient(provider=make_provider(s, "Oak House"), match_score=50.0))
        s.flush()
        return referral.id


def test_the_send_page_shows_what_was_removed_highlighted_and_sends_the_officers_edit(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    referral_id = _with_free_text(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[SEND]
    panel = page.removed
    assert "5 identifying details removed" in panel.summary.text()
    assert panel.field.currentText() == "Needs summary (3 removed)"
    assert panel.editor.toPlainText() == "[name removed] [name removed] ([name removed]) needs a calm home."
    highlighted = [sel.cursor.selectedText() for sel in panel.editor.extraSelections()]
    assert highlighted == ["[name removed]"] * 3
    assert "“Zoe” → [name removed]" in panel.removed.text()
    panel.field.setCurrentIndex(panel.field.findData("health_summary"))
    assert "[case reference removed]" in panel.editor.toPlainText()
    assert "[date of birth removed]" in panel.editor.toPlainText()
    # The officer rewrites the needs summary, typing the name again by mistake: it is still removed.
    panel.field.setCurrentIndex(panel.field.findData("needs_summary"))
    panel.editor.selectAll()
    qtbot.keyClicks(panel.editor, "A calm home for Zoe, near her school.")
    assert panel.save_button.isEnabled()
    qtbot.waitUntil(lambda: len(page.packs) == 1, timeout=20000)
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == OFFERS, timeout=20000)
    with db.session() as s:
        referral = s.get(Referral, referral_id)
        assert referral.needs_summary == "A calm home for Zoe, near her school."
        (recipient,) = referral.recipients
        assert recipient.sent_on == TODAY
        document = pack_for(s, recipient)
        text = " ".join(p.extract_text() for p in PdfReader(BytesIO(document.content)).pages)
    assert "A calm home for [name removed], near her school." in " ".join(text.split())
    assert "Zoe" not in text and "166215" not in text


def test_a_saved_pack_is_audited(qtbot: QtBot, db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory,
                                 tmp_path: Path) -> None:
    from placedesk.models import AuditEvent
    from placedesk.models.enums import AuditAction

    wizard = open_wizard(db, _chosen(db))
    page = wizard.pages[SEND]
    qtbot.waitUntil(lambda: len(page.packs) == 2, timeout=20000)
    dialogs.answer("choose_save_file", tmp_path / "pack.pdf")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    with db.session() as s:
        (event,) = s.query(AuditEvent).filter(AuditEvent.action == AuditAction.EXPORT).all()
    assert event.officer == "Test Officer" and event.entity == "referral"
    assert event.changes["to"] == str((tmp_path / "pack.pdf").resolve()) and event.changes["pseudonymised"] is True


def test_saving_an_edit_keeps_it_and_makes_the_packs_again(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    referral_id = _with_free_text(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[SEND]
    qtbot.waitUntil(lambda: len(page.packs) == 1, timeout=20000)
    before = next(iter(page.packs.values())).pdf
    panel = page.removed
    panel.editor.selectAll()
    qtbot.keyClicks(panel.editor, "Needs a calm, quiet home.")
    qtbot.mouseClick(panel.save_button, Qt.LeftButton)
    with db.session() as s:
        assert s.get(Referral, referral_id).needs_summary == "Needs a calm, quiet home."
    assert "2 identifying details removed" in panel.summary.text()  # the health summary's, still shown
    assert not panel.save_button.isEnabled()
    qtbot.waitUntil(lambda: len(page.packs) == 1 and next(iter(page.packs.values())).pdf != before, timeout=20000)


def test_record_as_sent_names_its_consequence_and_cancel_sends_nothing(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory) -> None:
    referral_id = _chosen(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[SEND]
    qtbot.waitUntil(lambda: len(page.packs) == 2, timeout=20000)
    dialogs.answer("confirm", False)
    press_next(qtbot, wizard)
    question = dialogs.texts("confirm")[-1]
    assert "cannot be undone" in question and "2 providers" in question and "Record as sent" in question
    assert "Oak House" in question and "Birch Lodge" in question
    assert wizard.currentId() == SEND
    with db.session() as s:
        assert s.get(Referral, referral_id).status is not ReferralStatus.SENT
