"""The provider directory for the Providers tab: searching with filters, and one provider's detail.

Searching reuses the paged list of :func:`placedesk.services.referrals.record_lists.provider_list`
(sorting and filtering happen in SQL), with the tab's filters named here.
The detail gathers what the officer checks before sending a referral:
services and capabilities, rates and contract route, inspections,
placements, CAPs, whether it is closed to referrals, and its risk with reasons.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import Cap, CapAction, Child, Inspection, Placement, PlacementFeeLine, Provider
from placedesk.models.enums import (
    CapActionStatus,
    CapSeverity,
    CapStatus,
    ContractRoute,
    OfstedJudgement,
    ProviderType,
    RiskLevel,
)
from placedesk.models.vocab import label
from placedesk.services.common.listing import ListRequest, count_rows, fetch_page
from placedesk.services.referrals.record_lists import provider_list
from placedesk.services.monitoring.restrictions import active_restrictions


@dataclass(frozen=True)
class ProviderFilters:
    """The Providers tab's filters; None means "any"."""

    provider_type: ProviderType | None = None
    local_authority: str | None = None
    judgement: OfstedJudgement | None = None
    has_vacancy: bool | None = None
    contract_route: ContractRoute | None = None
    suspended: bool | None = None


@dataclass
class ProviderPage:
    """One page of the directory: how many match in all, and this page's rows (id first, then columns)."""

    total: int
    rows: list[tuple[Any, ...]]
    column_keys: list[str]


def search_request(text: str, filters: ProviderFilters, *, sort_key: str | None = None,
                   descending: bool = False) -> ListRequest:
    """The list request for ``text`` and ``filters`` (for the tab's paged model)."""
    request = ListRequest(text=text, sort_key=sort_key, descending=descending)
    for key, value in (
        ("provider_type", filters.provider_type.value if filters.provider_type else None),
        ("local_authority", filters.local_authority or None),
        ("ofsted_judgement", filters.judgement.value if filters.judgement else None),
        ("has_vacancy", filters.has_vacancy),
        ("contract_route", filters.contract_route.value if filters.contract_route else None),
        ("suspended", filters.suspended),
    ):
        request = request.with_filter(key, value)
    return request


def search_providers(session: Session, text: str, filters: ProviderFilters, *, offset: int = 0, limit: int = 200,
                     sort_key: str | None = None, descending: bool = False) -> ProviderPage:
    """Providers whose name, URN, town, postcode, local authority or reference contain every word of ``text``."""
    spec = provider_list()
    request = search_request(text, filters, sort_key=sort_key, descending=descending)
    return ProviderPage(
        total=count_rows(session, spec, request),
        rows=fetch_page(session, spec, request, offset, limit),
        column_keys=[c.key for c in spec.columns],
    )


def local_authorities(session: Session) -> list[str]:
    """The local authorities providers are in, for the filter's choices."""
    return [la for la in session.scalars(
        select(Provider.local_authority).where(Provider.local_authority != "").distinct()
        .order_by(Provider.local_authority)
    )]


@dataclass(frozen=True)
class InspectionLine:
    inspection_date: dt.date
    judgement: OfstedJudgement
    inspection_type: str


@dataclass(frozen=True)
class PlacementLine:
    """A placement with this provider; the child by case reference, initials and (for the screen) full name."""

    placement_id: uuid.UUID
    ref: str
    case_reference: str
    initials: str
    start_date: dt.date
    end_date: dt.date | None
    weekly_total_pence: int
    # Shown to the officer on screen; initials are for what leaves the laptop.
    child_name: str = ""


@dataclass(frozen=True)
class CapLine:
    cap_id: uuid.UUID
    ref: str
    issue: str
    severity: CapSeverity
    status: CapStatus
    opened_on: dt.date
    overdue_actions: int


@dataclass
class ProviderDetail:
    """Everything the provider detail panel shows."""

    provider: Provider
    type_label: str
    capabilities: list[str]
    rates: str
    closed_reason: str
    risk_level: RiskLevel
    risk_reasons: list[str]
    inspections: list[InspectionLine] = field(default_factory=list)
    placements: list[PlacementLine] = field(default_factory=list)
    caps: list[CapLine] = field(default_factory=list)

    @property
    def active_placements(self) -> int:
        return sum(1 for p in self.placements if p.end_date is None)


def _rates(provider: Provider) -> str:
    from placedesk.services.common.parsing import format_money

    low, high = provider.weekly_rate_from_pence, provider.weekly_rate_to_pence
    if low is None and high is None:
        return "No rates recorded"
    if low is not None and high is not None and high != low:
        return f"{format_money(low)} to {format_money(high)} a week"
    return f"{format_money(low if low is not None else high)} a week"


def provider_detail(session: Session, provider_id: uuid.UUID, *, today: dt.date) -> ProviderDetail:
    """The provider's services, rates, inspections, placements and CAPs, as on ``today``."""
    from placedesk.services.monitoring.risk import assess_provider

    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound("That provider no longer exists: refresh the list.")
    assessment = assess_provider(session, provider, today=today)
    detail = ProviderDetail(
        provider=provider, type_label=provider.provider_type.label,
        capabilities=[label(code) for code in provider.capabilities], rates=_rates(provider),
        closed_reason=active_restrictions(session, today, [provider.id]).get(provider.id, ""),
        risk_level=provider.effective_risk,
        risk_reasons=[f"{r.level.label}: {r.reason}" for r in assessment.reasons],
    )
    if provider.risk_override is not None:
        detail.risk_reasons.insert(0, f"Officer override ({provider.risk_override.label}): "
                                      f"{provider.risk_override_reason or 'no reason recorded'}")
    detail.inspections = [
        InspectionLine(i.inspection_date, i.judgement, i.inspection_type)
        for i in session.scalars(select(Inspection).where(Inspection.provider_id == provider.id)
                                 .order_by(Inspection.inspection_date.desc()))
    ]
    weekly = (select(func.coalesce(func.sum(PlacementFeeLine.weekly_amount_pence), 0))
              .where(PlacementFeeLine.placement_id == Placement.id).scalar_subquery())
    detail.placements = [
        PlacementLine(pid, ref, case_ref, (first[:1] + last[:1]).upper(), start, end, int(total),
                      f"{first} {last}".strip())
        for pid, ref, case_ref, first, last, start, end, total in session.execute(
            select(Placement.id, Placement.ref, Child.case_reference, Child.first_name, Child.last_name,
                   Placement.start_date, Placement.end_date, weekly)
            .join(Child, Child.id == Placement.child_id)
            .where(Placement.provider_id == provider.id)
            .order_by(Placement.end_date.is_not(None), Placement.start_date.desc())
        )
    ]
    overdue = (select(func.count()).where(
        CapAction.cap_id == Cap.id, CapAction.due_date < today,
        CapAction.status.not_in((CapActionStatus.COMPLETE, CapActionStatus.WAIVED)),
    ).scalar_subquery())
    detail.caps = [
        CapLine(cid, ref, issue, severity, status, opened, int(n))
        for cid, ref, issue, severity, status, opened, n in session.execute(
            select(Cap.id, Cap.ref, Cap.issue, Cap.severity, Cap.status, Cap.opened_on, overdue)
            .where(Cap.provider_id == provider.id)
            .order_by(Cap.status == CapStatus.CLOSED, Cap.opened_on.desc())
        )
    ]
    return detail


__all__ = [
    "CapLine",
    "InspectionLine",
    "PlacementLine",
    "ProviderDetail",
    "ProviderFilters",
    "ProviderPage",
    "local_authorities",
    "provider_detail",
    "search_providers",
    "search_request",
]
