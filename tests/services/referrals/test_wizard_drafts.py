"""Finding a child by case reference for the wizard's Child page."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from placedesk.services.referrals.wizard_drafts import find_child
from tests.services.referrals.helpers import make_child


def test_a_known_case_reference_finds_the_child_whatever_the_case_or_spaces(session: Session) -> None:
    child = make_child(session, case_reference="LAC-20417")
    assert find_child(session, "LAC-20417") is child
    assert find_child(session, "  lac-20417 ") is child


def test_an_unknown_or_empty_reference_finds_nobody(session: Session) -> None:
    make_child(session, case_reference="LAC-1")
    assert find_child(session, "LAC-2") is None
    assert find_child(session, "   ") is None


def test_the_award_step_is_refused_until_an_open_offer_exists(session: Session) -> None:
    from placedesk.errors import WorkflowError
    from placedesk.models.enums import ReferralStatus
    from placedesk.services.referrals.wizard_drafts import finish_offers
    from tests.services.referrals.helpers import add_offer, make_provider, referral_at

    referral = referral_at(session, ReferralStatus.SENT)
    with pytest.raises(WorkflowError, match="no open offer"):
        finish_offers(session, referral)
    add_offer(session, referral, make_provider(session, "Beech House"))
    referral.status = ReferralStatus.OFFERS_RECEIVED
    finish_offers(session, referral)
    assert referral.wizard_step == 5
