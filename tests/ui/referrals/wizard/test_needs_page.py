"""The Needs page: what is sought, parsed strictly, with shares that must make 100%."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models import Referral
from placedesk.models.enums import FundingPartner, PlacementType, ReferralStatus, Urgency
from placedesk.ui.referrals.wizard.referral_wizard import MATCH, NEEDS, ReferralWizard
from tests.services.referrals.helpers import make_child
from tests.ui.referrals.wizard.conftest import TODAY, pick, press_next, tick_list_item, type_into

WizardFactory = Callable[..., ReferralWizard]


def _draft(db: Database) -> object:
    with db.session_scope() as s:
        referral = Referral(ref="REF-TEST-0001", child=make_child(s, legal_status="C2"), referred_on=TODAY,
                            wizard_step=1,
                            needs=[], risks=[])
        s.add(referral)
        s.flush()
        return referral.id


def test_a_draft_left_after_the_child_reopens_at_needs_with_social_care_paying_in_full(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _draft(db))
    assert wizard.currentId() == NEEDS
    page = wizard.pages[NEEDS]
    assert page.shares.edits[FundingPartner.SOCIAL_CARE].text() == "100"
    assert "100%" in page.shares.total_label.text()


def test_each_wrong_entry_is_refused_beside_its_field(qtbot: QtBot, db: Database,
                                                       open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db, _draft(db))
    page = wizard.pages[NEEDS]
    press_next(qtbot, wizard)
    assert "placement sought" in page.error_text("placement_type")
    pick(page.placement_type, PlacementType.FOSTERING)
    type_into(qtbot, page.required_start_date, "next week")
    press_next(qtbot, wizard)
    assert "not a date" in page.error_text("required_start_date")
    type_into(qtbot, page.required_start_date, TODAY.strftime("%d/%m/%Y"))
    type_into(qtbot, page.max_distance_km, "twenty")
    press_next(qtbot, wizard)
    assert "not a distance" in page.error_text("max_distance_km")
    type_into(qtbot, page.max_distance_km, "20")
    type_into(qtbot, page.budget, "£4,5OO")
    press_next(qtbot, wizard)
    assert "not an amount of money" in page.error_text("budget_ceiling")
    type_into(qtbot, page.budget, "£4,500")
    type_into(qtbot, page.shares.edits[FundingPartner.SOCIAL_CARE], "50")
    type_into(qtbot, page.shares.edits[FundingPartner.HEALTH], "33.33")
    press_next(qtbot, wizard)
    assert "83.33%" in page.error_text("funding")
    assert wizard.currentId() == NEEDS


def test_a_complete_page_is_saved_and_the_match_opens(qtbot: QtBot, db: Database,
                                                      open_wizard: WizardFactory) -> None:
    referral_id = _draft(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[NEEDS]
    pick(page.placement_type, PlacementType.SUPPORTED_ACCOMMODATION)
    pick(page.urgency, Urgency.EMERGENCY)
    type_into(qtbot, page.required_start_date, TODAY.strftime("%d/%m/%Y"))
    tick_list_item(qtbot, page.needs, "autism")
    tick_list_item(qtbot, page.risks, "exploitation")
    type_into(qtbot, page.school_postcode, "s1 2hh")
    type_into(qtbot, page.shares.edits[FundingPartner.SOCIAL_CARE], "50")
    type_into(qtbot, page.shares.edits[FundingPartner.HEALTH], "50")
    press_next(qtbot, wizard)
    assert wizard.currentId() == MATCH
    with db.session() as s:
        referral = s.get(Referral, referral_id)
        assert referral.status is ReferralStatus.DRAFT
        assert referral.placement_type is PlacementType.SUPPORTED_ACCOMMODATION
        assert referral.urgency is Urgency.EMERGENCY
        assert referral.needs == ["autism"] and referral.risks == ["exploitation"]
        assert referral.school_postcode == "S1 2HH"
        assert {x.partner: x.share_bp for x in referral.funding_shares} == {
            FundingPartner.SOCIAL_CARE: 5000, FundingPartner.HEALTH: 5000}
        assert referral.wizard_step == 2


def test_going_back_saves_a_valid_page_and_keeps_an_unfinished_one_unsaved(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    referral_id = _draft(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[NEEDS]
    type_into(qtbot, page.budget, "3,000")
    qtbot.mouseClick(wizard.button(QWizard.BackButton), Qt.LeftButton)
    with db.session() as s:
        assert s.get(Referral, referral_id).budget_ceiling_pence is None  # no placement type yet: not saved
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS
    pick(page.placement_type, PlacementType.FOSTERING)
    type_into(qtbot, page.required_start_date, TODAY.strftime("%d/%m/%Y"))
    type_into(qtbot, page.budget, "3,000")
    qtbot.mouseClick(wizard.button(QWizard.BackButton), Qt.LeftButton)
    assert wizard.currentId() == 0
    with db.session() as s:
        referral = s.get(Referral, referral_id)
        assert referral.budget_ceiling_pence == 300000
        assert referral.placement_type is PlacementType.FOSTERING
