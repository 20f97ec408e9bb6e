"""The Agreement page: an awarded referral reopens here, showing its placement and where the IPA stands."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models.enums import ReferralStatus
from placedesk.ui.referrals.wizard.referral_wizard import AGREEMENT, ReferralWizard
from tests.services.referrals.helpers import TODAY, referral_at

WizardFactory = Callable[..., ReferralWizard]


def test_an_awarded_referral_opens_at_the_agreement_with_the_placement(qtbot: QtBot, db: Database,
                                                                       open_wizard: WizardFactory) -> None:
    with db.session_scope() as s:
        referral = referral_at(s, ReferralStatus.AWARDED)
        referral_id, placement_ref = referral.id, f"PLC-{referral.ref}"
    wizard = open_wizard(db, referral_id, today=TODAY)
    assert wizard.currentId() == AGREEMENT
    page = wizard.pages[AGREEMENT]
    assert placement_ref in page.summary.text() and "Oak House" in page.summary.text()
    assert "no agreement yet" in page.panel.heading.text()
    assert page.panel.issue_button.isEnabled()
