"""Milestones in a child's transition: pathway plan, 18th birthday, placement ends and reviews, EHCP review.

Two kinds of milestone:

- tasks, whose stored date is the NEXT time something must be done (pathway
  plan, EHCP review, placement review, a placement's planned end while it is
  still open). The officer moves the date on when it is done, so a task whose
  date has passed is overdue.
- events, which simply happen (the 18th birthday, the review dates written
  into an IPA). A past event is history, never overdue.

The pathway plan is due from the 16th birthday (DOMAIN.md): when the child has
no pathway plan date recorded, the task falls on the 16th birthday. It is
tracked to the 18th birthday; after that the leaving-care team owns it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, exists, or_, select, text, type_coerce
from sqlalchemy.orm import Session, aliased

from placedesk.errors import NotFound
from placedesk.models import Agreement, Child, Placement
from placedesk.models.enums import AgreementStatus, LabelledEnum
from placedesk.services.care.leaving_care import birthday


class MilestoneKind(LabelledEnum):
    PATHWAY_PLAN = "pathway_plan"
    BIRTHDAY_18 = "birthday_18"
    PLANNED_END = "planned_end"
    PLACEMENT_REVIEW = "placement_review"
    IPA_REVIEW = "ipa_review"
    EHCP_REVIEW = "ehcp_review"

    @property
    def label(self) -> str:
        return {
            "pathway_plan": "Pathway plan",
            "birthday_18": "18th birthday",
            "planned_end": "Placement planned end",
            "placement_review": "Placement review",
            "ipa_review": "IPA review",
            "ehcp_review": "EHCP review",
        }[self.value]


@dataclass(slots=True)
class Milestone:
    """One dated milestone for a child, and the record to open for it (the child or a placement)."""

    kind: MilestoneKind
    due_on: dt.date
    # What it is, without naming the child (callers add initials and reference).
    description: str
    entity: str
    # The record's id as stored (32 hex digits): a caseload holds thousands of milestones,
    # and only the one the officer opens needs its UUID.
    entity_ref: str
    # Stable across runs and date changes: the calendar export uses it for event UIDs.
    key: str
    is_task: bool
    # Whom it concerns: the child's initials and case reference (filled for caseload lists).
    subject: str = ""
    # The same child on screen: full name and case reference (never exported).
    name: str = ""

    @property
    def entity_id(self) -> uuid.UUID:
        return uuid.UUID(hex=self.entity_ref)

    def overdue(self, today: dt.date) -> bool:
        return self.is_task and self.due_on < today


@dataclass(frozen=True)
class ChildFacts:
    """The child fields milestones read."""

    id: uuid.UUID
    date_of_birth: dt.date
    pathway_plan_date: dt.date | None
    ehcp_review_date: dt.date | None
    transition_plan: str


@dataclass(frozen=True)
class PlacementFacts:
    """An open placement's fields milestones read, with its current IPA review dates."""

    id: uuid.UUID
    ref: str
    planned_end_date: dt.date | None
    review_date: dt.date | None
    ipa_review_dates: tuple[dt.date, ...] = ()


def _review_dates(values: Iterable[str]) -> tuple[dt.date, ...]:
    dates = []
    for value in values or ():
        try:
            dates.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            # A date the IPA editor stored badly is left out rather than shown wrong.
            continue
    return tuple(sorted(set(dates)))


def _own_milestones(child: ChildFacts) -> list[Milestone]:
    """The child's own milestones: pathway plan, 18th birthday, EHCP review."""
    ref = child.id.hex
    out = [_pathway_plan(ref, child.pathway_plan_date or birthday(child.date_of_birth, 16),
                         recorded=child.pathway_plan_date is not None),
           _birthday_18(ref, birthday(child.date_of_birth, 18), bool(child.transition_plan.strip()))]
    if child.ehcp_review_date is not None:
        out.append(_ehcp_review(ref, child.ehcp_review_date))
    return out


# One maker per kind, shared by the child page and the caseload list so both word things alike.
# ``child`` and ``placement`` are ids as stored text.

def _pathway_plan(child: str, day: dt.date, *, recorded: bool, who: str = "") -> Milestone:
    what = "Pathway plan due" if recorded else "Pathway plan due from 16 (none recorded)"
    return Milestone(MilestoneKind.PATHWAY_PLAN, day, what, "child", child, f"pathway-{child}", True, who)


def _birthday_18(child: str, day: dt.date, planned: bool, who: str = "") -> Milestone:
    plan = "plan recorded" if planned else "no transition plan recorded"
    return Milestone(MilestoneKind.BIRTHDAY_18, day, f"18th birthday: move to adult services or staying put ({plan})",
                     "child", child, f"birthday18-{child}", False, who)


def _ehcp_review(child: str, day: dt.date, who: str = "") -> Milestone:
    return Milestone(MilestoneKind.EHCP_REVIEW, day, "EHCP annual review", "child", child, f"ehcp-{child}", True, who)


def _planned_end(placement: str, ref: str, day: dt.date, who: str = "") -> Milestone:
    return Milestone(MilestoneKind.PLANNED_END, day, f"Placement {ref} planned to end", "placement", placement,
                     f"plannedend-{placement}", True, who)


def _placement_review(placement: str, ref: str, day: dt.date, who: str = "") -> Milestone:
    return Milestone(MilestoneKind.PLACEMENT_REVIEW, day, f"Placement {ref} review", "placement", placement,
                     f"review-{placement}", True, who)


def _ipa_review(placement: str, ref: str, day: dt.date, who: str = "") -> Milestone:
    return Milestone(MilestoneKind.IPA_REVIEW, day, f"IPA review for placement {ref}", "placement", placement,
                     f"ipareview-{placement}-{day:%Y%m%d}", False, who)


def child_milestones(child: ChildFacts, placements: Sequence[PlacementFacts]) -> list[Milestone]:
    """Every milestone for one child, in date order (pure: no database)."""
    out = _own_milestones(child)
    for p in placements:
        if p.planned_end_date is not None:
            out.append(_planned_end(p.id.hex, p.ref, p.planned_end_date))
        if p.review_date is not None:
            out.append(_placement_review(p.id.hex, p.ref, p.review_date))
        out.extend(_ipa_review(p.id.hex, p.ref, day) for day in p.ipa_review_dates)
    out.sort(key=lambda m: (m.due_on, m.kind.value))
    return out


def _current_review_dates(session: Session, child_id: uuid.UUID) -> dict[uuid.UUID, tuple[dt.date, ...]]:
    """The child's open placement ids -> the review dates of each one's latest agreement in force."""
    query = (select(Agreement.placement_id, Agreement.version_number, Agreement.review_dates)
             .join(Placement, Placement.id == Agreement.placement_id)
             .where(Placement.child_id == child_id, Placement.end_date.is_(None),
                    Agreement.status != AgreementStatus.SUPERSEDED))
    latest: dict[uuid.UUID, tuple[int, list[str]]] = {}
    for placement_id, version, dates in session.execute(query):
        if placement_id not in latest or version > latest[placement_id][0]:
            latest[placement_id] = (version, dates or [])
    return {pid: _review_dates(dates) for pid, (_, dates) in latest.items()}


_CHILD_COLUMNS = (Child.id, Child.date_of_birth, Child.pathway_plan_date, Child.ehcp_review_date,
                  Child.transition_plan)


def milestones_for_child(session: Session, child_id: uuid.UUID) -> list[Milestone]:
    """Every milestone of one child, past and future, in date order."""
    row = session.execute(select(*_CHILD_COLUMNS).where(Child.id == child_id)).one_or_none()
    if row is None:
        raise NotFound("That child is no longer in PlaceDesk: refresh the list.")
    reviews = _current_review_dates(session, child_id)
    placements = [
        PlacementFacts(pid, ref, planned_end, review, reviews.get(pid, ()))
        for pid, ref, planned_end, review in session.execute(
            select(Placement.id, Placement.ref, Placement.planned_end_date, Placement.review_date)
            .where(Placement.child_id == child_id, Placement.end_date.is_(None)))
    ]
    return child_milestones(ChildFacts(*row), placements)


def child_label(first_name: str, last_name: str, case_reference: str) -> str:
    """Initials and case reference: the most that leaves the laptop (a calendar export) shows of a child."""
    initials = (first_name[:1] + last_name[:1]).upper()
    return f"{initials} {case_reference}" if initials else case_reference


def child_screen_label(first_name: str, last_name: str, case_reference: str) -> str:
    """The child as the officer sees them on screen: full name and case reference."""
    name = f"{first_name} {last_name}".strip()
    return f"{name} ({case_reference})" if name else case_reference


def _named(milestone: Milestone, name: str) -> Milestone:
    # Set in place: thousands are made per refresh, and a copy each would cost more than the query.
    milestone.name = name
    return milestone


def _raw(column: Any) -> Any:
    # Ids and dates read as stored text: converting only what is kept is what makes a
    # caseload of 20,000 children fast (SQLAlchemy would convert every value read).
    return type_coerce(column, String)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def caseload_milestones(session: Session, *, today: dt.date, until: dt.date) -> list[Milestone]:
    """Milestones across every child that fall due by ``until``: events from today, tasks also overdue.

    Pathway plans and the 18th birthday are tracked until the 18th birthday;
    EHCP reviews and open placements for every child. SQL narrows the rows
    (loosely, a few days either side, for the birthday sums); the exact tests
    are made here. Each milestone's ``subject`` is the child's initials and
    case reference.
    """
    # Plain Core rows: these reads need none of the ORM's row handling.
    db = session.connection()
    slack = dt.timedelta(days=3)
    adult_before = birthday(today, -18) - slack  # born before this: 18 before ``today``
    sixteen_by = birthday(until, -16) + slack  # born on or before this: 16 by ``until``
    eighteen_by = birthday(until, -18) + slack  # born on or before this: 18 by ``until``
    out: list[Milestone] = []
    rows = db.execute(
        select(_raw(Child.id), _raw(Child.date_of_birth), _raw(Child.pathway_plan_date),
               _raw(Child.ehcp_review_date), Child.transition_plan, Child.first_name, Child.last_name,
               Child.case_reference)
        .where(or_(
            and_(Child.date_of_birth >= adult_before, or_(
                Child.pathway_plan_date <= until,
                and_(Child.pathway_plan_date.is_(None), Child.date_of_birth <= sixteen_by),
                Child.date_of_birth <= eighteen_by,
            )),
            Child.ehcp_review_date <= until,
        ))
    ).all()
    for raw_id, dob_text, plan_text, ehcp_text, transition, first, last, ref in rows:
        dob = dt.date.fromisoformat(dob_text)
        who = child_label(first, last, ref)
        name = child_screen_label(first, last, ref)
        b18 = birthday(dob, 18)
        if b18 >= today:
            plan = _date(plan_text)
            due = plan or birthday(dob, 16)
            if due <= until:
                out.append(_named(_pathway_plan(raw_id, due, recorded=plan is not None, who=who), name))
            if b18 <= until:
                out.append(_named(_birthday_18(raw_id, b18, bool(transition.strip()), who), name))
        ehcp = _date(ehcp_text)
        if ehcp is not None and ehcp <= until:
            out.append(_named(_ehcp_review(raw_id, ehcp, who), name))

    placements = db.execute(
        select(_raw(Placement.id), Placement.ref, _raw(Placement.planned_end_date),
               _raw(Placement.review_date), Child.first_name, Child.last_name, Child.case_reference)
        .join(Child, Child.id == Placement.child_id)
        .where(Placement.end_date.is_(None),
               or_(Placement.planned_end_date <= until, Placement.review_date <= until))
    ).all()
    for raw_id, ref, planned_text, review_text, first, last, case_ref in placements:
        who = child_label(first, last, case_ref)
        name = child_screen_label(first, last, case_ref)
        planned_end, review = _date(planned_text), _date(review_text)
        if planned_end is not None and planned_end <= until:
            out.append(_named(_planned_end(raw_id, ref, planned_end, who), name))
        if review is not None and review <= until:
            out.append(_named(_placement_review(raw_id, ref, review, who), name))

    # Only agreements with a review date in the window, and only the latest version in force.
    newer = aliased(Agreement)
    latest = ~exists().where(newer.placement_id == Agreement.placement_id,
                             newer.status != AgreementStatus.SUPERSEDED,
                             newer.version_number > Agreement.version_number)
    in_window = text("EXISTS (SELECT 1 FROM json_each(agreement.review_dates) AS d "
                     "WHERE d.value BETWEEN :lo AND :hi)").bindparams(lo=today.isoformat(), hi=until.isoformat())
    agreements = db.execute(
        select(_raw(Placement.id), Placement.ref, Agreement.review_dates,
               Child.first_name, Child.last_name, Child.case_reference)
        .join(Placement, Placement.id == Agreement.placement_id)
        .join(Child, Child.id == Placement.child_id)
        .where(Placement.end_date.is_(None), Agreement.status != AgreementStatus.SUPERSEDED, latest, in_window)
    ).all()
    for raw_id, ref, dates, first, last, case_ref in agreements:
        who = child_label(first, last, case_ref)
        name = child_screen_label(first, last, case_ref)
        for day in _review_dates(dates):
            if today <= day <= until:
                out.append(_named(_ipa_review(raw_id, ref, day, who), name))
    return out
