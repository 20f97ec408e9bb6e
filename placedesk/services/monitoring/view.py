"""What the Monitoring tab shows, read in one go as plain data (no Qt).

- :func:`monitoring_provider_list`: the provider list with risk and a RAG
  at a glance (worst KPI status in each provider's latest month, open CAPs,
  overdue CAP actions), paged and filtered in SQL like every other list.
- :func:`load_overview`: everything the provider detail shows - risk and
  its reasons, KPI values, inspections, visits, CAPs with their actions,
  placements - in a handful of queries, so a provider with years of monthly
  KPIs opens quickly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from placedesk.errors import NotFound
from placedesk.models import (
    Cap,
    CapAction,
    Child,
    Inspection,
    KpiDefinition,
    KpiValue,
    MonitoringVisit,
    Placement,
    Provider,
)
from placedesk.models.base import enum_column
from placedesk.models.enums import (
    DONE_ACTION_STATUSES,
    OPEN_CAP_STATUSES,
    CapStatus,
    KpiDirection,
    ProviderType,
    Rag,
    RiskLevel,
)
from placedesk.services.monitoring.caps import action_rag, cap_rag
from placedesk.services.monitoring.kpis import KpiPoint, provider_values
from placedesk.services.common.listing import Column, ListSpec
from placedesk.services.monitoring.risk import RiskReason, assess_provider

# --- the provider list ----------------------------------------------------------------


def _latest_kpi_rag() -> object:
    """Worst RAG among a provider's values in its latest month (NULL when it has none)."""
    higher = KpiDefinition.direction == KpiDirection.HIGHER_IS_BETTER
    red = or_(and_(higher, KpiValue.value < KpiDefinition.amber_threshold),
              and_(~higher, KpiValue.value > KpiDefinition.amber_threshold))
    amber = or_(and_(higher, KpiValue.value < KpiDefinition.target),
                and_(~higher, KpiValue.value > KpiDefinition.target))
    # 3 red, 2 amber, 1 green: the worst value wins. Grouping the provider's values by month and
    # keeping the latest group reads them once (a "latest month" subquery would be re-run per value).
    worst = func.max(case((red, 3), (amber, 2), else_=1))
    label = case((worst == 3, "red"), (worst == 2, "amber"), (worst == 1, "green"), else_=None)
    subquery = (select(label).select_from(KpiValue)
                .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
                .where(KpiValue.provider_id == Provider.id)
                .group_by(KpiValue.period_start).order_by(KpiValue.period_start.desc()).limit(1)
                .correlate(Provider).scalar_subquery())
    return type_coerce(subquery, enum_column(Rag, "rag"))


def _open_caps() -> object:
    return (select(func.count(Cap.id)).where(Cap.provider_id == Provider.id, Cap.status.in_(OPEN_CAP_STATUSES))
            .correlate(Provider).scalar_subquery())


def _overdue_actions(today: dt.date) -> object:
    return (select(func.count(CapAction.id)).select_from(CapAction).join(Cap, Cap.id == CapAction.cap_id)
            .where(Cap.provider_id == Provider.id, Cap.status.in_(OPEN_CAP_STATUSES),
                   CapAction.status.not_in(DONE_ACTION_STATUSES), CapAction.due_date < today)
            .correlate(Provider).scalar_subquery())


def _monitored(today: dt.date) -> object:
    placed = exists().where(Placement.provider_id == Provider.id, Placement.start_date <= today,
                            or_(Placement.end_date.is_(None), Placement.end_date >= today))
    capped = exists().where(Cap.provider_id == Provider.id, Cap.status.in_(OPEN_CAP_STATUSES))
    return or_(placed, capped)


def monitoring_provider_list(today: dt.date) -> ListSpec:
    """Providers with risk, KPI RAG, open CAPs and overdue actions at a glance."""
    effective = func.coalesce(Provider.risk_override, Provider.risk_level)
    return ListSpec(
        name="monitoring_providers",
        id_expr=Provider.id,
        columns=[
            Column("name", "Provider", Provider.name),
            Column("risk", "Risk", type_coerce(effective, enum_column(RiskLevel, "risk")), "enum"),
            Column("kpi_rag", "KPIs", _latest_kpi_rag(), "enum"),
            Column("overdue", "Overdue", _overdue_actions(today), "int"),
            Column("open_caps", "Open CAPs", _open_caps(), "int"),
            Column("ofsted_judgement", "Ofsted", Provider.ofsted_judgement, "enum"),
            Column("provider_type", "Type", Provider.provider_type, "enum"),
            Column("ref", "Ref", Provider.ref),
        ],
        base=lambda: select().select_from(Provider),
        search=[Provider.name, Provider.ref, Provider.urn, Provider.town],
        default_sort="name",
        filters={
            "risk": lambda v: effective == RiskLevel(v).value,
            "scope": lambda v: _monitored(today) if v == "monitored" else Provider.id.is_not(None),
            "provider_type": lambda v: Provider.provider_type == ProviderType(v),
        },
    )


# --- one provider ---------------------------------------------------------------------

@dataclass(frozen=True)
class ActionView:
    id: uuid.UUID
    description: str
    owner: str
    due_date: dt.date
    status: str
    completed_on: dt.date | None
    evidence: str
    waived_reason: str
    overdue: bool
    rag: Rag
    done: bool


@dataclass(frozen=True)
class SanctionView:
    id: uuid.UUID
    kind: str
    amount_pence: int | None
    imposed_on: dt.date
    lifted_on: dt.date | None
    notes: str
    can_lift: bool


@dataclass(frozen=True)
class ReviewView:
    id: uuid.UUID
    review_date: dt.date
    held: bool
    notes: str
    late: bool


@dataclass(frozen=True)
class CapView:
    id: uuid.UUID
    ref: str
    issue: str
    status: CapStatus
    approach: str
    severity: str
    opened_on: dt.date
    rag: Rag
    actions: list[ActionView]
    sanctions: list[SanctionView]
    next_review: dt.date | None
    reviews: list[ReviewView] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.overdue)

    @property
    def is_open(self) -> bool:
        return self.status is not CapStatus.CLOSED


@dataclass(frozen=True)
class PlacementView:
    id: uuid.UUID
    ref: str
    child_id: uuid.UUID
    child_name: str
    start_date: dt.date
    end_date: dt.date | None


@dataclass
class ProviderOverview:
    """Everything the provider detail shows."""

    id: uuid.UUID
    ref: str
    name: str
    urn: str
    provider_type: str
    ofsted: str
    last_inspection: dt.date | None
    risk: RiskLevel
    computed_risk: RiskLevel
    reasons: list[RiskReason]
    override_reason: str
    overridden: bool
    kpis: list[KpiPoint] = field(default_factory=list)
    inspections: list[tuple[dt.date, str, str, str]] = field(default_factory=list)
    inspection_ids: list[uuid.UUID] = field(default_factory=list)
    visits: list[tuple[dt.date, str, str, str, str]] = field(default_factory=list)
    visit_ids: list[uuid.UUID] = field(default_factory=list)
    caps: list[CapView] = field(default_factory=list)
    placements: list[PlacementView] = field(default_factory=list)

    def kpi_series(self) -> dict[str, list[KpiPoint]]:
        """KPI name -> its values in period order."""
        out: dict[str, list[KpiPoint]] = {}
        for point in self.kpis:
            out.setdefault(point.name, []).append(point)
        return out


def load_overview(session: Session, provider_id: uuid.UUID, *, today: dt.date) -> ProviderOverview:
    """Read the provider detail for ``provider_id`` as it stands on ``today``."""
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound("That provider is no longer in the database: it may have been removed on import.")
    assessment = assess_provider(session, provider, today=today)
    overview = ProviderOverview(
        id=provider.id, ref=provider.ref, name=provider.name, urn=provider.urn or "",
        provider_type=provider.provider_type.label, ofsted=provider.ofsted_judgement.label,
        last_inspection=provider.last_inspection_date, risk=provider.risk_override or assessment.level,
        computed_risk=assessment.level, reasons=assessment.reasons,
        override_reason=provider.risk_override_reason, overridden=provider.risk_override is not None,
    )
    overview.kpis = provider_values(session, provider)
    for i in session.scalars(select(Inspection).where(Inspection.provider_id == provider.id)
                             .order_by(Inspection.inspection_date.desc())):
        overview.inspections.append((i.inspection_date, i.inspection_type, i.judgement.label, i.summary))
        overview.inspection_ids.append(i.id)
    for v in session.scalars(select(MonitoringVisit).where(MonitoringVisit.provider_id == provider.id)
                             .order_by(MonitoringVisit.visit_date.desc())):
        overview.visits.append((v.visit_date, v.visit_type.label, v.rating.label if v.rating else "", v.officer,
                                v.findings))
        overview.visit_ids.append(v.id)
    caps = session.scalars(select(Cap).where(Cap.provider_id == provider.id).options(
        selectinload(Cap.actions), selectinload(Cap.sanctions), selectinload(Cap.reviews)))
    for cap in caps:
        actions = [ActionView(a.id, a.description, a.owner, a.due_date, a.status.label, a.completed_on, a.evidence,
                              a.waived_reason, a.is_overdue(today), action_rag(a, today), a.status in DONE_ACTION_STATUSES)
                   for a in sorted(cap.actions, key=lambda a: (a.due_date, a.description))]
        sanctions = [SanctionView(s.id, s.kind.label, s.amount_pence, s.imposed_on, s.lifted_on, s.notes,
                                  s.lifted_on is None and s.kind.value != "fine") for s in cap.sanctions]
        upcoming = [r.review_date for r in cap.reviews if not r.held]
        reviews = [ReviewView(r.id, r.review_date, r.held, r.notes,
                              not r.held and r.review_date < today and cap.status is not CapStatus.CLOSED)
                   for r in sorted(cap.reviews, key=lambda r: r.review_date)]
        overview.caps.append(CapView(cap.id, cap.ref, cap.issue, cap.status, cap.approach.label, cap.severity.label,
                                     cap.opened_on, cap_rag(cap, today), actions, sanctions,
                                     min(upcoming) if upcoming else None, reviews))
    overview.caps.sort(key=lambda c: (not c.is_open, -c.opened_on.toordinal(), c.ref))
    placements = session.execute(
        select(Placement.id, Placement.ref, Placement.child_id, Child.first_name, Child.last_name,
               Placement.start_date, Placement.end_date)
        .join(Child, Child.id == Placement.child_id).where(Placement.provider_id == provider.id)
        .order_by(Placement.end_date.is_not(None), Placement.start_date.desc()))
    overview.placements = [PlacementView(pid, ref, child_id, f"{first} {last}".strip(), start, end)
                           for pid, ref, child_id, first, last, start, end in placements]
    return overview


__all__ = ["ActionView", "CapView", "PlacementView", "ProviderOverview", "ReviewView", "SanctionView", "load_overview",
           "monitoring_provider_list"]
