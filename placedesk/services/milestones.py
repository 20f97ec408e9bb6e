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

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import Agreement, Child, Placement
from placedesk.models.enums import AgreementStatus, LabelledEnum
from placedesk.services.leaving_care import birthday


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


@dataclass(frozen=True)
class Milestone:
    """One dated milestone for a child, and the record to open for it."""

    kind: MilestoneKind
    due_on: dt.date
    child_id: uuid.UUID
    # What it is, without naming the child (callers add initials and reference).
    description: str
    entity: str
    entity_id: uuid.UUID
    # Stable across runs and date changes: the calendar export uses it for event UIDs.
    key: str
    is_task: bool

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
    child_id: uuid.UUID
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


def child_milestones(child: ChildFacts, placements: Sequence[PlacementFacts]) -> list[Milestone]:
    """Every milestone for one child, in date order (pure: no database)."""
    out: list[Milestone] = []
    b18 = birthday(child.date_of_birth, 18)
    if child.pathway_plan_date is not None:
        out.append(Milestone(MilestoneKind.PATHWAY_PLAN, child.pathway_plan_date, child.id,
                             "Pathway plan due", "child", child.id, f"pathway-{child.id}", True))
    else:
        out.append(Milestone(MilestoneKind.PATHWAY_PLAN, birthday(child.date_of_birth, 16), child.id,
                             "Pathway plan due from 16 (none recorded)", "child", child.id, f"pathway-{child.id}",
                             True))
    plan = "plan recorded" if child.transition_plan.strip() else "no transition plan recorded"
    out.append(Milestone(MilestoneKind.BIRTHDAY_18, b18, child.id,
                         f"18th birthday: move to adult services or staying put ({plan})",
                         "child", child.id, f"birthday18-{child.id}", False))
    if child.ehcp_review_date is not None:
        out.append(Milestone(MilestoneKind.EHCP_REVIEW, child.ehcp_review_date, child.id, "EHCP annual review",
                             "child", child.id, f"ehcp-{child.id}", True))
    for placement in placements:
        if placement.planned_end_date is not None:
            out.append(Milestone(MilestoneKind.PLANNED_END, placement.planned_end_date, child.id,
                                 f"Placement {placement.ref} planned to end", "placement", placement.id,
                                 f"plannedend-{placement.id}", True))
        if placement.review_date is not None:
            out.append(Milestone(MilestoneKind.PLACEMENT_REVIEW, placement.review_date, child.id,
                                 f"Placement {placement.ref} review", "placement", placement.id,
                                 f"review-{placement.id}", True))
        for day in placement.ipa_review_dates:
            out.append(Milestone(MilestoneKind.IPA_REVIEW, day, child.id,
                                 f"IPA review for placement {placement.ref}", "placement", placement.id,
                                 f"ipareview-{placement.id}-{day:%Y%m%d}", False))
    out.sort(key=lambda m: (m.due_on, m.kind.value))
    return out


def _placements(session: Session, child_ids: Sequence[uuid.UUID] | None) -> dict[uuid.UUID, list[PlacementFacts]]:
    """Open placements by child, with their current agreement's review dates."""
    query = select(Placement.id, Placement.child_id, Placement.ref, Placement.planned_end_date,
                   Placement.review_date).where(Placement.end_date.is_(None))
    if child_ids is not None:
        query = query.where(Placement.child_id.in_(child_ids))
    rows = session.execute(query).all()
    reviews: dict[uuid.UUID, tuple[int, list[str]]] = {}
    agreements = select(Agreement.placement_id, Agreement.version_number, Agreement.review_dates).join(
        Placement, Placement.id == Agreement.placement_id
    ).where(Placement.end_date.is_(None), Agreement.status != AgreementStatus.SUPERSEDED)
    if child_ids is not None:
        agreements = agreements.where(Placement.child_id.in_(child_ids))
    for placement_id, version, dates in session.execute(agreements):
        # The latest version in force carries the review dates.
        if placement_id not in reviews or version > reviews[placement_id][0]:
            reviews[placement_id] = (version, dates or [])
    out: dict[uuid.UUID, list[PlacementFacts]] = {}
    for pid, child_id, ref, planned_end, review in rows:
        out.setdefault(child_id, []).append(
            PlacementFacts(pid, child_id, ref, planned_end, review, _review_dates(reviews.get(pid, (0, []))[1]))
        )
    return out


_CHILD_COLUMNS = (Child.id, Child.date_of_birth, Child.pathway_plan_date, Child.ehcp_review_date,
                  Child.transition_plan)


def milestones_for_child(session: Session, child_id: uuid.UUID) -> list[Milestone]:
    """Every milestone of one child, past and future, in date order."""
    row = session.execute(select(*_CHILD_COLUMNS).where(Child.id == child_id)).one_or_none()
    if row is None:
        raise NotFound("That child is no longer in PlaceDesk: refresh the list.")
    return child_milestones(ChildFacts(*row), _placements(session, [child_id]).get(child_id, []))


def caseload_milestones(session: Session, *, today: dt.date, until: dt.date) -> list[Milestone]:
    """Milestones across every child that fall due by ``until``: events from today, tasks also overdue.

    Pathway plans matter to the 18th birthday, so only children under 18 on
    ``today`` (or turning 18 by ``until``) are read for them and the birthday;
    EHCP reviews and placements are read for every child.
    """
    placements = _placements(session, None)
    # A loose SQL filter (under 19); the exact age test is per child below.
    young = birthday(today, -19)
    open_placements = select(Placement.child_id).where(Placement.end_date.is_(None))
    rows = session.execute(select(*_CHILD_COLUMNS).where(
        (Child.date_of_birth > young) | Child.ehcp_review_date.is_not(None) | Child.id.in_(open_placements)
    )).all()
    out: list[Milestone] = []
    for row in rows:
        facts = ChildFacts(*row)
        under_18 = birthday(facts.date_of_birth, 18) > today
        for milestone in child_milestones(facts, placements.get(facts.id, [])):
            if milestone.due_on > until:
                continue
            if milestone.kind in (MilestoneKind.PATHWAY_PLAN, MilestoneKind.BIRTHDAY_18) and not under_18:
                continue
            if milestone.due_on < today and not milestone.is_task:
                continue
            out.append(milestone)
    return out
