"""The Match page: the ranked shortlist with reasons, the excluded providers with theirs, and the choice."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models import Referral
from placedesk.models.enums import OfstedJudgement
from placedesk.ui.referrals.wizard.referral_wizard import MATCH, SEND, ReferralWizard
from tests.services.referrals.helpers import make_provider, make_referral
from tests.ui.referrals.wizard.conftest import click_cell, press_next, tick_row

WizardFactory = Callable[..., ReferralWizard]


def _referral_with_providers(db: Database) -> object:
    with db.session_scope() as s:
        make_provider(s, "Oak House")
        make_provider(s, "Elm House", ofsted_judgement=OfstedJudgement.REQUIRES_IMPROVEMENT, vacancies=0)
        make_provider(s, "Closed House", suspended=True, suspension_reason="Safeguarding review")
        make_provider(s, "Poor House", ofsted_judgement=OfstedJudgement.INADEQUATE)
        referral = make_referral(s, wizard_step=2)
        return referral.id


def test_the_shortlist_shows_scores_reasons_exclusions_and_how_proximity_was_judged(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _referral_with_providers(db))
    assert wizard.currentId() == MATCH
    page = wizard.pages[MATCH]
    qtbot.waitUntil(lambda: page.result is not None)
    assert "No postcode location table" in page.proximity_note.text()
    names = [row.values[2] for row in page.shortlist.rows()]
    assert names == ["Oak House", "Elm House"]
    assert "Ofsted: Good" in page.shortlist.rows()[0].tooltip
    click_cell(qtbot, page.shortlist_view, 1)
    assert "Elm House: score" in page.reasons.toPlainText()
    assert "Vacancy: none recorded" in page.reasons.toPlainText()
    excluded = {row.values[0]: row.values[2] for row in page.excluded.rows()}
    assert excluded["Poor House"] == "Ofsted judgement is Inadequate"
    assert "Closed House" in excluded
    assert page.tabs.tabText(1) == "Excluded (2)"


def test_next_needs_a_ticked_provider_and_keeps_its_score_and_reasons(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    referral_id = _referral_with_providers(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[MATCH]
    qtbot.waitUntil(lambda: page.result is not None)
    press_next(qtbot, wizard)
    assert wizard.currentId() == MATCH
    assert "at least one provider" in page.error_text("providers")
    tick_row(qtbot, page.shortlist_view, 0)
    assert page.chosen_label.text() == "1 provider chosen"
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SEND)
    with db.session() as s:
        (recipient,) = s.get(Referral, referral_id).recipients
        assert recipient.provider.name == "Oak House"
        assert recipient.match_score == page.result.ranked[0].score
        assert any(reason.startswith("Ofsted") for reason in recipient.match_reasons)


def test_going_back_to_match_keeps_the_providers_already_chosen_ticked(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _referral_with_providers(db))
    page = wizard.pages[MATCH]
    qtbot.waitUntil(lambda: page.result is not None)
    tick_row(qtbot, page.shortlist_view, 1)
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SEND)
    qtbot.mouseClick(wizard.button(QWizard.BackButton), Qt.LeftButton)
    qtbot.waitUntil(lambda: page.result is not None)
    assert [row.values[2] for row in page.shortlist.rows() if row.key in page.chosen()] == ["Elm House"]


def test_the_send_page_is_not_reached_until_the_profile_names_the_council_and_a_contact(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    from tests.ui.referrals.wizard.conftest import make_ctx

    ctx = make_ctx(db)
    ctx.settings.officer.local_authority = ""
    ctx.settings.officer.email = ""
    asked: list[object] = []
    ctx.profile_needed.connect(asked.append)
    wizard = open_wizard(ctx, _referral_with_providers(db))
    page = wizard.pages[MATCH]
    qtbot.waitUntil(lambda: page.result is not None)
    tick_row(qtbot, page.shortlist_view, 0)
    press_next(qtbot, wizard)
    assert wizard.currentId() == MATCH
    assert "council name and contact email or phone" in page.page_error.text()
    assert asked == [("council name", "contact email or phone")]
    ctx.settings.officer.local_authority = "Sheffield City Council"
    ctx.settings.officer.phone = "0114 273 4567"
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SEND)
