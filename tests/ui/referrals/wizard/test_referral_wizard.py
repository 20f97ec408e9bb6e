"""The referral wizard end to end: a new referral to an awarded placement through real widgets.

On the small demo database (the full walk on SQLite and on PostgreSQL): every
page typed into, ticked and picked from as an officer would, wrong entries refused with a message beside the field,
and a referral closed part-way through reopened at the page it was left on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.services.common.labels import provider_label
from placedesk.db import Database
from placedesk.models import Placement, Referral, StoredDocument
from placedesk.models.enums import (
    AwardReason,
    DeclineReason,
    FundingPartner,
    PlacementType,
    RecipientResponse,
    ReferralStatus,
)
from placedesk.services.common.parsing import format_date
from placedesk.ui.referrals.referrals_tab import ReferralsTab
from placedesk.ui.referrals.wizard.referral_wizard import (
    AGREEMENT,
    AWARD,
    CHILD,
    MATCH,
    NEEDS,
    OFFERS,
    SEND,
    ReferralWizard,
    resume_page,
)
from tests.conftest import ENGINES, DialogRecorder
from tests.services.referrals.helpers import make_child, make_referral
from tests.ui.referrals.wizard.conftest import (
    TODAY,
    click_cell,
    make_ctx,
    pick,
    press_next,
    tick_list_item,
    tick_row,
    type_into,
)

WizardFactory = Callable[..., ReferralWizard]
START = format_date(TODAY + dt.timedelta(days=7))


def fill_child(qtbot: QtBot, wizard: ReferralWizard, case_reference: str = "LAC-77001") -> None:
    page = wizard.pages[CHILD]
    type_into(qtbot, page.case_reference, case_reference)
    type_into(qtbot, page.first_name, "Kacper")
    type_into(qtbot, page.last_name, "Nowak")
    type_into(qtbot, page.date_of_birth, "14/02/2011")
    qtbot.keyClicks(page.gender.lineEdit(), "Male")
    qtbot.keyClicks(page.language.lineEdit(), "Polish")
    pick(page.legal_status, "C2")
    type_into(qtbot, page.home_local_authority, "Sheffield")
    type_into(qtbot, page.home_postcode, "s10 2tn")
    type_into(qtbot, page.social_worker_name, "Ruth Adeyemi")


def fill_needs(qtbot: QtBot, wizard: ReferralWizard) -> None:
    page = wizard.pages[NEEDS]
    pick(page.placement_type, PlacementType.CHILDRENS_HOME)
    type_into(qtbot, page.required_start_date, START)
    tick_list_item(qtbot, page.needs, "emotional_behavioural")
    tick_list_item(qtbot, page.risks, "missing")
    qtbot.keyClicks(page.needs_summary, "Needs consistent adults and a calm home.")
    type_into(qtbot, page.max_distance_km, "60")
    type_into(qtbot, page.budget, "5,500")
    type_into(qtbot, page.shares.edits[FundingPartner.SOCIAL_CARE], "70")
    type_into(qtbot, page.shares.edits[FundingPartner.EDUCATION], "30")


# The whole walk runs on the laptop's SQLite file and on the team's PostgreSQL server.
@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_new_referral_goes_to_an_awarded_placement_through_the_pages(
        qtbot: QtBot, demo_db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory,
        tmp_path: Path) -> None:
    wizard = open_wizard(demo_db)
    assert wizard.currentId() == CHILD and wizard.windowTitle() == "New referral"

    # Child: an impossible date of birth is refused beside the field and the page stays.
    fill_child(qtbot, wizard)
    type_into(qtbot, wizard.pages[CHILD].date_of_birth, "31/02/2011")
    press_next(qtbot, wizard)
    assert wizard.currentId() == CHILD
    assert "not a real date" in wizard.pages[CHILD].error_text("date_of_birth")
    type_into(qtbot, wizard.pages[CHILD].date_of_birth, "14/02/2011")
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS
    assert wizard.pages[CHILD].error_text("date_of_birth") == ""
    assert wizard.windowTitle().startswith("Referral REF-TEST-")

    # Needs: shares that do not make 100% are refused beside the shares.
    fill_needs(qtbot, wizard)
    type_into(qtbot, wizard.pages[NEEDS].shares.edits[FundingPartner.EDUCATION], "20")
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS
    assert "add up to 90%" in wizard.pages[NEEDS].error_text("funding")
    type_into(qtbot, wizard.pages[NEEDS].shares.edits[FundingPartner.EDUCATION], "30")
    press_next(qtbot, wizard)
    assert wizard.currentId() == MATCH

    # Match: Next with nobody ticked is refused; tick the top two.
    match = wizard.pages[MATCH]
    qtbot.waitUntil(lambda: match.result is not None, timeout=20000)
    assert len(match.result.ranked) >= 2 and match.result.excluded
    assert match.shortlist.rowCount() >= 2 and match.excluded.rowCount() == len(match.result.excluded)
    press_next(qtbot, wizard)
    assert wizard.currentId() == MATCH
    assert "at least one provider" in match.error_text("providers")
    tick_row(qtbot, match.shortlist_view, 0)
    tick_row(qtbot, match.shortlist_view, 1)
    chosen = [row.provider_label for row in match.result.ranked[:2]]
    assert "2 providers chosen" in match.chosen_label.text()
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SEND, timeout=20000)

    # Send: the packs are made off the GUI thread as the page opens; save one, record as sent.
    send = wizard.pages[SEND]
    assert sorted(row.values[0] for row in send.recipients.rows()) == sorted(chosen)
    qtbot.waitUntil(lambda: len(send.packs) == 2, timeout=20000)
    click_cell(qtbot, send.view, 0, 0)
    saved = tmp_path / "pack.pdf"
    dialogs.answer("choose_save_file", saved)
    qtbot.mouseClick(send.save_button, Qt.LeftButton)
    assert saved.read_bytes().startswith(b"%PDF")
    assert b"Nowak" not in saved.read_bytes()
    assert wizard.button(QWizard.CommitButton).isVisible()
    press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == OFFERS, timeout=20000)
    assert not wizard.button(QWizard.BackButton).isEnabled()

    # Offers: a money typo is refused beside the fee lines; then one offer and one decline.
    offers = wizard.pages[OFFERS]
    click_cell(qtbot, offers.recipient_view, 0)
    offered_by = offers.recipients.rows()[0].values[0]
    type_into(qtbot, offers.fee_lines.amount_edit(0), "4,2OO")
    type_into(qtbot, offers.proposed_start, START)
    qtbot.mouseClick(offers.record_button, Qt.LeftButton)
    assert "not an amount of money" in offers.error_text("fee_lines")
    type_into(qtbot, offers.fee_lines.amount_edit(0), "4,200")
    qtbot.mouseClick(offers.fee_lines.add_button, Qt.LeftButton)
    pick(offers.fee_lines.kind_combo(1), offers.fee_lines.kind_combo(1).itemData(1))
    type_into(qtbot, offers.fee_lines.description_edit(1), "1:1 support, 10 hours")
    type_into(qtbot, offers.fee_lines.amount_edit(1), "350.55")
    qtbot.mouseClick(offers.record_button, Qt.LeftButton)
    assert offers.error_text("fee_lines") == ""
    assert f"from {offered_by}" in offers.recorded_label.text()
    click_cell(qtbot, offers.recipient_view, 1)
    pick(offers.kind, "decline")
    pick(offers.decline_reason, DeclineReason.NO_VACANCY)
    qtbot.mouseClick(offers.record_button, Qt.LeftButton)
    assert [row.values[1] for row in offers.recipients.rows()] == sorted(
        [RecipientResponse.OFFERED.label, RecipientResponse.DECLINED.label],
        key=lambda label: 0 if offers.recipients.rows()[0].values[1] == label else 1)
    qtbot.waitUntil(lambda: getattr(offers.comparison.horizontalHeaderItem(0), "text", str)() == offered_by,
                    timeout=20000)
    assert offers.comparison.columnCount() == 1
    assert offers.comparison.item(0, 0).text() == "£4,550.55"
    press_next(qtbot, wizard)
    assert wizard.currentId() == AWARD

    # Award: the only offer is chosen with its fee lines; the split is shown to the penny.
    award = wizard.pages[AWARD]
    assert award.offer.currentData() is not None
    assert award.fee_lines.total_pence() == 455055
    assert award.shares.money[FundingPartner.SOCIAL_CARE].text() == "£3,185.39 a week"
    assert award.shares.money[FundingPartner.EDUCATION].text() == "£1,365.16 a week"
    press_next(qtbot, wizard)
    assert wizard.currentId() == AWARD
    assert "why this offer" in award.error_text("justification").lower()
    qtbot.keyClicks(award.justification, "Only offer; Good Ofsted and within the distance limit.")
    type_into(qtbot, award.approved_by, "Sam Okafor, Head of Service")
    assert award.reason.currentData() == AwardReason.ONLY_OFFER
    press_next(qtbot, wizard)
    assert wizard.currentId() == AGREEMENT
    assert "no agreement yet" in wizard.pages[AGREEMENT].panel.heading.text()

    with demo_db.session() as s:
        referral = s.get(Referral, wizard.state.referral_id)
        assert referral.status is ReferralStatus.AWARDED
        assert referral.child.case_reference == "LAC-77001" and referral.child.home_postcode == "S10 2TN"
        assert referral.needs == ["emotional_behavioural"] and referral.risks == ["missing"]
        placement = s.scalars(select(Placement).where(Placement.referral_id == referral.id)).one()
        assert provider_label(placement.provider) == offered_by
        assert placement.weekly_total_pence == 455055
        assert sum(share.weekly_amount_pence for share in placement.funding_shares) == 455055
        assert placement.approved_by == "Sam Okafor, Head of Service"
        packs = s.scalars(select(StoredDocument).where(StoredDocument.kind == "referral_pack")).all()
        assert len([d for d in packs if d.filename.startswith(referral.ref)]) == 2


def test_closing_part_way_and_reopening_from_the_referrals_tab_resumes_with_the_data_kept(
        qtbot: QtBot, demo_db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory) -> None:
    ctx = make_ctx(demo_db)
    wizard = open_wizard(ctx)
    fill_child(qtbot, wizard, "LAC-77002")
    press_next(qtbot, wizard)
    fill_needs(qtbot, wizard)
    press_next(qtbot, wizard)
    assert wizard.currentId() == MATCH  # page 3 of 7
    referral_id = wizard.state.referral_id
    wizard.close()

    tab = ReferralsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.row_id(r) == referral_id)
    assert tab.model.next_action(row) == "Complete the referral"
    index = tab.model.index(row, 1)
    tab.list.view.scrollTo(index)
    where = tab.list.view.visualRect(index).center()
    # A double-click is a press, a release and then the double-click itself.
    qtbot.mouseClick(tab.list.view.viewport(), Qt.LeftButton, pos=where)
    qtbot.mouseDClick(tab.list.view.viewport(), Qt.LeftButton, pos=where)
    reopened = tab.wizards[-1]
    qtbot.addWidget(reopened)
    assert reopened.isVisible()
    assert reopened.state.referral_id == referral_id
    assert reopened.currentId() == MATCH
    qtbot.waitUntil(lambda: reopened.pages[MATCH].result is not None, timeout=20000)
    assert reopened.pages[MATCH].chosen() == []
    # The earlier pages are in the history with what was typed.
    assert reopened.button(QWizard.BackButton).isEnabled()
    qtbot.mouseClick(reopened.button(QWizard.BackButton), Qt.LeftButton)
    needs = reopened.pages[NEEDS]
    assert reopened.currentId() == NEEDS
    assert needs.placement_type.currentData() == PlacementType.CHILDRENS_HOME
    assert needs.required_start_date.text() == START
    assert needs.budget.text() == "5,500.00"
    assert needs.shares.edits[FundingPartner.EDUCATION].text() == "30"
    qtbot.mouseClick(reopened.button(QWizard.BackButton), Qt.LeftButton)
    assert reopened.pages[CHILD].first_name.text() == "Kacper"
    assert reopened.pages[CHILD].home_postcode.text() == "S10 2TN"


@pytest.mark.parametrize(("status", "step", "page"), [
    (ReferralStatus.DRAFT, 0, CHILD), (ReferralStatus.DRAFT, 2, MATCH), (ReferralStatus.READY, 3, SEND),
    (ReferralStatus.SENT, 4, OFFERS), (ReferralStatus.SENT, 1, OFFERS), (ReferralStatus.OFFERS_RECEIVED, 4, OFFERS),
    (ReferralStatus.OFFERS_RECEIVED, 5, AWARD), (ReferralStatus.AWARDED, 5, AGREEMENT),
    (ReferralStatus.IPA_SIGNED, 6, AGREEMENT), (ReferralStatus.PLACED, 0, AGREEMENT),
])
def test_a_saved_referral_reopens_at_the_page_its_state_calls_for(status: ReferralStatus, step: int,
                                                                   page: int) -> None:
    assert resume_page(status, step) == page


def test_closing_with_providers_ticked_keeps_them_and_reopens_at_send(
        qtbot: QtBot, demo_db: Database, dialogs: DialogRecorder, open_wizard: WizardFactory) -> None:
    ctx = make_ctx(demo_db)
    wizard = open_wizard(ctx)
    fill_child(qtbot, wizard, "LAC-77003")
    press_next(qtbot, wizard)
    fill_needs(qtbot, wizard)
    press_next(qtbot, wizard)
    match = wizard.pages[MATCH]
    qtbot.waitUntil(lambda: match.result is not None, timeout=20000)
    tick_row(qtbot, match.shortlist_view, 0)
    chosen = match.chosen()
    wizard.close()
    reopened = open_wizard(ctx, wizard.state.referral_id)
    assert reopened.currentId() == SEND
    assert [row.key for row in reopened.pages[SEND].recipients.rows()] == chosen



def test_a_draft_left_at_send_with_nobody_chosen_reopens_at_the_shortlist(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    with db.session_scope() as s:
        referral = make_referral(s, child=make_child(s, case_reference="LAC-77004"), wizard_step=4)
        referral_id = referral.id
    wizard = open_wizard(db, referral_id)
    assert wizard.currentId() == MATCH
    # Going on to Send anyway (an older file) says what is missing rather than showing an empty table.
    send = wizard.pages[SEND]
    send.initializePage()
    assert "No provider has been chosen" in send.status.text()
