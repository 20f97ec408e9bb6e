"""Small builders for monitoring tests: providers, children placed with fee lines, visits.

Shared by the service, report, command and UI tests of the Monitoring tab so
each test states only the facts it is about.
"""

from __future__ import annotations

import datetime as dt

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from placedesk.models import Child, MonitoringVisit, Placement, PlacementFeeLine, Provider
from placedesk.models.enums import FeeLineKind, PlacementType, ProviderType, VisitRating, VisitType

if TYPE_CHECKING:
    from placedesk.models import Cap


def make_provider(session: Session, ref: str, *, name: str | None = None,
                  provider_type: ProviderType = ProviderType.CHILDRENS_HOME, **kw: object) -> Provider:
    """A provider with a readable name, flushed so it has an id."""
    provider = Provider(ref=ref, name=name or f"Home {ref}", provider_type=provider_type, **kw)
    session.add(provider)
    session.flush()
    return provider


def make_child(session: Session, case_reference: str, *, first: str = "Sam", last: str = "Carter",
               born: dt.date = dt.date(2012, 5, 1)) -> Child:
    """A child with a case reference."""
    child = Child(case_reference=case_reference, first_name=first, last_name=last, date_of_birth=born)
    session.add(child)
    session.flush()
    return child


def make_placement(session: Session, provider: Provider, child: Child, ref: str, *, start: dt.date,
                   end: dt.date | None = None, weekly_pence: tuple[int, ...] = (350000,)) -> Placement:
    """A placement of ``child`` with ``provider`` with one fee line per weekly amount."""
    placement = Placement(ref=ref, child_id=child.id, provider_id=provider.id,
                          placement_type=PlacementType.CHILDRENS_HOME, start_date=start, end_date=end)
    for position, amount in enumerate(weekly_pence):
        placement.fee_lines.append(PlacementFeeLine(position=position, kind=FeeLineKind.CORE,
                                                    weekly_amount_pence=amount))
    session.add(placement)
    session.flush()
    return placement


def make_visit(session: Session, provider: Provider, on: dt.date,
               rating: VisitRating | None = VisitRating.GOOD,
               visit_type: VisitType = VisitType.ANNOUNCED) -> MonitoringVisit:
    """A recorded quality visit."""
    visit = MonitoringVisit(provider_id=provider.id, visit_date=on, visit_type=visit_type, rating=rating)
    session.add(visit)
    session.flush()
    return visit


def build_monitored_provider(session: Session, today: dt.date = dt.date(2026, 6, 15)) -> tuple[Provider, "Cap"]:
    """A provider with 24 months of KPIs, an inspection, a visit and an escalated CAP (one action overdue).

    Used where a test needs a realistic record to report on or show; the
    facts it asserts are spelled out here.
    """
    from placedesk.models.enums import (
        CapActionStatus,
        CapSeverity,
        CapSource,
        OfstedJudgement,
        SanctionKind,
    )
    from placedesk.services.monitoring.caps import add_action, escalate, open_cap, set_action_status
    from placedesk.services.monitoring.inspections import record_inspection
    from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
    from placedesk.services.common.periods import add_months
    from placedesk.services.monitoring.kpis import record_value
    from placedesk.services.monitoring.visits import record_visit

    kpis = {k.code: k for k in ensure_default_kpis(session)}
    provider = make_provider(session, "PRV-T-0001", name="Brook Lodge", urn="SC123456")
    for month in range(24):
        period = add_months(dt.date(2024, 7, 1), month)
        # Attendance red (80 < 90) in every odd month, green otherwise; complaints always 1 (amber).
        record_value(session, provider, kpis["SCHOOL_ATTENDANCE"], period, 80 if month % 2 else 96)
        record_value(session, provider, kpis["COMPLAINTS"], period, 1)
    record_inspection(session, provider, inspection_date=dt.date(2026, 2, 10),
                      judgement=OfstedJudgement.REQUIRES_IMPROVEMENT, today=today,
                      summary="Leaders slow to act on missing episodes")
    record_visit(session, provider, visit_date=dt.date(2026, 3, 3), visit_type=VisitType.UNANNOUNCED,
                 findings="Night staffing below ratio", rating=VisitRating.REQUIRES_IMPROVEMENT, today=today,
                 officer="Jo Officer")
    cap = open_cap(session, provider, issue="Night staffing below ratio", evidence="Visit 03/03/2026",
                   severity=CapSeverity.HIGH, opened_on=dt.date(2026, 3, 10), source=CapSource.VISIT,
                   factor_seriousness="Children at risk at night", laptop_id="T1",
                   review_dates=[dt.date(2026, 4, 10)])
    add_action(session, cap, description="Recruit two waking night staff", owner="Registered manager",
               due_date=dt.date(2026, 5, 1))
    trained = add_action(session, cap, description="Missing-from-care training", owner="Registered manager",
                         due_date=dt.date(2026, 4, 1))
    set_action_status(session, trained, CapActionStatus.COMPLETE, on=dt.date(2026, 3, 30),
                      evidence="Training register")
    escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=dt.date(2026, 5, 5),
             notes="Recruitment not done by the due date")
    return provider, cap
