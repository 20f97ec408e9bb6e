"""The Award page: the chosen offer's fee negotiated, split to the penny, and a spot choice justified."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.db import Database
from placedesk.models import Placement, Referral
from placedesk.models.enums import AwardReason, ContractRoute, FeeLineKind, FundingPartner, LineFunding, ReferralStatus
from placedesk.ui.referrals.wizard.referral_wizard import AGREEMENT, AWARD, OFFERS, ReferralWizard
from tests.services.referrals.helpers import TODAY, add_offer, make_provider, referral_at
from tests.ui.referrals.wizard.conftest import pick, press_next, type_into

WizardFactory = Callable[..., ReferralWizard]


def _two_offers(db: Database) -> object:
    """A framework offer (Oak House, £4,000) and a cheaper spot one (Spot Lodge, £3,800)."""
    with db.session_scope() as s:
        referral = referral_at(s, ReferralStatus.OFFERS_RECEIVED)
        add_offer(s, referral, make_provider(s, "Spot Lodge", contract_route=ContractRoute.SPOT), 380000)
        referral.wizard_step = 5
        return referral.id


def _choose(page: object, name: str) -> None:
    combo = page.offer  # type: ignore[attr-defined]
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(name))
    combo.setCurrentIndex(index)


def test_a_spot_offer_over_a_framework_one_needs_a_reason(qtbot: QtBot, db: Database,
                                                           open_wizard: WizardFactory) -> None:
    referral_id = _two_offers(db)
    wizard = open_wizard(db, referral_id, today=TODAY)
    assert wizard.currentId() == AWARD
    page = wizard.pages[AWARD]
    assert page.offer.count() == 3  # the prompt and two offers, cheapest first
    assert page.offer.itemText(1).startswith("Spot Lodge — £3,800.00")
    _choose(page, "Spot Lodge")
    assert "Required" in page.spot_reason.placeholderText()
    assert page.fee_lines.total_pence() == 380000
    pick(page.reason, AwardReason.VALUE)
    qtbot.keyClicks(page.justification, "Cheaper and closer")
    type_into(qtbot, page.approved_by, "Head of Service")
    press_next(qtbot, wizard)
    assert wizard.currentId() == AWARD
    assert "spot provider" in page.error_text("spot_reason")
    qtbot.keyClicks(page.spot_reason, "The framework home cannot manage the missing-from-care risk")
    press_next(qtbot, wizard)
    assert wizard.currentId() == AGREEMENT
    with db.session() as s:
        referral = s.get(Referral, referral_id)
        assert referral.status is ReferralStatus.AWARDED
        assert referral.spot_reason.startswith("The framework home")
        placement = s.scalars(select(Placement).where(Placement.referral_id == referral_id)).one()
        assert placement.provider.name == "Spot Lodge" and placement.award_reason is AwardReason.VALUE


def test_negotiated_fee_and_three_way_split_add_up_to_the_penny(qtbot: QtBot, db: Database,
                                                                 open_wizard: WizardFactory) -> None:
    referral_id = _two_offers(db)
    wizard = open_wizard(db, referral_id, today=TODAY)
    page = wizard.pages[AWARD]
    _choose(page, "Oak House")
    assert page.fee_lines.total_pence() == 400000
    type_into(qtbot, page.fee_lines.amount_edit(0), "1,000.01")
    type_into(qtbot, page.shares.edits[FundingPartner.SOCIAL_CARE], "33.33")
    type_into(qtbot, page.shares.edits[FundingPartner.EDUCATION], "33.33")
    type_into(qtbot, page.shares.edits[FundingPartner.HEALTH], "33.34")
    money = {p: page.shares.money[p].text() for p in FundingPartner}
    assert money == {FundingPartner.SOCIAL_CARE: "£333.30 a week", FundingPartner.EDUCATION: "£333.30 a week",
                     FundingPartner.HEALTH: "£333.41 a week"}
    pick(page.reason, AwardReason.QUALITY)
    qtbot.keyClicks(page.justification, "Good Ofsted, framework terms")
    type_into(qtbot, page.approved_by, "Head of Service")
    press_next(qtbot, wizard)
    assert wizard.currentId() == AGREEMENT
    with db.session() as s:
        placement = s.scalars(select(Placement).where(Placement.referral_id == referral_id)).one()
        assert placement.weekly_total_pence == 100001
        assert sorted(x.weekly_amount_pence for x in placement.funding_shares) == [33330, 33330, 33341]
    assert "£1,000.01" in wizard.pages[AGREEMENT].summary.text()


def test_the_fee_cannot_be_left_empty(qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _two_offers(db), today=TODAY)
    page = wizard.pages[AWARD]
    _choose(page, "Oak House")
    type_into(qtbot, page.fee_lines.amount_edit(0), "")
    type_into(qtbot, page.fee_lines.description_edit(0), "")
    press_next(qtbot, wizard)
    assert "at least one fee line" in page.error_text("fee_lines")


def test_reopening_at_award_does_not_rank_or_compare_until_the_officer_goes_back(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _two_offers(db), today=TODAY)
    offers = wizard.pages[OFFERS]
    qtbot.wait(150)
    assert offers.comparison.rowCount() == 0 and not offers.comparison_note.isHidden()
    qtbot.mouseClick(wizard.button(QWizard.BackButton), Qt.LeftButton)
    assert wizard.currentId() == OFFERS
    qtbot.waitUntil(lambda: offers.comparison.rowCount() > 5)
    assert offers.tabs.tabText(1) == "Compare offers (2)"


def test_a_line_funded_by_one_partner_moves_only_that_partners_money(qtbot: QtBot, db: Database,
                                                                     open_wizard: WizardFactory) -> None:
    referral_id = _two_offers(db)
    wizard = open_wizard(db, referral_id, today=TODAY)
    page = wizard.pages[AWARD]
    _choose(page, "Oak House")
    wizard.resize(1280, 680)
    type_into(qtbot, page.fee_lines.amount_edit(0), "3,250.00")
    qtbot.mouseClick(page.fee_lines.add_button, Qt.LeftButton)
    pick(page.fee_lines.kind_combo(1), FeeLineKind.EDUCATION)
    type_into(qtbot, page.fee_lines.description_edit(1), "Education")
    type_into(qtbot, page.fee_lines.amount_edit(1), "650.50")
    type_into(qtbot, page.shares.edits[FundingPartner.SOCIAL_CARE], "64")
    type_into(qtbot, page.shares.edits[FundingPartner.EDUCATION], "36")
    type_into(qtbot, page.shares.edits[FundingPartner.HEALTH], "")
    # Shared: £3,900.50 at 64/36 is £2,496.32 and £1,404.18.
    assert page.shares.money[FundingPartner.EDUCATION].text() == "£1,404.18 a week"
    assert page.fee_lines.funding_combo(1).accessibleName() == "Fee line 2 funded by"
    pick(page.fee_lines.funding_combo(1), LineFunding.EDUCATION)
    # By element: the core £3,250.00 at 64/36 is £2,080.00 and £1,170.00; education adds its own £650.50.
    assert page.shares.money[FundingPartner.SOCIAL_CARE].text() == "£2,080.00 a week"
    assert page.shares.money[FundingPartner.EDUCATION].text() == "£1,820.50 a week"
    wizard.show()
    qtbot.wait(50)
    page.grab().save("/tmp/award-page.png")
    pick(page.reason, AwardReason.QUALITY)
    qtbot.keyClicks(page.justification, "Good Ofsted, framework terms")
    type_into(qtbot, page.approved_by, "Head of Service")
    press_next(qtbot, wizard)
    with db.session() as s:
        placement = s.scalars(select(Placement).where(Placement.referral_id == referral_id)).one()
        assert {x.partner: x.weekly_amount_pence for x in placement.funding_shares} == {
            FundingPartner.SOCIAL_CARE: 208000, FundingPartner.EDUCATION: 182050}
        assert [line.funded_by for line in placement.fee_lines] == [LineFunding.SHARED, LineFunding.EDUCATION]
