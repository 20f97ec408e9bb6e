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

from sqlalchemy import text
from sqlalchemy.orm import Session

from placedesk.db.dialect import read_date, read_uuid
from placedesk.config import MonitoringSettings
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


# One row per provider under monitoring on :today, with the date that responsibility began
# (its earliest current placement, or its oldest open CAP) and its latest review by :today.
# Open placements come from the narrow ix_placement_open index and placements with an end
# date still to come from ix_placement_end_date, so the wide placement rows are never read;
# the latest review is one step down ix_monitoring_visit_provider_date per provider.
_MONITORED = text("""
SELECT p.id, p.ref, p.name, p.risk_level, p.risk_override, m.since,
       (SELECT max(v.visit_date) FROM monitoring_visit AS v
         WHERE v.provider_id = p.id AND v.visit_date <= :today) AS last_review
FROM (
    SELECT provider_id, min(began) AS since FROM (
        SELECT provider_id, start_date AS began FROM placement
         WHERE end_date IS NULL AND start_date <= :today
        UNION ALL
        SELECT provider_id, start_date FROM placement
         WHERE end_date >= :today AND start_date <= :today
        UNION ALL
        SELECT provider_id, opened_on FROM cap
         WHERE status IN (:open, :escalated) AND opened_on <= :today
    ) AS began_rows GROUP BY provider_id
) AS m
JOIN provider AS p ON p.id = m.provider_id
""")

_RISK = {level.value: level for level in RiskLevel}


def due_reviews(session: Session, *, today: dt.date, intervals: MonitoringSettings,
                within_days: int | None = None) -> list[ReviewDue]:
    """Every monitored provider's next review, overdue first, then by due date and name.

    With ``within_days``, only the reviews overdue or due in the next that many
    days (what the officer's week and the due list show).
    """
    horizon = today + dt.timedelta(days=within_days) if within_days is not None else None
    # Ids and dates arrive as stored text: a UUID is made only for the reviews returned.
    rows = session.execute(_MONITORED, {"today": today.isoformat(), "open": CapStatus.OPEN.value,
                                        "escalated": CapStatus.ESCALATED.value})
    out: list[ReviewDue] = []
    for raw_id, ref, name, computed, override, since, reviewed in rows:
        risk = _RISK[override or computed]
        last_review = read_date(reviewed) if reviewed else None
        due_on = next_review_due(risk, last_review, read_date(since), intervals)
        if horizon is not None and due_on > horizon:
            continue
        out.append(
            ReviewDue(
                provider_id=read_uuid(raw_id),
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


__all__ = ["ReviewDue", "due_reviews", "next_review_due"]
