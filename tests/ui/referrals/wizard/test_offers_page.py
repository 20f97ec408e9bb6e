"""The Offers page: each response recorded as it comes, wrong entries refused, offers compared side by side."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models import Referral
from placedesk.models.enums import DeclineReason, RecipientResponse, ReferralStatus
from placedesk.services.common.parsing import format_date
from placedesk.ui.referrals.wizard.referral_wizard import AWARD, OFFERS, ReferralWizard
from tests.services.referrals.helpers import TODAY, referral_at
from tests.ui.referrals.wizard.conftest import click_cell, pick, press_next, type_into

WizardFactory = Callable[..., ReferralWizard]


def _sent(db: Database) -> object:
    with db.session_scope() as s:
        return referral_at(s, ReferralStatus.SENT).id


def test_next_is_refused_until_an_offer_is_recorded(qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _sent(db), today=TODAY)
    assert wizard.currentId() == OFFERS
    press_next(qtbot, wizard)
    assert wizard.currentId() == OFFERS
    assert "no open offer to award" in wizard.pages[OFFERS].page_error.text()
    assert "1 still to answer" in wizard.pages[OFFERS].page_error.text()


def test_a_decline_for_other_needs_notes_and_is_then_recorded(qtbot: QtBot, db: Database,
                                                               open_wizard: WizardFactory) -> None:
    referral_id = _sent(db)
    wizard = open_wizard(db, referral_id, today=TODAY)
    page = wizard.pages[OFFERS]
    click_cell(qtbot, page.recipient_view, 0)
    pick(page.kind, "decline")
    qtbot.mouseClick(page.record_button, Qt.LeftButton)
    assert "why the provider declined" in page.error_text("decline_reason")
    pick(page.decline_reason, DeclineReason.OTHER)
    qtbot.mouseClick(page.record_button, Qt.LeftButton)
    assert "Say why" in page.error_text("decline_notes")
    qtbot.keyClicks(page.decline_notes, "Registered manager post vacant")
    qtbot.mouseClick(page.record_button, Qt.LeftButton)
    assert page.recipients.rows()[0].values[1] == RecipientResponse.DECLINED.label
    with db.session() as s:
        (recipient,) = s.get(Referral, referral_id).recipients
        assert recipient.decline_reason is DeclineReason.OTHER
        assert recipient.decline_notes == "Registered manager post vacant"


def test_an_offer_needs_a_start_date_then_it_is_compared_and_award_opens(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    referral_id = _sent(db)
    wizard = open_wizard(db, referral_id, today=TODAY)
    page = wizard.pages[OFFERS]
    click_cell(qtbot, page.recipient_view, 0)
    type_into(qtbot, page.fee_lines.amount_edit(0), "3,999.99")
    type_into(qtbot, page.expires_on, format_date(TODAY))
    qtbot.mouseClick(page.record_button, Qt.LeftButton)
    assert "start date" in page.error_text("proposed_start")
    type_into(qtbot, page.proposed_start, format_date(TODAY))
    qtbot.mouseClick(page.record_button, Qt.LeftButton)
    assert page.error_text("proposed_start") == ""
    assert page.recipients.rows()[0].values[1:3] == [RecipientResponse.OFFERED.label, "£3,999.99"]
    qtbot.waitUntil(lambda: page.comparison.rowCount() > 5 and page.comparison.item(0, 0) is not None
                    and page.comparison.item(0, 0).text() == "£3,999.99")
    labels = [page.comparison.verticalHeaderItem(r).text() for r in range(page.comparison.rowCount())]
    assert labels[:2] == ["Weekly total", "Annual cost (52 weeks)"]
    assert page.comparison.item(1, 0).text() == "£207,999.48"
    assert "Social care pays" in labels and "Ofsted" in labels and "Open CAPs" in labels
    press_next(qtbot, wizard)
    assert wizard.currentId() == AWARD
    with db.session() as s:
        assert s.get(Referral, referral_id).status is ReferralStatus.OFFERS_RECEIVED


def test_the_offer_records_how_the_provider_will_meet_each_need(qtbot: QtBot, db: Database,
                                                                open_wizard: WizardFactory) -> None:
    from placedesk.models import Offer
    from sqlalchemy import select

    referral_id = _sent(db)
    wizard = open_wizard(db, referral_id, today=TODAY)
    page = wizard.pages[OFFERS]
    click_cell(qtbot, page.recipient_view, 0)
    # The referral's need and risk, one row each, in the referral's words.
    assert [page.needs_met.item(r, 0).text() for r in range(page.needs_met.rowCount())] == [
        "Emotional and behavioural", "Going missing"]
    assert page.needs_met.accessibleName() == "How needs are met"
    page.needs_met.item(1, 1).setText("Missing-from-care protocol; waking night staff")
    type_into(qtbot, page.fee_lines.amount_edit(0), "3,999.99")
    type_into(qtbot, page.proposed_start, format_date(TODAY))
    qtbot.mouseClick(page.record_button, Qt.LeftButton)
    with db.session() as s:
        offer = s.scalars(select(Offer)).one()
        assert offer.needs_met == {"missing": "Missing-from-care protocol; waking night staff"}
