"""Finding a child by case reference for the wizard's Child page."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from placedesk.services.wizard_drafts import find_child
from tests.services.referral_helpers import make_child


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
    from placedesk.services.wizard_drafts import finish_offers
    from tests.services.referral_helpers import add_offer, make_provider, referral_at

    referral = referral_at(session, ReferralStatus.SENT)
    with pytest.raises(WorkflowError, match="no open offer"):
        finish_offers(session, referral)
    add_offer(session, referral, make_provider(session, "Beech House"))
    referral.status = ReferralStatus.OFFERS_RECEIVED
    finish_offers(session, referral)
    assert referral.wizard_step == 5


def test_choosing_from_the_shortlist_keeps_scores_drops_unsent_and_refuses_excluded(session: Session) -> None:
    import datetime as dt

    from placedesk.errors import ValidationError
    from placedesk.models import ReferralRecipient
    from placedesk.models.enums import OfstedJudgement
    from placedesk.services.matching import match_referral
    from placedesk.services.wizard_drafts import choose_from_shortlist
    from tests.services.referral_helpers import TODAY, make_provider, make_referral

    oak, elm = make_provider(session, "Oak House"), make_provider(session, "Elm House")
    poor = make_provider(session, "Poor House", ofsted_judgement=OfstedJudgement.INADEQUATE)
    referral = make_referral(session)
    referral.recipients.append(ReferralRecipient(provider=elm))
    session.flush()
    shortlist = match_referral(session, referral, today=TODAY)
    with pytest.raises(ValidationError, match="Poor House cannot be sent this referral: Ofsted judgement is Inadequate"):
        choose_from_shortlist(session, referral, shortlist, [poor.id], today=TODAY)
    with pytest.raises(ValidationError, match="at least one provider"):
        choose_from_shortlist(session, referral, shortlist, [], today=TODAY)
    (chosen,) = choose_from_shortlist(session, referral, shortlist, [oak.id], today=TODAY)
    assert [r.provider.name for r in referral.recipients] == ["Oak House"]  # unsent Elm dropped
    assert chosen.match_score == shortlist.row_for(oak.id).score
    assert chosen.match_reasons == shortlist.row_for(oak.id).reasons
    assert referral.wizard_step == 3
    # A provider suspended after the shortlist was made is refused all the same.
    elm.suspended, elm.suspension_reason, elm.suspended_from = True, "Safeguarding review", TODAY - dt.timedelta(days=1)
    session.flush()
    with pytest.raises(ValidationError, match="Elm House cannot be sent"):
        choose_from_shortlist(session, referral, shortlist, [elm.id], today=TODAY)
