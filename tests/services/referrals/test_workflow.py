"""The referral state machine: every legal step succeeds, every illegal one says what is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models.enums import OfferStatus, ReferralStatus
from placedesk.services.referrals.workflow import (
    TRANSITIONS,
    active_placement,
    advance,
    allowed_next,
    end_placement,
    next_action,
)
from tests.services.referrals.helpers import TODAY, make_referral, referral_at

S = ReferralStatus
LEGAL = [(a, b) for a in S for b in TRANSITIONS[a]]
ILLEGAL = {a: [b for b in S if b not in TRANSITIONS[a]] for a in S}


def _prepare(session: Session, start: S, to: S):
    """A referral at ``start`` with what ``to`` needs (beyond what ``start`` implies)."""
    if to is S.ENDED:
        referral = referral_at(session, S.PLACED)
        placement = active_placement(session, referral)
        placement.end_date = TODAY
        placement.end_reason = "Moved to staying put"
        session.flush()
        return referral
    if to is S.DRAFT or to is S.WITHDRAWN:
        return referral_at(session, start)
    # The state just before ``to`` in the happy path carries everything ``to`` needs.
    return referral_at(session, to) if start is not S.READY or to is not S.SENT else referral_at(session, S.SENT)


@pytest.mark.parametrize(("start", "to"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_every_legal_step_succeeds_when_its_conditions_are_met(session: Session, start: S, to: S) -> None:
    referral = _prepare(session, start, to)
    referral.status = start
    advance(session, referral, to, today=TODAY, reason="Family found a kinship carer")
    assert referral.status is to


@pytest.mark.parametrize("start", list(S), ids=str)
def test_every_illegal_step_is_refused_naming_the_allowed_ones(session: Session, start: S) -> None:
    # One database per starting state (a fresh file per test is the slow part); every target checked.
    referral = referral_at(session, start)
    for to in ILLEGAL[start]:
        with pytest.raises(WorkflowError, match="can only move to") as exc:
            advance(session, referral, to, today=TODAY, reason="x")
        assert referral.status is start
        assert referral.ref in str(exc.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("placement_type", None, "placement type sought"),
        ("required_start_date", None, "required start date"),
    ],
)
def test_ready_needs_type_and_start_date(session: Session, field: str, value: object, message: str) -> None:
    referral = make_referral(session, **{field: value})
    with pytest.raises(WorkflowError, match=message):
        advance(session, referral, S.READY, today=TODAY)


def test_ready_needs_funding_shares_adding_to_100(session: Session) -> None:
    referral = make_referral(session)
    referral.funding_shares[0].share_bp = 6000
    with pytest.raises(WorkflowError, match=r"add up to 100% \(they add up to 60%\)"):
        advance(session, referral, S.READY, today=TODAY)
    referral.funding_shares.clear()
    with pytest.raises(WorkflowError, match="funding partners"):
        advance(session, referral, S.READY, today=TODAY)


def test_cannot_send_without_a_recipient(session: Session) -> None:
    referral = referral_at(session, S.READY)
    with pytest.raises(WorkflowError, match="at least one recipient"):
        advance(session, referral, S.SENT, today=TODAY)


def test_cannot_send_before_a_pack_went_out(session: Session) -> None:
    referral = referral_at(session, S.SENT)
    referral.status = S.READY
    referral.recipients[0].sent_on = None
    with pytest.raises(WorkflowError, match="referral pack sent"):
        advance(session, referral, S.SENT, today=TODAY)


def test_offers_received_needs_an_offer(session: Session) -> None:
    referral = referral_at(session, S.SENT)
    with pytest.raises(WorkflowError, match="an offer from at least one provider"):
        advance(session, referral, S.OFFERS_RECEIVED, today=TODAY)


def test_cannot_award_without_an_accepted_offer(session: Session) -> None:
    referral = referral_at(session, S.OFFERS_RECEIVED)
    with pytest.raises(WorkflowError, match="an accepted offer"):
        advance(session, referral, S.AWARDED, today=TODAY)


def test_ipa_issued_needs_an_agreement_and_signed_needs_countersignature(session: Session) -> None:
    referral = referral_at(session, S.AWARDED)
    with pytest.raises(WorkflowError, match="an IPA for the placement"):
        advance(session, referral, S.IPA_ISSUED, today=TODAY)
    issued = referral_at(session, S.IPA_ISSUED)
    with pytest.raises(WorkflowError, match="countersigned by the provider"):
        advance(session, issued, S.IPA_SIGNED, today=TODAY)


def test_placed_waits_for_the_start_date(session: Session) -> None:
    referral = referral_at(session, S.IPA_SIGNED, today=dt.date(2026, 4, 1))
    with pytest.raises(WorkflowError, match="start date to arrive \\(01/04/2026\\)"):
        advance(session, referral, S.PLACED, today=dt.date(2026, 3, 31))
    advance(session, referral, S.PLACED, today=dt.date(2026, 4, 1))
    assert referral.status is S.PLACED


def test_withdrawing_needs_a_reason(session: Session) -> None:
    referral = referral_at(session, S.SENT)
    with pytest.raises(WorkflowError, match="reason the referral is withdrawn"):
        advance(session, referral, S.WITHDRAWN, today=TODAY, reason="  ")
    # Nor is a reason assumed when none is given at all.
    with pytest.raises(WorkflowError, match="reason the referral is withdrawn"):
        advance(session, referral, S.WITHDRAWN, today=TODAY)
    assert referral.status is not S.WITHDRAWN


def test_withdrawing_after_award_ends_the_placement_and_frees_the_vacancy(session: Session) -> None:
    referral = referral_at(session, S.IPA_ISSUED)
    placement = active_placement(session, referral)
    provider = placement.provider
    provider.vacancies = 0
    advance(session, referral, S.WITHDRAWN, today=TODAY, reason="Child returned home")
    assert referral.withdrawn_reason == "Child returned home"
    assert placement.end_date == TODAY and "withdrawn" in placement.end_reason
    assert provider.vacancies == 1


def test_withdrawing_rejects_open_offers(session: Session) -> None:
    referral = referral_at(session, S.OFFERS_RECEIVED)
    advance(session, referral, S.WITHDRAWN, today=TODAY, reason="Placed with family")
    assert [o.status for r in referral.recipients for o in r.offers] == [OfferStatus.REJECTED]


def test_end_placement_records_end_frees_vacancy_and_ends_referral(session: Session) -> None:
    referral = referral_at(session, S.PLACED, today=dt.date(2026, 1, 5))
    placement = active_placement(session, referral)
    placement.provider.vacancies = 0
    end_placement(session, placement, dt.date(2026, 3, 1), "Moved to staying put", today=TODAY)
    assert placement.end_date == dt.date(2026, 3, 1)
    assert placement.end_reason == "Moved to staying put"
    assert placement.provider.vacancies == 1
    assert referral.status is S.ENDED


def test_end_placement_never_exceeds_places(session: Session) -> None:
    referral = referral_at(session, S.PLACED)
    placement = active_placement(session, referral)
    placement.provider.vacancies = placement.provider.places
    end_placement(session, placement, TODAY, "Planned move", today=TODAY)
    assert placement.provider.vacancies == placement.provider.places


@pytest.mark.parametrize(
    ("end", "reason", "field"),
    [(dt.date(2026, 3, 3), "Planned move", "end_date"), (dt.date(2025, 1, 1), "Planned move", "end_date"),
     (TODAY, "", "end_reason")],
)
def test_end_placement_validates_its_input(session: Session, end: dt.date, reason: str, field: str) -> None:
    referral = referral_at(session, S.PLACED)
    placement = active_placement(session, referral)
    with pytest.raises(ValidationError) as exc:
        end_placement(session, placement, end, reason, today=TODAY)
    assert exc.value.field == field
    assert placement.end_date is None


def test_end_placement_refuses_before_the_child_moved_in(session: Session) -> None:
    referral = referral_at(session, S.IPA_SIGNED)
    with pytest.raises(WorkflowError, match="Withdraw the referral instead"):
        end_placement(session, active_placement(session, referral), TODAY, "x", today=TODAY)


def test_allowed_next_follows_the_design(session: Session) -> None:
    assert allowed_next(make_referral(session)) == [S.READY, S.WITHDRAWN]
    assert allowed_next(referral_at(session, S.PLACED)) == [S.ENDED]
    assert allowed_next(referral_at(session, S.WITHDRAWN)) == []


def test_next_action_tells_the_officer_what_to_do(session: Session) -> None:
    assert next_action(make_referral(session), TODAY) == "Complete the referral"
    assert next_action(referral_at(session, S.READY), TODAY) == "Send referral packs"
    sent = referral_at(session, S.SENT)
    sent.response_by = dt.date(2026, 3, 12)
    assert next_action(sent, TODAY) == "Chase responses (due 12/03/2026)"
    assert next_action(sent, dt.date(2026, 3, 13)) == "Chase responses (overdue since 12/03/2026)"
    assert next_action(referral_at(session, S.OFFERS_RECEIVED), TODAY) == "Compare 1 offer and award"
    assert next_action(referral_at(session, S.AWARDED), TODAY) == "Issue the IPA"
    assert next_action(referral_at(session, S.WITHDRAWN), TODAY) == "None: withdrawn"


# --- What the wizard tells the officer is left to do, word for word ----------------------------------

def test_ready_lists_everything_left_to_fill_in_in_form_order(session: Session) -> None:
    from placedesk.models import Child, Referral, ReferralFundingShare
    from placedesk.models.enums import FundingPartner
    from placedesk.services.referrals.workflow import missing_for

    # Built in memory, as the wizard holds a draft before saving it.
    nobody = Referral(ref="REF-W-1", status=S.DRAFT)
    assert missing_for(session, nobody, S.READY, today=TODAY) == [
        "the child (step 1)", "the placement type sought", "the required start date",
        "the funding partners and their shares"]
    undated = Referral(ref="REF-W-2", status=S.DRAFT, child=Child(case_reference="C-W", first_name="A",
                                                                   last_name="B", date_of_birth=None))
    undated.funding_shares.append(ReferralFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=3333))
    assert missing_for(session, undated, S.READY, today=TODAY) == [
        "the child's date of birth", "the placement type sought", "the required start date",
        "funding shares that add up to 100% (they add up to 33.33%)"]


def test_each_later_step_names_what_it_needs(session: Session) -> None:
    from placedesk.models.enums import RecipientResponse
    from placedesk.services.referrals.workflow import missing_for

    ready = referral_at(session, S.READY)
    assert missing_for(session, ready, S.SENT, today=TODAY) == [
        "at least one recipient provider (choose providers from the shortlist)"]
    unsent = referral_at(session, S.SENT)
    unsent.status, unsent.recipients[0].sent_on = S.READY, None
    assert missing_for(session, unsent, S.SENT, today=TODAY) == ["a referral pack sent to at least one recipient"]
    sent = referral_at(session, S.SENT)
    assert missing_for(session, sent, S.OFFERS_RECEIVED, today=TODAY) == [
        "an offer from at least one provider (record the offer first)"]
    # An offer the provider then declined (withdrawn with their decline) is not an offer received.
    declined = referral_at(session, S.OFFERS_RECEIVED)
    declined.status = S.SENT
    for recipient in declined.recipients:
        recipient.response = RecipientResponse.DECLINED
    assert missing_for(session, declined, S.OFFERS_RECEIVED, today=TODAY) == [
        "an offer from at least one provider (record the offer first)"]
    offered = referral_at(session, S.OFFERS_RECEIVED)
    assert missing_for(session, offered, S.AWARDED, today=TODAY) == [
        "an accepted offer (award one of the offers)", "the placement record made by the award"]
    awarded = referral_at(session, S.AWARDED)
    assert missing_for(session, awarded, S.IPA_ISSUED, today=TODAY) == [
        "an IPA for the placement (generate the agreement first)"]
    # With no placement record (the award makes it) the award and the agreement steps ask for it.
    unplaced = referral_at(session, S.AWARDED)
    session.delete(active_placement(session, unplaced))
    session.flush()
    assert missing_for(session, unplaced, S.IPA_ISSUED, today=TODAY) == ["the placement record made by the award"]
    unplaced.status = S.OFFERS_RECEIVED
    assert missing_for(session, unplaced, S.AWARDED, today=TODAY) == ["the placement record made by the award"]
    issued = referral_at(session, S.IPA_ISSUED)
    assert missing_for(session, issued, S.IPA_SIGNED, today=TODAY) == [
        "the IPA countersigned by the provider (import the countersigned PDF)"]
    signed = referral_at(session, S.IPA_SIGNED, today=dt.date(2026, 4, 1))
    assert missing_for(session, signed, S.PLACED, today=dt.date(2026, 3, 31)) == [
        "the placement start date to arrive (01/04/2026)"]
    placed = referral_at(session, S.PLACED)
    assert missing_for(session, placed, S.ENDED, today=TODAY) == [
        "the placement's end date and reason (end the placement)"]
    assert missing_for(session, placed, S.WITHDRAWN, today=TODAY) == ["a placed referral can only move to: ended"]
    assert missing_for(session, sent, S.WITHDRAWN, today=TODAY, reason=" ") == [
        "the reason the referral is withdrawn"]
    assert missing_for(session, sent, S.WITHDRAWN, today=TODAY) == ["the reason the referral is withdrawn"]
    withdrawn = referral_at(session, S.WITHDRAWN)
    assert missing_for(session, withdrawn, S.DRAFT, today=TODAY) == [
        "a withdrawn referral can only move to: nothing (it is closed)"]
    ended = referral_at(session, S.ENDED)
    assert missing_for(session, ended, S.DRAFT, today=TODAY) == [
        "an ended referral can only move to: nothing (it is closed)"]


def test_a_refused_step_says_where_from_where_to_and_everything_it_needs(session: Session) -> None:
    referral = make_referral(session, placement_type=None, required_start_date=None)
    with pytest.raises(WorkflowError) as exc:
        advance(session, referral, S.READY, today=TODAY)
    assert str(exc.value) == (f"Referral {referral.ref} cannot move from draft to ready: it needs the placement "
                              "type sought; the required start date.")
    with pytest.raises(WorkflowError) as exc:
        advance(session, referral, S.PLACED, today=TODAY)
    assert str(exc.value) == (f"Referral {referral.ref} cannot move from draft to placed: it needs a draft referral "
                              "can only move to: ready, withdrawn.")
