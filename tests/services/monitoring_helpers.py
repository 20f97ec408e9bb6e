"""Small builders for monitoring tests: providers, children placed with fee lines, visits.

Shared by the service, report, command and UI tests of the Monitoring tab so
each test states only the facts it is about.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from placedesk.models import Child, MonitoringVisit, Placement, PlacementFeeLine, Provider
from placedesk.models.enums import FeeLineKind, PlacementType, ProviderType, VisitRating, VisitType


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
