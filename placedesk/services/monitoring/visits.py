"""Quality visits: announced and unannounced visits, desk reviews and Reg 44 reports received.

Each records what was found and the officer's rating; a recorded visit is
also the "last review" that sets when the next one is due
(:mod:`placedesk.services.monitoring.schedule`). The provider's stored risk level is
refreshed after each visit, as a poor rating raises it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models import MonitoringVisit, Placement, Provider
from placedesk.models.enums import VisitRating, VisitType
from placedesk.services.monitoring.risk import refresh_risk


def record_visit(
    session: Session, provider: Provider, *, visit_date: dt.date, visit_type: VisitType, findings: str,
    rating: VisitRating | None, today: dt.date, officer: str = "", placement: Placement | None = None,
) -> MonitoringVisit:
    """Record a visit or review with its findings and rating.

    A rating is required except for a Reg 44 report received, which is the
    independent visitor's view rather than the officer's.
    """
    visit_type = VisitType(visit_type)
    rating = VisitRating(rating) if rating is not None else None
    if visit_date > today:
        raise ValidationError("The visit date is in the future: record a visit once it has happened.",
                              "visit_date")
    if not findings.strip():
        raise ValidationError("Write what the visit found, even briefly.", "findings")
    if rating is None and visit_type is not VisitType.REG44_REPORT:
        raise ValidationError("Give your rating of what you found.", "rating")
    if placement is not None and placement.provider_id != provider.id:
        raise ValidationError("That placement is with another provider: choose one of this provider's.",
                              "placement")
    visit = MonitoringVisit(provider_id=provider.id, visit_date=visit_date, visit_type=visit_type,
                            findings=findings.strip(), rating=rating, officer=officer.strip(),
                            placement_id=placement.id if placement else None)
    session.add(visit)
    session.flush()
    refresh_risk(session, provider, today=today)
    return visit


def visits_for(session: Session, provider: Provider, *, start: dt.date | None = None,
               end: dt.date | None = None) -> list[MonitoringVisit]:
    """A provider's visits, newest first, optionally within a period."""
    query = select(MonitoringVisit).where(MonitoringVisit.provider_id == provider.id)
    if start is not None:
        query = query.where(MonitoringVisit.visit_date >= start)
    if end is not None:
        query = query.where(MonitoringVisit.visit_date <= end)
    return list(session.scalars(query.order_by(MonitoringVisit.visit_date.desc())))


__all__ = ["record_visit", "visits_for"]
