"""Steps of the referral wizard that the referral services do not cover.

- The Child page's "Find" fills the form from a child already in PlaceDesk,
  so a second referral for the same child reuses their record rather than
  the officer typing it again.
- Leaving the Offers page for the Award page needs an open offer to award.
- Saving the Match page's choice from the shortlist the page has just made:
  :func:`placedesk.services.referrals.choose_recipients` ranks the whole
  directory again to find each provider's score (about 300 ms on a large
  directory), which the wizard must not pay on every page change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError, WorkflowError
from placedesk.models import Child, Referral, ReferralRecipient
from placedesk.models.enums import ReferralStatus
from placedesk.services.matching import MatchResult
from placedesk.services.offers import open_offers
from placedesk.services.referrals import set_wizard_step
from placedesk.services.restrictions import active_restrictions

SEND_STEP, AWARD_STEP = 3, 5
# States in which providers may still be chosen (as referrals.choose_recipients allows).
_CHOOSING = (ReferralStatus.DRAFT, ReferralStatus.READY, ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED)


def find_child(session: Session, case_reference: str) -> Child | None:
    """The child with this case reference (surrounding spaces and letter case ignored), or None."""
    wanted = case_reference.strip()
    if not wanted:
        return None
    exact = session.scalars(select(Child).where(Child.case_reference == wanted)).first()
    if exact is not None:
        return exact
    # Case-management references are often typed in a different case than they were stored.
    return session.scalars(select(Child).where(Child.case_reference.ilike(wanted))).first()


def finish_offers(session: Session, referral: Referral) -> None:
    """Move the wizard on to the award, refusing while there is no open offer to award."""
    if referral.status is not ReferralStatus.OFFERS_RECEIVED or not open_offers(referral):
        waiting = sum(1 for r in referral.recipients if r.response.value == "awaiting")
        raise WorkflowError(
            "There is no open offer to award yet: record an offer from at least one provider "
            f"({waiting} still to answer), or withdraw the referral if none can offer."
        )
    set_wizard_step(session, referral, max(referral.wizard_step, AWARD_STEP))


def choose_from_shortlist(session: Session, referral: Referral, shortlist: MatchResult,
                          provider_ids: Sequence[uuid.UUID], *, today: dt.date) -> list[ReferralRecipient]:
    """Record the providers chosen from ``shortlist`` (made for this referral), with their scores and reasons.

    The same rules as :func:`placedesk.services.referrals.choose_recipients`: providers
    already sent a pack stay, unsent ones not chosen again are dropped, and an excluded
    provider is refused with its reason. A provider closed to referrals since the
    shortlist was made is refused too.
    """
    if referral.status not in _CHOOSING:
        raise WorkflowError(f"Referral {referral.ref} is {referral.status.label.lower()}: no more providers can be chosen.")
    if shortlist.referral_ref != referral.ref:
        raise ValidationError("That shortlist was made for another referral: refresh it.", "providers")
    chosen = list(dict.fromkeys(provider_ids))
    if not chosen:
        raise ValidationError("Choose at least one provider from the shortlist.", "providers")
    excluded = {e.provider_id: e for e in shortlist.excluded}
    closed = active_restrictions(session, today)
    for pid in chosen:
        if pid in excluded:
            e = excluded[pid]
            raise ValidationError(f"{e.provider_name} cannot be sent this referral: {e.reason}.", "providers")
        row = shortlist.row_for(pid)
        if row is None:
            raise NotFound("A chosen provider is not on the shortlist: refresh it.")
        if pid in closed:
            raise ValidationError(f"{row.provider_name} cannot be sent this referral: {closed[pid]}.", "providers")
    for recipient in list(referral.recipients):
        if recipient.sent_on is None and recipient.provider_id not in chosen:
            referral.recipients.remove(recipient)
    by_provider = {r.provider_id: r for r in referral.recipients}
    for pid in chosen:
        row = shortlist.row_for(pid)
        assert row is not None
        recipient = by_provider.get(pid)
        if recipient is None:
            recipient = ReferralRecipient(provider_id=pid)
            referral.recipients.append(recipient)
        recipient.match_score = row.score
        recipient.match_reasons = list(row.reasons)
    referral.wizard_step = max(referral.wizard_step, SEND_STEP)
    session.flush()
    return [r for r in referral.recipients if r.provider_id in chosen]


__all__ = ["choose_from_shortlist", "find_child", "finish_offers"]
