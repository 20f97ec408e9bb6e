"""A provider's monitoring risk level (low, medium, high), computed with its reasons.

Every rule below gives a level and a reason the officer sees; the provider's
risk is the highest level any rule gives, LOW when none applies. The
officer can override it (``Provider.risk_override``) with a recorded reason;
the override then drives the monitoring schedule, and the computed level
and its reasons stay visible beside it.

Rules (constants below hold the numbers):

1. Ofsted judgement: Inadequate -> HIGH; Requires improvement to be good
   -> MEDIUM; Not yet inspected -> MEDIUM (quality unknown).
2. KPI reds in the last ``KPI_WINDOW_MONTHS`` months (this month and the
   ones before it): ``KPI_REDS_HIGH`` or more -> HIGH; at least one -> MEDIUM.
3. An escalated (punitive) CAP still open -> HIGH.
4. CAP actions overdue (past due, not complete or waived) -> HIGH.
5. CAP actions open and not overdue -> MEDIUM.
6. The latest visit rating within ``VISIT_WINDOW_DAYS`` days: Inadequate
   -> HIGH; Requires improvement -> MEDIUM.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models import Cap, CapAction, KpiDefinition, KpiValue, MonitoringVisit, Provider
from placedesk.models.enums import (
    DONE_ACTION_STATUSES,
    OPEN_CAP_STATUSES,
    CapStatus,
    KpiDirection,
    OfstedJudgement,
    RiskLevel,
    VisitRating,
)
from placedesk.services.common.parsing import format_date
from placedesk.services.common.periods import add_months, month_start

KPI_WINDOW_MONTHS = 3
KPI_REDS_HIGH = 3
VISIT_WINDOW_DAYS = 365
_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


@dataclass(frozen=True)
class RiskReason:
    """One rule that applied: the level it gives and why."""

    level: RiskLevel
    reason: str


@dataclass(frozen=True)
class RiskAssessment:
    """The computed level and the reasons for it, highest first."""

    level: RiskLevel
    reasons: list[RiskReason]

    def explain(self) -> str:
        if not self.reasons:
            return "No risk factors: good inspection, no recent KPI reds, no open CAP actions, no poor visits."
        return "\n".join(f"{r.level.label}: {r.reason}" for r in self.reasons)


@dataclass
class RiskFacts:
    """What the rules look at for one provider."""

    judgement: OfstedJudgement = OfstedJudgement.NOT_YET_INSPECTED
    inspection_date: dt.date | None = None
    kpi_reds: int = 0
    escalated_caps: list[str] = field(default_factory=list)
    open_actions: int = 0
    overdue_actions: int = 0
    visit_rating: VisitRating | None = None
    visit_date: dt.date | None = None


def assess(facts: RiskFacts) -> RiskAssessment:
    """Apply every rule in the module docstring to ``facts``."""
    reasons: list[RiskReason] = []
    when = f" ({format_date(facts.inspection_date)})" if facts.inspection_date else ""
    if facts.judgement is OfstedJudgement.INADEQUATE:
        reasons.append(RiskReason(RiskLevel.HIGH, f"Ofsted judged the provider Inadequate{when}"))
    elif facts.judgement is OfstedJudgement.REQUIRES_IMPROVEMENT:
        reasons.append(RiskReason(RiskLevel.MEDIUM, f"Ofsted judged the provider Requires improvement{when}"))
    elif facts.judgement is OfstedJudgement.NOT_YET_INSPECTED:
        reasons.append(RiskReason(RiskLevel.MEDIUM, "Not yet inspected by Ofsted: quality is unknown"))
    if facts.kpi_reds >= KPI_REDS_HIGH:
        reasons.append(RiskReason(RiskLevel.HIGH,
                                  f"{facts.kpi_reds} KPI values red in the last {KPI_WINDOW_MONTHS} months"))
    elif facts.kpi_reds > 0:
        reasons.append(RiskReason(RiskLevel.MEDIUM,
                                  f"{facts.kpi_reds} KPI value(s) red in the last {KPI_WINDOW_MONTHS} months"))
    if facts.escalated_caps:
        reasons.append(RiskReason(RiskLevel.HIGH, f"Escalated CAP: {', '.join(sorted(facts.escalated_caps))}"))
    if facts.overdue_actions:
        reasons.append(RiskReason(RiskLevel.HIGH, f"{facts.overdue_actions} CAP action(s) overdue"))
    not_overdue = facts.open_actions - facts.overdue_actions
    if not_overdue > 0:
        reasons.append(RiskReason(RiskLevel.MEDIUM, f"{not_overdue} CAP action(s) open"))
    seen = f" ({format_date(facts.visit_date)})" if facts.visit_date else ""
    if facts.visit_rating is VisitRating.INADEQUATE:
        reasons.append(RiskReason(RiskLevel.HIGH, f"Latest visit rated Inadequate{seen}"))
    elif facts.visit_rating is VisitRating.REQUIRES_IMPROVEMENT:
        reasons.append(RiskReason(RiskLevel.MEDIUM, f"Latest visit rated Requires improvement{seen}"))
    reasons.sort(key=lambda r: -_ORDER[r.level])
    level = reasons[0].level if reasons else RiskLevel.LOW
    return RiskAssessment(level, reasons)


def collect_facts(session: Session, today: dt.date,
                  provider_ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, RiskFacts]:
    """The facts for each provider (all, or those given), in a handful of grouped queries."""
    ids = list(provider_ids) if provider_ids is not None else None

    def only(column: object, query: object) -> object:
        return query.where(column.in_(ids)) if ids is not None else query  # type: ignore[attr-defined]

    facts: dict[uuid.UUID, RiskFacts] = {}
    for pid, judgement, inspected in session.execute(only(Provider.id, select(
            Provider.id, Provider.ofsted_judgement, Provider.last_inspection_date))):
        facts[pid] = RiskFacts(judgement=judgement, inspection_date=inspected)

    since = add_months(month_start(today), -(KPI_WINDOW_MONTHS - 1))
    red = or_(
        and_(KpiDefinition.direction == KpiDirection.HIGHER_IS_BETTER, KpiValue.value < KpiDefinition.amber_threshold),
        and_(KpiDefinition.direction == KpiDirection.LOWER_IS_BETTER, KpiValue.value > KpiDefinition.amber_threshold),
    )
    reds = only(KpiValue.provider_id, select(KpiValue.provider_id, func.sum(case((red, 1), else_=0)))
                .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
                .where(KpiValue.period_start >= since, KpiValue.period_start <= today)
                .group_by(KpiValue.provider_id))
    for pid, count in session.execute(reds):
        if pid in facts:
            facts[pid].kpi_reds = int(count or 0)

    for pid, ref in session.execute(only(Cap.provider_id, select(Cap.provider_id, Cap.ref)
                                         .where(Cap.status == CapStatus.ESCALATED))):
        if pid in facts:
            facts[pid].escalated_caps.append(ref)

    overdue = case((CapAction.due_date < today, 1), else_=0)
    actions = only(Cap.provider_id, select(Cap.provider_id, func.count(), func.sum(overdue))
                   .join(CapAction, CapAction.cap_id == Cap.id)
                   .where(Cap.status.in_(OPEN_CAP_STATUSES), CapAction.status.not_in(DONE_ACTION_STATUSES))
                   .group_by(Cap.provider_id))
    for pid, open_count, overdue_count in session.execute(actions):
        if pid in facts:
            facts[pid].open_actions = int(open_count)
            facts[pid].overdue_actions = int(overdue_count or 0)

    window = today - dt.timedelta(days=VISIT_WINDOW_DAYS)
    latest = (only(MonitoringVisit.provider_id, select(MonitoringVisit.provider_id,
                                                      func.max(MonitoringVisit.visit_date).label("last"))
                   .where(MonitoringVisit.visit_date >= window, MonitoringVisit.visit_date <= today,
                          MonitoringVisit.rating.is_not(None))
                   .group_by(MonitoringVisit.provider_id))).subquery()
    visits = select(MonitoringVisit.provider_id, MonitoringVisit.visit_date, MonitoringVisit.rating).join(
        latest, and_(latest.c.provider_id == MonitoringVisit.provider_id,
                     latest.c.last == MonitoringVisit.visit_date)).where(MonitoringVisit.rating.is_not(None))
    for pid, visit_date, rating in session.execute(visits):
        if pid in facts:
            current = facts[pid]
            # Two rated visits on one day: the worse rating counts.
            worse = [VisitRating.INADEQUATE, VisitRating.REQUIRES_IMPROVEMENT, VisitRating.GOOD,
                     VisitRating.OUTSTANDING]
            if current.visit_rating is None or worse.index(rating) < worse.index(current.visit_rating):
                current.visit_rating = rating
                current.visit_date = visit_date
    return facts


def assess_provider(session: Session, provider: Provider, *, today: dt.date) -> RiskAssessment:
    """The computed risk of one provider on ``today``, with reasons (does not store it)."""
    session.flush()
    return assess(collect_facts(session, today, [provider.id])[provider.id])


def refresh_risk(session: Session, provider: Provider, *, today: dt.date) -> RiskAssessment:
    """Compute the provider's risk and store the level in ``Provider.risk_level``."""
    result = assess_provider(session, provider, today=today)
    if provider.risk_level is not result.level:
        provider.risk_level = result.level
        session.flush()
    return result


def refresh_all_risks(session: Session, *, today: dt.date) -> int:
    """Recompute every provider's stored risk level; returns how many changed."""
    facts = collect_facts(session, today)
    current = dict(session.execute(select(Provider.id, Provider.risk_level)).all())
    changed = 0
    for pid, f in facts.items():
        level = assess(f).level
        if current.get(pid) is not level:
            provider = session.get(Provider, pid)
            assert provider is not None
            provider.risk_level = level
            changed += 1
    session.flush()
    return changed


def override_risk(session: Session, provider: Provider, level: RiskLevel | None, reason: str = "") -> None:
    """Set the officer's override with its reason, or clear it with ``level=None``."""
    if level is None:
        provider.risk_override = None
        provider.risk_override_reason = ""
    else:
        level = RiskLevel(level)
        if not reason.strip():
            raise ValidationError("Say why you are overriding the computed risk level.", "reason")
        provider.risk_override = level
        provider.risk_override_reason = reason.strip()
    session.flush()


__all__ = [
    "KPI_REDS_HIGH", "KPI_WINDOW_MONTHS", "VISIT_WINDOW_DAYS", "RiskAssessment", "RiskFacts", "RiskReason", "assess",
    "assess_provider", "collect_facts", "override_risk", "refresh_all_risks", "refresh_risk",
]
