"""Awarding a referral: the chosen offer becomes a placement with agreed fee lines and funding split.

The negotiated fee lines may differ from the offer. Each line is funded by one
partner alone or shared by the agreed shares (funding by element). Funding
shares must add up to 100%, and the shared lines' total is split to the penny
by :func:`placedesk.services.referrals.funding.split_weekly` (its rounding rule:
each partner's share rounded down, leftover pence to the largest remainders,
ties to the partner listed first), so the partners' amounts always add up to
the weekly total exactly.

Framework before spot: awarding a spot provider while a framework or DPV
offer is open needs the referral's ``spot_reason`` recorded. The award takes
one of the provider's vacancies and moves the referral to ``awarded``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Offer, Placement, PlacementFeeLine, PlacementFundingShare, Referral
from placedesk.models.enums import AwardReason, ContractRoute, FeeLineKind, FundingPartner, LineFunding, OfferStatus, ReferralStatus
from placedesk.services.referrals.funding import (
    default_line_funding as proposed_line_funding,
    refresh_placement_funding,
    split_by_element,
)
from placedesk.services.referrals.offers import FeeLineInput, check_fee_lines, open_offers
from placedesk.services.common.parsing import format_date
from placedesk.services.common.refs import next_ref
from placedesk.services.monitoring.restrictions import active_restrictions
from placedesk.services.referrals.workflow import advance

_PREFERRED_ROUTES = (ContractRoute.FRAMEWORK, ContractRoute.DPV)


@dataclass
class AwardProposal:
    """What the award page starts from: the offer's fee lines, the referral's shares, the proposed start."""

    fee_lines: list[FeeLineInput]
    shares_bp: dict[FundingPartner, int]
    start_date: dt.date | None
    # Set when the offer is from a spot provider while framework/DPV offers are open.
    needs_spot_reason: bool
    # Who funds each fee line, in the order of ``fee_lines``.
    funded_by: list[LineFunding]


def award_proposal(referral: Referral, offer: Offer) -> AwardProposal:
    """Defaults for the award page, for the officer to negotiate from."""
    return AwardProposal(
        fee_lines=[(line.kind, line.description, line.weekly_amount_pence) for line in offer.fee_lines],
        shares_bp={s.partner: s.share_bp for s in referral.funding_shares},
        start_date=offer.proposed_start_date or referral.required_start_date,
        needs_spot_reason=_framework_alternatives(referral, offer) != [],
        funded_by=[default_line_funding(line.kind, referral) for line in offer.fee_lines],
    )


def default_line_funding(kind: FeeLineKind, referral: Referral) -> LineFunding:
    """An education or health line is proposed as funded by that partner when it has a share; else shared."""
    return proposed_line_funding(kind, (s.partner for s in referral.funding_shares if s.share_bp > 0))


def _framework_alternatives(referral: Referral, offer: Offer) -> list[str]:
    """Names of framework/DPV providers with open offers, when ``offer`` is a spot one."""
    if offer.recipient.provider.contract_route in _PREFERRED_ROUTES:
        return []
    return sorted(
        o.recipient.provider.name for o in open_offers(referral)
        if o is not offer and o.recipient.provider.contract_route in _PREFERRED_ROUTES
    )


def _laptop_id() -> str:
    from placedesk.config import ensure_laptop_id, load_settings

    return ensure_laptop_id(load_settings().settings)


def award(session: Session, referral: Referral, offer: Offer, fee_lines: Sequence[FeeLineInput],
          shares_bp: Mapping[FundingPartner, int], reason: AwardReason, justification: str, approved_by: str,
          start_date: dt.date, *, today: dt.date, spot_reason: str | None = None,
          laptop_id: str | None = None, funded_by: Sequence[LineFunding] = ()) -> Placement:
    """Award ``offer``: create the placement, accept the offer, reject the others, take a vacancy.

    ``spot_reason``, when given, is recorded on the referral first (the wizard
    asks for it when :attr:`AwardProposal.needs_spot_reason`). ``laptop_id``
    defaults to this laptop's id from the settings. ``funded_by`` says who funds
    each fee line, in order (lines beyond it are shared by the agreed shares).
    """
    if referral.status is not ReferralStatus.OFFERS_RECEIVED:
        raise WorkflowError(
            f"Referral {referral.ref} is {referral.status.label.lower()}: only a referral with offers can be awarded."
        )
    if offer.recipient.referral_id != referral.id and offer.recipient.referral is not referral:
        raise ValidationError("That offer belongs to another referral.", "offer")
    if offer.status is not OfferStatus.OPEN:
        raise WorkflowError(f"The offer from {offer.recipient.provider.name} is {offer.status.label.lower()}: "
                            "choose an open offer.")
    if offer.expires_on is not None and offer.expires_on < today:
        raise WorkflowError(
            f"The offer from {offer.recipient.provider.name} expired on {format_date(offer.expires_on)}: ask the "
            "provider to confirm it and record the renewed offer."
        )
    lines = check_fee_lines(fee_lines)
    shares = {FundingPartner(p): bp for p, bp in shares_bp.items() if bp > 0}
    if len(funded_by) > len(lines):
        raise ValidationError("Say who funds each fee line, one choice per line.", "fee_lines")
    funding = [LineFunding(f) for f in funded_by] + [LineFunding.SHARED] * (len(lines) - len(funded_by))
    split_by_element(((pence, f) for (_, _, pence), f in zip(lines, funding)), shares)
    reason = AwardReason(reason)
    if not justification.strip():
        raise ValidationError("Record why this offer was chosen (value, quality, proximity).", "justification")
    if not approved_by.strip():
        raise ValidationError("Record who approved the award.", "approved_by")
    if start_date is None:
        raise ValidationError("Enter the placement start date.", "start_date")
    if referral.referred_on is not None and start_date < referral.referred_on:
        raise ValidationError(
            f"The start date is before the referral was made ({format_date(referral.referred_on)}).", "start_date"
        )
    provider = offer.recipient.provider
    restriction = active_restrictions(session, today, [provider.id]).get(provider.id)
    if restriction:
        raise WorkflowError(f"{provider.name} cannot be awarded new placements: {restriction}.")
    if spot_reason is not None:
        referral.spot_reason = spot_reason.strip()
    alternatives = _framework_alternatives(referral, offer)
    if alternatives and not referral.spot_reason.strip():
        raise ValidationError(
            f"{provider.name} is a spot provider and framework/DPV offers are open ({', '.join(alternatives)}): "
            "record why the spot provider is chosen.", "spot_reason",
        )

    placement = Placement(
        ref=next_ref(session, Placement.ref, "PLC", laptop_id or _laptop_id()),
        referral_id=referral.id, child_id=referral.child_id, provider=provider, offer=offer,
        placement_type=referral.placement_type, start_date=start_date,
        placement_address=", ".join(x for x in (provider.address_line1, provider.address_line2, provider.town,
                                                provider.postcode) if x),
        award_reason=reason, award_justification=justification.strip(), approved_by=approved_by.strip(),
        approved_on=today,
    )
    for position, ((kind, description, pence), line_funding) in enumerate(zip(lines, funding)):
        placement.fee_lines.append(PlacementFeeLine(position=position, kind=kind, description=description,
                                                    weekly_amount_pence=pence, funded_by=line_funding))
    for partner in FundingPartner:
        if partner in shares:
            placement.funding_shares.append(PlacementFundingShare(partner=partner, share_bp=shares[partner],
                                                                  weekly_amount_pence=0))
    refresh_placement_funding(placement)
    session.add(placement)
    for other in open_offers(referral):
        other.status = OfferStatus.ACCEPTED if other is offer else OfferStatus.REJECTED
    provider.vacancies = max(0, provider.vacancies - 1)
    session.flush()
    advance(session, referral, ReferralStatus.AWARDED, today=today)
    return placement


__all__ = ["AwardProposal", "award", "award_proposal", "default_line_funding"]
