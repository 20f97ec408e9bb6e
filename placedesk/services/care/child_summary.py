"""What a child's page shows: identity, care history periods, leaving-care status and milestones.

One call gathers it all, so the page reads the database once per child shown.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import Child
from placedesk.services.care.leaving_care import LeavingCareStatus, age_on, leaving_care_status
from placedesk.services.care.milestones import Milestone, milestones_for_child
from placedesk.services.care.ssda903_codes import describe_legal_status, describe_placement, legal_status


@dataclass(frozen=True)
class CareHistoryRow:
    """One care period as the page lists it."""

    id: uuid.UUID
    start_date: dt.date
    end_date: dt.date | None
    legal_status: str
    placement: str
    # Days from start up to (not including) the end, or to ``on`` inclusive while open.
    days: int
    # How the leaving-care rules treat the period.
    counting: str
    source: str
    # The codes as stored, for the Change dialog to start from.
    legal_status_code: str = ""
    placement_code: str = ""
    imported: bool = False


@dataclass(frozen=True)
class ChildPage:
    """Everything the child's page shows."""

    id: uuid.UUID
    name: str
    known_as: str
    case_reference: str
    date_of_birth: dt.date
    age: int
    gender: str
    ethnicity: str
    legal_status: str
    social_worker: str
    has_ehcp: bool
    transition_plan: str
    leaving_care: LeavingCareStatus
    care_history: list[CareHistoryRow]
    milestones: list[Milestone]


def _counting(code: str) -> str:
    status = legal_status(code)
    if status is None:
        return "Not counted: unknown legal status"
    if not status.looked_after:
        return "Not counted: not looked after"
    if status.short_break:
        return "Not counted: short breaks"
    return "Counts towards 13 weeks"


def child_page(session: Session, child_id: uuid.UUID, on: dt.date) -> ChildPage:
    """The child's page as of ``on``."""
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound("That child is no longer in PlaceDesk: refresh the list.")
    periods = list(child.care_periods)
    history = [
        CareHistoryRow(
            id=p.id,
            start_date=p.start_date,
            end_date=p.end_date,
            legal_status=describe_legal_status(p.legal_status) if p.legal_status else "Not recorded",
            placement=describe_placement(p.placement_code) if p.placement_code else "",
            days=max(0, ((p.end_date or on + dt.timedelta(days=1)) - p.start_date).days),
            counting=_counting(p.legal_status),
            source="SSDA903 import" if p.source == "ssda903" else "Entered by hand",
            legal_status_code=p.legal_status,
            placement_code=p.placement_code,
            imported=p.source == "ssda903",
        )
        for p in sorted(periods, key=lambda p: p.start_date, reverse=True)
    ]
    worker = ", ".join(v for v in (child.social_worker_name, child.social_worker_email, child.social_worker_phone) if v)
    return ChildPage(
        id=child.id,
        name=child.full_name,
        known_as=child.known_as,
        case_reference=child.case_reference,
        date_of_birth=child.date_of_birth,
        age=age_on(child.date_of_birth, on),
        gender=child.gender,
        ethnicity=child.ethnicity,
        legal_status=describe_legal_status(child.legal_status) if child.legal_status else "",
        social_worker=worker,
        has_ehcp=child.has_ehcp,
        transition_plan=child.transition_plan,
        leaving_care=leaving_care_status(child.date_of_birth, periods, on),
        care_history=history,
        milestones=milestones_for_child(session, child.id, on=on),
    )
