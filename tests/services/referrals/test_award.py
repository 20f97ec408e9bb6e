"""Awarding an offer: the placement, its fee lines and penny-exact funding split, and the rules around it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Cap, CapSanction, ReferralRecipient
from placedesk.models.enums import (
    AwardReason,
    CapSeverity,
    ContractRoute,
    FeeLineKind,
    FundingPartner,
    OfferStatus,
    ReferralStatus,
    SanctionKind,
)
from placedesk.models.enums import LineFunding
from placedesk.services.referrals.award import award, award_proposal
from placedesk.services.referrals.funding import split_weekly
from placedesk.services.referrals.offers import record_offer
from tests.services.referrals.helpers import TODAY, make_provider, referral_at

K = FeeLineKind
P = FundingPartner
THIRDS = {P.SOCIAL_CARE: 3333, P.EDUCATION: 3333, P.HEALTH: 3334}


def _with_offers(session: Session, *routes: ContractRoute):
    """A referral with one open offer per provider route given (names A, B, C...)."""
    referral = referral_at(session, ReferralStatus.SENT)
    referral.recipients.clear()
    session.flush()
    offers = []
    for n, route in enumerate(routes):
        recipient = ReferralRecipient(provider=make_provider(session, "ABCDE"[n] + " House", contract_route=route,
                                                             vacancies=2), sent_on=TODAY)
        referral.recipients.append(recipient)
        session.flush()
        offers.append(record_offer(session, recipient, [(K.CORE, "Core", 400000 + n), (K.EDUCATION, "School", 50000)],
                                   TODAY + dt.timedelta(days=14), "", None, today=TODAY))
    return referral, offers


def _award(session: Session, referral, offer, **kw: object):
    values: dict[str, object] = dict(
        fee_lines=[(K.CORE, "Core (negotiated)", 390000), (K.EDUCATION, "School", 50001)], shares_bp=THIRDS,
        reason=AwardReason.VALUE, justification="Lowest cost with a Good judgement", approved_by="Head of Service",
        start_date=TODAY + dt.timedelta(days=14), today=TODAY, laptop_id="7f3a",
    )
    values.update(kw)
    return award(session, referral, offer, **values)


def test_award_creates_the_placement_with_penny_exact_shares(session: Session) -> None:
    referral, (chosen, other) = _with_offers(session, ContractRoute.FRAMEWORK, ContractRoute.FRAMEWORK)
    provider = chosen.recipient.provider
    placement = _award(session, referral, chosen)
    assert placement.ref == "PLC-7F3A-0001"
    assert referral.status is ReferralStatus.AWARDED
    assert placement.weekly_total_pence == 440001
    assert [(l.description, l.weekly_amount_pence) for l in placement.fee_lines] == [
        ("Core (negotiated)", 390000), ("School", 50001)]
    amounts = {s.partner: s.weekly_amount_pence for s in placement.funding_shares}
    # 33.33% of £4,400.01 is £1,466.52(33); the leftover penny goes to the largest remainder (health).
    assert amounts == {P.SOCIAL_CARE: 146652, P.EDUCATION: 146652, P.HEALTH: 146697}
    assert sum(amounts.values()) == placement.weekly_total_pence
    assert chosen.status is OfferStatus.ACCEPTED and other.status is OfferStatus.REJECTED
    assert provider.vacancies == 1
    assert placement.approved_by == "Head of Service" and placement.approved_on == TODAY
    assert placement.award_reason is AwardReason.VALUE


def test_second_award_gets_the_next_reference(session: Session) -> None:
    first, (a,) = _with_offers(session, ContractRoute.FRAMEWORK)
    second, (b,) = _with_offers(session, ContractRoute.FRAMEWORK)
    _award(session, first, a)
    assert _award(session, second, b).ref == "PLC-7F3A-0002"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"shares_bp": {P.SOCIAL_CARE: 5000, P.HEALTH: 4999}}, "funding"), ({"justification": " "}, "justification"),
     ({"approved_by": ""}, "approved_by"), ({"fee_lines": []}, "fee_lines"),
     ({"start_date": TODAY - dt.timedelta(days=1)}, "start_date")],
)
def test_award_names_the_field_to_fix(session: Session, change: dict[str, object], field: str) -> None:
    referral, (offer,) = _with_offers(session, ContractRoute.FRAMEWORK)
    with pytest.raises(ValidationError) as exc:
        _award(session, referral, offer, **change)
    assert exc.value.field == field
    assert referral.status is ReferralStatus.OFFERS_RECEIVED and offer.status is OfferStatus.OPEN


def test_spot_over_framework_needs_a_recorded_reason(session: Session) -> None:
    referral, (framework, spot) = _with_offers(session, ContractRoute.FRAMEWORK, ContractRoute.SPOT)
    assert award_proposal(referral, spot).needs_spot_reason
    assert not award_proposal(referral, framework).needs_spot_reason
    with pytest.raises(ValidationError, match=r"spot provider and framework/DPV offers are open \(A House\)") as exc:
        _award(session, referral, spot)
    assert exc.value.field == "spot_reason"
    placement = _award(session, referral, spot, spot_reason="Only provider able to keep the child at her school")
    assert referral.spot_reason.startswith("Only provider")
    assert placement.provider.contract_route is ContractRoute.SPOT


def test_expired_or_closed_offers_cannot_be_awarded(session: Session) -> None:
    referral, (offer,) = _with_offers(session, ContractRoute.DPV)
    offer.expires_on = TODAY - dt.timedelta(days=1)
    with pytest.raises(WorkflowError, match="expired on 01/03/2026"):
        _award(session, referral, offer)
    offer.expires_on = None
    offer.status = OfferStatus.WITHDRAWN
    with pytest.raises(WorkflowError, match="choose an open offer"):
        _award(session, referral, offer)


def test_restricted_provider_cannot_be_awarded(session: Session) -> None:
    referral, (offer,) = _with_offers(session, ContractRoute.FRAMEWORK)
    cap = Cap(ref="CAP-R-1", provider_id=offer.recipient.provider.id, issue="Restraint incidents",
              severity=CapSeverity.CRITICAL, opened_on=TODAY)
    cap.sanctions.append(CapSanction(kind=SanctionKind.RESTRICT_REFERRALS, imposed_on=TODAY))
    session.add(cap)
    session.flush()
    with pytest.raises(WorkflowError, match="cannot be awarded new placements: Restriction of new referrals"):
        _award(session, referral, offer)


def test_award_needs_offers_received(session: Session) -> None:
    referral = referral_at(session, ReferralStatus.AWARDED)
    offer = referral.recipients[0].offers[0]
    with pytest.raises(WorkflowError, match="only a referral with offers can be awarded"):
        _award(session, referral, offer)


def test_award_proposal_starts_from_the_offer(session: Session) -> None:
    referral, (offer,) = _with_offers(session, ContractRoute.FRAMEWORK)
    proposal = award_proposal(referral, offer)
    assert proposal.fee_lines == [(K.CORE, "Core", 400000), (K.EDUCATION, "School", 50000)]
    assert proposal.shares_bp == {P.SOCIAL_CARE: 10000}
    assert proposal.start_date == TODAY + dt.timedelta(days=14)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10_000_000_00), st.integers(0, 10000), st.integers(0, 10000))
def test_rounding_rule_sums_exactly_and_stays_within_a_penny(total: int, a: int, b: int) -> None:
    a, b = sorted((a, b))
    shares = {P.SOCIAL_CARE: a, P.EDUCATION: b - a, P.HEALTH: 10000 - b}
    split = split_weekly(total, shares)
    assert sum(split.values()) == total
    for partner, bp in shares.items():
        assert abs(split[partner] * 10000 - total * bp) < 10000


def test_an_education_line_funded_by_education_alone_is_not_split_by_the_shares(session: Session) -> None:
    referral, (chosen,) = _with_offers(session, ContractRoute.FRAMEWORK)
    placement = _award(session, referral, chosen, funded_by=[LineFunding.SHARED, LineFunding.EDUCATION])
    # Core £3,900.00 split 33.33/33.33/33.34: £1,299.87, £1,299.87, £1,300.26 exactly; education adds £500.01.
    amounts = {s.partner: s.weekly_amount_pence for s in placement.funding_shares}
    assert amounts == {P.SOCIAL_CARE: 129987, P.EDUCATION: 129987 + 50001, P.HEALTH: 130026}
    assert [line.funded_by for line in placement.fee_lines] == [LineFunding.SHARED, LineFunding.EDUCATION]


def test_more_funding_choices_than_lines_is_refused(session: Session) -> None:
    referral, (chosen,) = _with_offers(session, ContractRoute.FRAMEWORK)
    with pytest.raises(ValidationError, match="one choice per line"):
        _award(session, referral, chosen, funded_by=[LineFunding.SHARED] * 3)


def test_the_proposal_gives_an_education_or_health_line_to_that_partner_only_in_a_shared_placement() -> None:
    from types import SimpleNamespace

    from placedesk.services.referrals.award import default_line_funding

    def referral(*partners: P) -> object:
        return SimpleNamespace(funding_shares=[SimpleNamespace(partner=p, share_bp=5000) for p in partners])

    tri = referral(P.SOCIAL_CARE, P.EDUCATION)
    assert default_line_funding(K.EDUCATION, tri) is LineFunding.EDUCATION
    assert default_line_funding(K.CORE, tri) is LineFunding.SHARED
    # Health has no share here: its line stays shared; a single funder needs no split at all.
    assert default_line_funding(K.HEALTH_THERAPY, tri) is LineFunding.SHARED
    assert default_line_funding(K.EDUCATION, referral(P.EDUCATION)) is LineFunding.SHARED
