"""Headline counts for the status bar: providers, children, open referrals, active placements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.models import Child, Placement, Provider, Referral
from placedesk.models.enums import ReferralStatus

CLOSED_REFERRALS = (ReferralStatus.PLACED, ReferralStatus.ENDED, ReferralStatus.WITHDRAWN)


@dataclass(frozen=True)
class RecordCounts:
    providers: int
    children: int
    open_referrals: int
    active_placements: int

    @property
    def empty(self) -> bool:
        return not (self.providers or self.children or self.open_referrals or self.active_placements)


def record_counts(session: Session) -> RecordCounts:
    """The four counts, in one round trip."""
    row = session.execute(
        select(
            select(func.count()).select_from(Provider).scalar_subquery(),
            select(func.count()).select_from(Child).scalar_subquery(),
            select(func.count()).select_from(Referral).where(Referral.status.not_in(CLOSED_REFERRALS)).scalar_subquery(),
            select(func.count()).select_from(Placement).where(Placement.end_date.is_(None)).scalar_subquery(),
        )
    ).one()
    return RecordCounts(*row)
