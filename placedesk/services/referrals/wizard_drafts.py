"""Steps of the referral wizard that the referral services do not cover.

- The Child page's "Find" fills the form from a child already in PlaceDesk,
  so a second referral for the same child reuses their record rather than
  the officer typing it again.
- Leaving the Offers page for the Award page needs an open offer to award.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import WorkflowError
from placedesk.models import Child, Referral
from placedesk.models.enums import ReferralStatus
from placedesk.services.referrals.offers import open_offers
from placedesk.services.referrals.intake import set_wizard_step

AWARD_STEP = 5


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


__all__ = ["find_child", "finish_offers"]
