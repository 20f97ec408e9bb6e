"""When each provider's next monitoring review or visit is due, by its risk level.

Monitoring is proportionate (DOMAIN.md): a provider's effective risk level
(the officer's override when set, otherwise the computed level) picks the
interval in :class:`placedesk.config.MonitoringSettings`. The next review is
due that many days after the last one: the latest quality visit, desk review
or Reg 44 report recorded for the provider.

Which providers are on the list: those the officer is responsible for
monitoring on ``today`` - a child placed with them (placement started and
not ended) or a CAP that is still open or escalated. A provider in that set
that has never been reviewed is due from the day its earliest current
placement started (or its oldest open CAP was opened): a provider with
children placed and no review on file needs one now.

Overdue means the due date is before ``today``; due today is not overdue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from placedesk.config import MonitoringSettings
from placedesk.models import Cap
from placedesk.models.enums import CapStatus, RiskLevel


@dataclass(frozen=True)
class ReviewDue:
    """One provider's next review or visit, and whether it is already late."""

    provider_id: uuid.UUID
    provider_ref: str
    provider_name: str
    risk: RiskLevel
    last_review: dt.date | None
    due_on: dt.date
    overdue: bool


def next_review_due(
    risk: RiskLevel, last_review: dt.date | None, fallback: dt.date, intervals: MonitoringSettings
) -> dt.date:
    """The date the next review is due: last review plus the risk's interval, else ``fallback``."""
    if last_review is None:
        return fallback
    return last_review + dt.timedelta(days=intervals.interval_for(risk.value))


def monitored_since(session: Session, today: dt.date) -> dict[uuid.UUID, dt.date]:
    """Providers under monitoring on ``today`` -> the earliest date that responsibility began."""
    since: dict[uuid.UUID, dt.date] = {}
    # A plain scan grouped in memory beats walking the provider index for tens of thousands
    # of placements, and raw values skip per-row type conversion; both matter on a large file.
    placements = session.execute(
        text(
            "SELECT provider_id, min(start_date) FROM placement NOT INDEXED "
            "WHERE start_date <= :today AND (end_date IS NULL OR end_date >= :today) GROUP BY provider_id"
        ),
        {"today": today.isoformat()},
    )
    for provider_hex, start in placements:
        since[uuid.UUID(hex=provider_hex)] = dt.date.fromisoformat(start)
    caps = session.execute(
        select(Cap.provider_id, func.min(Cap.opened_on))
        .where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED)), Cap.opened_on <= today)
        .group_by(Cap.provider_id)
    )
    for provider_id, opened in caps:
        since[provider_id] = min(opened, since.get(provider_id, opened))
    return since


def last_reviews(session: Session, today: dt.date) -> dict[uuid.UUID, dt.date]:
    """Provider id -> the date of its latest visit or review on or before ``today``."""
    rows = session.execute(
        text("SELECT provider_id, max(visit_date) FROM monitoring_visit WHERE visit_date <= :today "
             "GROUP BY provider_id"),
        {"today": today.isoformat()},
    )
    return {uuid.UUID(hex=provider_hex): dt.date.fromisoformat(last) for provider_hex, last in rows}


def due_reviews(session: Session, *, today: dt.date, intervals: MonitoringSettings) -> list[ReviewDue]:
    """Every monitored provider's next review, overdue first, then by due date and name."""
    since = monitored_since(session, today)
    if not since:
        return []
    last = last_reviews(session, today)
    # Raw rows for every provider, filtered here: thousands of bound ids, or converting each
    # row's UUID and enums, costs more on a large file than reading the plain values.
    by_hex = {provider_id.hex: provider_id for provider_id in since}
    rows = session.execute(text("SELECT id, ref, name, risk_level, risk_override FROM provider"))
    out: list[ReviewDue] = []
    for raw_id, ref, name, computed, override in rows:
        provider_id = by_hex.get(raw_id)
        if provider_id is None:
            continue
        risk = RiskLevel(override or computed)
        last_review = last.get(provider_id)
        due_on = next_review_due(risk, last_review, since[provider_id], intervals)
        out.append(
            ReviewDue(
                provider_id=provider_id,
                provider_ref=ref,
                provider_name=name,
                risk=risk,
                last_review=last_review,
                due_on=due_on,
                overdue=due_on < today,
            )
        )
    out.sort(key=lambda r: (not r.overdue, r.due_on, r.provider_name.lower()))
    return out


def due_within(reviews: list[ReviewDue], today: dt.date, days: int) -> list[ReviewDue]:
    """The reviews overdue or due in the next ``days`` days (what the officer's week needs)."""
    horizon = today + dt.timedelta(days=days)
    return [r for r in reviews if r.due_on <= horizon]


__all__ = ["ReviewDue", "due_reviews", "due_within", "last_reviews", "monitored_since", "next_review_due"]
