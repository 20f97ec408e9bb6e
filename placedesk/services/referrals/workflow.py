"""The referral state machine of DESIGN.md, with every transition checked.

::

    draft -> ready -> sent -> offers_received -> awarded -> ipa_issued
          -> ipa_signed -> placed -> ended
    (any state before placed) -> withdrawn

A ready referral may also go back to draft to be edited. :func:`advance` is
the only place a referral's status changes; it refuses a step whose
conditions are not met with a :class:`WorkflowError` that names what is
missing, so the officer knows what to do next. Other services (sending,
offers, award, the IPA) do their work and then call :func:`advance`.

Vacancies follow the placement: an award takes one (in :mod:`award`),
ending a placement or withdrawing an awarded referral gives it back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Agreement, Placement, Referral
from placedesk.models.enums import AgreementStatus, OfferStatus, RecipientResponse, ReferralStatus
from placedesk.services.referrals.funding import FULL_SHARE_BP
from placedesk.services.common.parsing import format_date, format_percent

S = ReferralStatus

# The structural graph; each step's conditions are checked by _missing_for.
TRANSITIONS: dict[ReferralStatus, tuple[ReferralStatus, ...]] = {
    S.DRAFT: (S.READY, S.WITHDRAWN),
    S.READY: (S.SENT, S.DRAFT, S.WITHDRAWN),
    S.SENT: (S.OFFERS_RECEIVED, S.WITHDRAWN),
    S.OFFERS_RECEIVED: (S.AWARDED, S.WITHDRAWN),
    S.AWARDED: (S.IPA_ISSUED, S.WITHDRAWN),
    S.IPA_ISSUED: (S.IPA_SIGNED, S.WITHDRAWN),
    S.IPA_SIGNED: (S.PLACED, S.WITHDRAWN),
    S.PLACED: (S.ENDED,),
    S.ENDED: (),
    S.WITHDRAWN: (),
}

# States whose referral still has work to do (lists, "days open").
OPEN_STATES = frozenset(s for s in ReferralStatus if s not in (S.PLACED, S.ENDED, S.WITHDRAWN))


def allowed_next(referral: Referral) -> list[ReferralStatus]:
    """The states the referral's current state leads to (conditions not yet checked)."""
    return list(TRANSITIONS[referral.status])


def active_placement(session: Session, referral: Referral) -> Placement | None:
    """The referral's placement that has not ended, if it has been awarded."""
    return session.scalars(
        select(Placement)
        .where(Placement.referral_id == referral.id, Placement.end_date.is_(None))
        .order_by(Placement.created_at.desc())
    ).first()


def _current_agreement(session: Session, placement: Placement) -> Agreement | None:
    return session.scalars(
        select(Agreement)
        .where(Agreement.placement_id == placement.id, Agreement.status != AgreementStatus.SUPERSEDED)
        .order_by(Agreement.version_number.desc())
    ).first()


def missing_for(session: Session, referral: Referral, to: ReferralStatus, *, today: dt.date,
                reason: str = "") -> list[str]:
    """What stops ``referral`` moving to ``to`` now; empty when the step is allowed.

    The wizard uses this to say, before the officer presses Next, what is left to do.
    """
    if to not in TRANSITIONS[referral.status]:
        options = ", ".join(s.label.lower() for s in TRANSITIONS[referral.status]) or "nothing (it is closed)"
        status = referral.status.label.lower()
        article = "an" if status[:1] in "aeiou" else "a"
        return [f"{article} {status} referral can only move to: {options}"]
    missing: list[str] = []
    if to is S.READY:
        child = referral.child
        if child is None:
            missing.append("the child (step 1)")
        elif child.date_of_birth is None:
            missing.append("the child's date of birth")
        if referral.placement_type is None:
            missing.append("the placement type sought")
        if referral.required_start_date is None:
            missing.append("the required start date")
        total = sum(share.share_bp for share in referral.funding_shares)
        if not referral.funding_shares:
            missing.append("the funding partners and their shares")
        elif total != FULL_SHARE_BP:
            missing.append(f"funding shares that add up to 100% (they add up to {format_percent(total)})")
    elif to is S.SENT:
        if not referral.recipients:
            missing.append("at least one recipient provider (choose providers from the shortlist)")
        elif not any(r.sent_on for r in referral.recipients):
            missing.append("a referral pack sent to at least one recipient")
    elif to is S.OFFERS_RECEIVED:
        if not any(r.response is RecipientResponse.OFFERED and r.offers for r in referral.recipients):
            missing.append("an offer from at least one provider (record the offer first)")
    elif to is S.AWARDED:
        accepted = [o for r in referral.recipients for o in r.offers if o.status is OfferStatus.ACCEPTED]
        if not accepted:
            missing.append("an accepted offer (award one of the offers)")
        if active_placement(session, referral) is None:
            missing.append("the placement record made by the award")
    elif to in (S.IPA_ISSUED, S.IPA_SIGNED, S.PLACED):
        placement = active_placement(session, referral)
        if placement is None:
            missing.append("the placement record made by the award")
        else:
            agreement = _current_agreement(session, placement)
            if to is S.IPA_ISSUED and agreement is None:
                missing.append("an IPA for the placement (generate the agreement first)")
            if to is S.IPA_SIGNED and (agreement is None or agreement.status is not AgreementStatus.COUNTERSIGNED):
                missing.append("the IPA countersigned by the provider (import the countersigned PDF)")
            if to is S.PLACED and placement.start_date > today:
                missing.append(f"the placement start date to arrive ({format_date(placement.start_date)})")
    elif to is S.ENDED:
        if session.scalars(
            select(Placement.id).where(Placement.referral_id == referral.id, Placement.end_date.is_not(None))
        ).first() is None or active_placement(session, referral) is not None:
            missing.append("the placement's end date and reason (end the placement)")
    elif to is S.WITHDRAWN:
        if not reason.strip():
            missing.append("the reason the referral is withdrawn")
    return missing


def advance(session: Session, referral: Referral, to: ReferralStatus, *, today: dt.date,
            reason: str = "") -> None:
    """Move ``referral`` to ``to`` or raise :class:`WorkflowError` naming what is missing.

    ``reason`` is required for ``withdrawn`` and recorded on the referral.
    Withdrawing an awarded referral ends its placement record before the
    child moved in and gives the provider's vacancy back.
    """
    missing = missing_for(session, referral, to, today=today, reason=reason)
    if missing:
        raise WorkflowError(
            f"Referral {referral.ref} cannot move from {referral.status.label.lower()} to "
            f"{to.label.lower()}: it needs " + "; ".join(missing) + "."
        )
    if to is S.WITHDRAWN:
        referral.withdrawn_reason = reason.strip()
        placement = active_placement(session, referral)
        if placement is not None:
            placement.end_date = max(today, placement.start_date)
            placement.end_reason = f"Referral withdrawn before the child moved in: {reason.strip()}"
            _free_vacancy(placement)
        for recipient in referral.recipients:
            for offer in recipient.offers:
                if offer.status is OfferStatus.OPEN:
                    offer.status = OfferStatus.REJECTED
    referral.status = to
    session.flush()


def _free_vacancy(placement: Placement) -> None:
    provider = placement.provider
    provider.vacancies = min(provider.places, provider.vacancies + 1)


def end_placement(session: Session, placement: Placement, end_date: dt.date, reason: str, *,
                  today: dt.date) -> None:
    """Record that a placement ended, give the provider its vacancy back, close the referral."""
    if placement.end_date is not None:
        raise WorkflowError(f"Placement {placement.ref} already ended on {format_date(placement.end_date)}.")
    if not reason.strip():
        raise ValidationError("Say why the placement ended.", "end_reason")
    if end_date < placement.start_date:
        raise ValidationError(
            f"The end date cannot be before the start date ({format_date(placement.start_date)}).", "end_date"
        )
    if end_date > today:
        raise ValidationError(
            "The end date cannot be in the future: record the placement's planned end date instead.", "end_date"
        )
    referral = placement.referral
    if referral is not None and referral.status is not S.PLACED:
        raise WorkflowError(
            f"Placement {placement.ref} cannot end: its referral {referral.ref} is "
            f"{referral.status.label.lower()}, not placed. Withdraw the referral instead if the child never moved in."
        )
    placement.end_date = end_date
    placement.end_reason = reason.strip()
    _free_vacancy(placement)
    session.flush()
    if referral is not None:
        advance(session, referral, S.ENDED, today=today)


def next_action(referral: Referral, today: dt.date) -> str:
    """What the officer should do next, in a few words, for the Referrals tab."""
    status = referral.status
    if status is S.DRAFT:
        return "Complete the referral"
    if status is S.READY:
        return "Send referral packs"
    if status is S.SENT:
        awaiting = sum(1 for r in referral.recipients if r.response is RecipientResponse.AWAITING)
        if referral.response_by is None:
            return f"Chase responses ({awaiting} awaited)"
        if referral.response_by < today:
            return f"Chase responses (overdue since {format_date(referral.response_by)})"
        return f"Chase responses (due {format_date(referral.response_by)})"
    if status is S.OFFERS_RECEIVED:
        offers = sum(1 for r in referral.recipients for o in r.offers if o.status is OfferStatus.OPEN)
        if not offers:
            return "Chase responses: no offer is open"
        return f"Compare {offers} offer{'s' if offers != 1 else ''} and award"
    if status is S.AWARDED:
        return "Issue the IPA"
    if status is S.IPA_ISSUED:
        return "Get the IPA countersigned"
    if status is S.IPA_SIGNED:
        return "Confirm the child has moved in"
    if status is S.PLACED:
        return "Monitor the placement"
    if status is S.ENDED:
        return "None: placement ended"
    return "None: withdrawn"


__all__ = [
    "OPEN_STATES",
    "TRANSITIONS",
    "active_placement",
    "advance",
    "allowed_next",
    "end_placement",
    "missing_for",
    "next_action",
]
