"""Providers' responses to a referral: offers with fee lines, declines with reasons, and comparing offers.

The first offer moves the referral from ``sent`` to ``offers_received``. A
provider that sends a revised offer replaces its open one (the old one is
marked withdrawn, kept for the record); a provider that declines after
offering withdraws its offer.

Annual cost rule (stated for officers and the README): the weekly total
times 52 weeks, the same rule the IPA prints, never 365/7.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Cap, Offer, OfferFeeLine, Referral, ReferralRecipient
from placedesk.models.enums import (
    CapStatus,
    ContractRoute,
    DeclineReason,
    FeeLineKind,
    FundingPartner,
    OfferStatus,
    OfstedJudgement,
    RecipientResponse,
    ReferralStatus,
)
from placedesk.services.common.labels import provider_label
from placedesk.services.referrals.funding import FULL_SHARE_BP, default_line_funding, split_by_element
from placedesk.services.referrals.matching import match_referral
from placedesk.services.common.parsing import MAX_PENCE, format_date
from placedesk.services.referrals.workflow import advance

WEEKS_PER_YEAR = 52
# (kind, description, weekly pence): how fee lines come in from the wizard and the CLI.
FeeLineInput = tuple[FeeLineKind, str, int]
_RESPONDING = (ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED)


def annual_cost(weekly_pence: int) -> int:
    """The annual cost of a weekly fee: 52 weeks."""
    return weekly_pence * WEEKS_PER_YEAR


def check_fee_lines(fee_lines: Sequence[FeeLineInput], field_name: str = "fee_lines") -> list[FeeLineInput]:
    """Clean fee lines (description defaults to the kind's label) or a ValidationError saying which line."""
    if not fee_lines:
        raise ValidationError("Add at least one fee line with its weekly amount.", field_name)
    cleaned: list[FeeLineInput] = []
    for number, (kind, description, pence) in enumerate(fee_lines, start=1):
        kind = FeeLineKind(kind)
        text = description.strip()
        if kind is FeeLineKind.OTHER and not text:
            raise ValidationError(f"Fee line {number}: describe what an 'Other' line pays for.", field_name)
        if not isinstance(pence, int) or isinstance(pence, bool):
            raise ValidationError(f"Fee line {number}: the amount must be whole pence.", field_name)
        if pence < 0:
            raise ValidationError(f"Fee line {number}: the weekly amount cannot be negative.", field_name)
        if pence > MAX_PENCE:
            raise ValidationError(f"Fee line {number}: the weekly amount is over £10,000,000; check it.", field_name)
        if len(text) > 300:
            raise ValidationError(f"Fee line {number}: the description is over 300 characters.", field_name)
        cleaned.append((kind, text or kind.label, pence))
    if sum(p for _, _, p in cleaned) <= 0:
        raise ValidationError("The weekly total is £0.00: enter the amounts offered.", field_name)
    return cleaned


def _check_can_respond(recipient: ReferralRecipient) -> Referral:
    referral = recipient.referral
    if referral.status not in _RESPONDING:
        raise WorkflowError(
            f"Referral {referral.ref} is {referral.status.label.lower()}: responses can only be recorded while it "
            "is sent or has offers."
        )
    if recipient.sent_on is None:
        raise WorkflowError(f"No referral pack has been sent to {recipient.provider.name} yet: send it first.")
    return referral


def record_offer(session: Session, recipient: ReferralRecipient, fee_lines: Sequence[FeeLineInput],
                 proposed_start: dt.date, conditions: str, expires_on: dt.date | None, *,
                 today: dt.date, needs_met: Mapping[str, str] | None = None) -> Offer:
    """Record ``recipient``'s offer; a revised offer replaces the open one.

    ``needs_met`` is how the provider says it will meet each of the referral's needs and
    risks (by code); only the referral's own codes are kept, and empty answers are dropped.
    """
    referral = _check_can_respond(recipient)
    lines = check_fee_lines(fee_lines)
    if proposed_start is None:
        raise ValidationError("Enter the start date the provider proposes.", "proposed_start")
    if expires_on is not None and expires_on < today:
        raise ValidationError("The offer's expiry date has already passed: check it.", "expires_on")
    for earlier in recipient.offers:
        if earlier.status is OfferStatus.OPEN:
            earlier.status = OfferStatus.WITHDRAWN
    stated = {*referral.needs, *referral.risks}
    answers = {code: text.strip() for code, text in (needs_met or {}).items() if code in stated and text.strip()}
    offer = Offer(received_on=today, proposed_start_date=proposed_start, expires_on=expires_on,
                  conditions=conditions.strip(), status=OfferStatus.OPEN, needs_met=answers)
    for position, (kind, description, pence) in enumerate(lines):
        offer.fee_lines.append(OfferFeeLine(position=position, kind=kind, description=description,
                                            weekly_amount_pence=pence))
    recipient.offers.append(offer)
    recipient.response = RecipientResponse.OFFERED
    recipient.responded_on = today
    recipient.decline_reason = None
    recipient.decline_notes = ""
    session.flush()
    if referral.status is ReferralStatus.SENT:
        advance(session, referral, ReferralStatus.OFFERS_RECEIVED, today=today)
    return offer


def record_decline(session: Session, recipient: ReferralRecipient, reason: DeclineReason, notes: str, *,
                   today: dt.date) -> None:
    """Record that ``recipient`` declined, with a reason from the standard list (and notes)."""
    _check_can_respond(recipient)
    reason = DeclineReason(reason)
    if reason is DeclineReason.OTHER and not notes.strip():
        raise ValidationError("Say why the provider declined when the reason is 'Other'.", "decline_notes")
    for offer in recipient.offers:
        if offer.status is OfferStatus.OPEN:
            offer.status = OfferStatus.WITHDRAWN
    recipient.response = RecipientResponse.DECLINED
    recipient.responded_on = today
    recipient.decline_reason = reason
    recipient.decline_notes = notes.strip()
    session.flush()


def open_offers(referral: Referral) -> list[Offer]:
    """The offers still open on ``referral``."""
    return [o for r in referral.recipients for o in r.offers if o.status is OfferStatus.OPEN]


@dataclass
class OfferComparison:
    """One open offer beside the others: cost, cost to each partner, quality and fit."""

    offer_id: uuid.UUID
    recipient_id: uuid.UUID
    provider_id: uuid.UUID
    provider_ref: str
    provider_name: str
    contract_route: ContractRoute
    fee_lines: list[FeeLineInput]
    weekly_total_pence: int
    annual_cost_pence: int
    # Weekly pence per funding partner, split to the penny (empty if the shares are not 100%).
    partner_weekly_pence: dict[FundingPartner, int]
    within_budget: bool | None
    proposed_start: dt.date | None
    expires_on: dt.date | None
    expired: bool
    conditions: str
    ofsted_judgement: OfstedJudgement
    distance_km: float | None
    match_score: float | None
    match_reasons: list[str] = field(default_factory=list)
    open_caps: int = 0
    # Set when the provider has since been closed to referrals (it then cannot be awarded).
    excluded_reason: str = ""


def compare_offers(session: Session, referral: Referral, *, today: dt.date) -> list[OfferComparison]:
    """Open offers side by side, cheapest weekly total first (ties by provider name)."""
    offers = open_offers(referral)
    if not offers:
        return []
    shares = {s.partner: s.share_bp for s in referral.funding_shares if s.share_bp > 0}
    shares_ok = sum(shares.values()) == FULL_SHARE_BP
    # Every provider an offer came from is compared, even one beyond the maximum distance
    # (the officer chose to send to it): only a closure to referrals marks it excluded here.
    match = match_referral(session, referral, today=today, include_beyond_limit=True)
    excluded = {e.provider_id: e.reason for e in match.excluded}
    provider_ids = [o.recipient.provider_id for o in offers]
    caps = dict(session.execute(
        select(Cap.provider_id, func.count()).where(
            Cap.provider_id.in_(provider_ids), Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED))
        ).group_by(Cap.provider_id)
    ).all())
    rows: list[OfferComparison] = []
    for offer in offers:
        recipient = offer.recipient
        provider = recipient.provider
        weekly = offer.weekly_total_pence
        row = match.row_for(provider.id)
        rows.append(OfferComparison(
            offer_id=offer.id, recipient_id=recipient.id, provider_id=provider.id, provider_ref=provider.ref,
            provider_name=provider_label(provider), contract_route=provider.contract_route,
            fee_lines=[(line.kind, line.description, line.weekly_amount_pence) for line in offer.fee_lines],
            weekly_total_pence=weekly, annual_cost_pence=annual_cost(weekly),
            # By element, as the Award page will first propose it: an education or health line
            # to that partner when it has a share, everything else by the shares.
            partner_weekly_pence=split_by_element(
                [(line.weekly_amount_pence, default_line_funding(line.kind, shares)) for line in offer.fee_lines],
                shares) if shares_ok else {},
            within_budget=None if referral.budget_ceiling_pence is None else weekly <= referral.budget_ceiling_pence,
            proposed_start=offer.proposed_start_date, expires_on=offer.expires_on,
            expired=offer.expires_on is not None and offer.expires_on < today, conditions=offer.conditions,
            ofsted_judgement=provider.ofsted_judgement,
            distance_km=row.distance_km if row else None, match_score=row.score if row else None,
            match_reasons=list(row.reasons) if row else list(recipient.match_reasons),
            open_caps=int(caps.get(provider.id, 0)), excluded_reason=excluded.get(provider.id, ""),
        ))
    rows.sort(key=lambda r: (r.weekly_total_pence, r.provider_name.casefold(), r.provider_ref))
    return rows


def describe_expiry(comparison: OfferComparison) -> str:
    """"Expires 12/03/2026", "Expired 01/03/2026" or "No expiry" for the comparison table."""
    if comparison.expires_on is None:
        return "No expiry"
    word = "Expired" if comparison.expired else "Expires"
    return f"{word} {format_date(comparison.expires_on)}"


__all__ = [
    "WEEKS_PER_YEAR",
    "FeeLineInput",
    "OfferComparison",
    "annual_cost",
    "check_fee_lines",
    "compare_offers",
    "describe_expiry",
    "open_offers",
    "record_decline",
    "record_offer",
]
