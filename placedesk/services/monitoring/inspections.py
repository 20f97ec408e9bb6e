"""Ofsted inspections: record a judgement and keep the provider's latest one current.

``Provider.ofsted_judgement`` and ``last_inspection_date`` copy the latest
inspection (by date) so lists and the matcher need no join; every change
here refreshes them. Recording an older inspection adds history without
changing the current judgement. The provider's stored risk level is
refreshed too, since the judgement is one of its rules.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models import Inspection, Provider
from placedesk.models.enums import OfstedJudgement
from placedesk.services.monitoring.risk import refresh_risk


def refresh_latest_judgement(session: Session, provider: Provider) -> None:
    """Copy the latest inspection's judgement and date onto the provider."""
    session.flush()
    latest = session.scalar(
        select(Inspection).where(Inspection.provider_id == provider.id)
        .order_by(Inspection.inspection_date.desc(), Inspection.created_at.desc()).limit(1)
    )
    if latest is None:
        provider.ofsted_judgement = OfstedJudgement.NOT_YET_INSPECTED
        provider.last_inspection_date = None
    else:
        provider.ofsted_judgement = latest.judgement
        provider.last_inspection_date = latest.inspection_date
    session.flush()


def record_inspection(
    session: Session, provider: Provider, *, inspection_date: dt.date, judgement: OfstedJudgement,
    today: dt.date, inspection_type: str = "Full inspection", summary: str = "",
) -> Inspection:
    """Record an Ofsted inspection; the provider's current judgement follows the latest one."""
    judgement = OfstedJudgement(judgement)
    if inspection_date > today:
        raise ValidationError("The inspection date is in the future: record an inspection once it has happened.",
                              "inspection_date")
    if judgement is OfstedJudgement.NOT_YET_INSPECTED:
        raise ValidationError("Choose the judgement the inspection gave (Outstanding to Inadequate).", "judgement")
    duplicate = session.scalar(select(Inspection.id).where(
        Inspection.provider_id == provider.id, Inspection.inspection_date == inspection_date))
    if duplicate is not None:
        raise ValidationError("An inspection on that date is already recorded for this provider.",
                              "inspection_date")
    inspection = Inspection(provider_id=provider.id, inspection_date=inspection_date, judgement=judgement,
                            inspection_type=inspection_type.strip() or "Full inspection", summary=summary.strip())
    session.add(inspection)
    refresh_latest_judgement(session, provider)
    refresh_risk(session, provider, today=today)
    return inspection


def delete_inspection(session: Session, inspection: Inspection) -> None:
    """Remove an inspection recorded in error; the provider's judgement falls back to the previous one."""
    provider = inspection.provider
    session.delete(inspection)
    refresh_latest_judgement(session, provider)


def inspection_history(session: Session, provider: Provider) -> list[Inspection]:
    """A provider's inspections, newest first."""
    return list(session.scalars(
        select(Inspection).where(Inspection.provider_id == provider.id).order_by(Inspection.inspection_date.desc())
    ))


__all__ = ["delete_inspection", "inspection_history", "record_inspection", "refresh_latest_judgement"]
