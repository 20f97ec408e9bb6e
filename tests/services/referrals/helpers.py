"""Builders for referrals, providers and children in any workflow state, for service tests.

They write the records directly (not through the services under test), so a
workflow test can start from, say, an awarded referral without depending on
the award service.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from placedesk.models import (
    Agreement,
    Child,
    Offer,
    OfferFeeLine,
    Placement,
    Provider,
    Referral,
    ReferralFundingShare,
    ReferralRecipient,
)
from placedesk.models.enums import (
    AgreementStatus,
    ContractRoute,
    FeeLineKind,
    FundingPartner,
    OfferStatus,
    OfstedJudgement,
    PlacementType,
    ProviderType,
    RecipientResponse,
    ReferralStatus,
)

TODAY = dt.date(2026, 3, 2)
ORDER = [
    ReferralStatus.DRAFT, ReferralStatus.READY, ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED,
    ReferralStatus.AWARDED, ReferralStatus.IPA_ISSUED, ReferralStatus.IPA_SIGNED, ReferralStatus.PLACED,
    ReferralStatus.ENDED,
]
_counter = itertools.count(1)


def make_child(session: Session, **kw: object) -> Child:
    n = next(_counter)
    values: dict[str, object] = dict(
        case_reference=f"CASE-{n:05d}", first_name="Jordan", last_name="Whitfield",
        date_of_birth=dt.date(2012, 5, 17), gender="Male", ethnicity="White British",
        religion="None", language="English", home_local_authority="Sheffield", home_postcode="S10 2TN",
    )
    values.update(kw)
    child = Child(**values)
    session.add(child)
    session.flush()
    return child


def make_provider(session: Session, name: str = "Oak House", **kw: object) -> Provider:
    n = next(_counter)
    values: dict[str, object] = dict(
        ref=f"PRV-T-{n:04d}", name=name, provider_type=ProviderType.CHILDRENS_HOME, places=4, vacancies=1,
        ofsted_judgement=OfstedJudgement.GOOD, contract_route=ContractRoute.FRAMEWORK,
        local_authority="Sheffield", postcode="S10 1AA",
    )
    values.update(kw)
    provider = Provider(**values)
    session.add(provider)
    session.flush()
    return provider


def make_referral(session: Session, *, child: Child | None = None, **kw: object) -> Referral:
    """A draft referral with everything ``ready`` needs (type, start date, 100% funding)."""
    n = next(_counter)
    values: dict[str, object] = dict(
        ref=f"REF-T-{n:04d}", placement_type=PlacementType.CHILDRENS_HOME, required_start_date=TODAY,
        referred_on=TODAY, needs=["emotional_behavioural"], risks=["missing"], max_distance_km=50.0,
        budget_ceiling_pence=450000,
    )
    values.update(kw)
    referral = Referral(child=child or make_child(session), **values)
    referral.funding_shares.append(ReferralFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=10000))
    session.add(referral)
    session.flush()
    return referral


def add_offer(session: Session, referral: Referral, provider: Provider, weekly_pence: int = 400000,
              *, sent_on: dt.date = TODAY) -> Offer:
    recipient = next((r for r in referral.recipients if r.provider is provider), None)
    if recipient is None:
        recipient = ReferralRecipient(provider=provider, sent_on=sent_on)
        referral.recipients.append(recipient)
    recipient.response = RecipientResponse.OFFERED
    recipient.responded_on = sent_on
    offer = Offer(received_on=sent_on, proposed_start_date=referral.required_start_date)
    offer.fee_lines.append(OfferFeeLine(kind=FeeLineKind.CORE, description="Core fee", weekly_amount_pence=weekly_pence))
    recipient.offers.append(offer)
    session.flush()
    return offer


def referral_at(session: Session, status: ReferralStatus, *, today: dt.date = TODAY) -> Referral:
    """A referral in ``status`` whose records satisfy every earlier step."""
    referral = make_referral(session)
    if status is ReferralStatus.WITHDRAWN:
        referral.status = status
        referral.withdrawn_reason = "Child returned home"
        session.flush()
        return referral
    reached = ORDER.index(status)
    provider = make_provider(session)
    if reached >= ORDER.index(ReferralStatus.SENT):
        referral.recipients.append(ReferralRecipient(provider=provider, sent_on=today))
    if reached >= ORDER.index(ReferralStatus.OFFERS_RECEIVED):
        offer = add_offer(session, referral, provider)
    if reached >= ORDER.index(ReferralStatus.AWARDED):
        offer.status = OfferStatus.ACCEPTED
        placement = Placement(
            ref=f"PLC-{referral.ref}", referral_id=referral.id, child_id=referral.child_id, provider=provider,
            offer=offer, placement_type=PlacementType.CHILDRENS_HOME, start_date=today,
        )
        session.add(placement)
        session.flush()
    if reached >= ORDER.index(ReferralStatus.IPA_ISSUED):
        agreement = Agreement(placement=placement, ref=f"IPA-{placement.ref}", issued_on=today)
        session.add(agreement)
    if reached >= ORDER.index(ReferralStatus.IPA_SIGNED):
        agreement.status = AgreementStatus.COUNTERSIGNED
    if reached >= ORDER.index(ReferralStatus.ENDED):
        placement.end_date = today
        placement.end_reason = "Planned move"
    referral.status = status
    session.flush()
    return referral
