"""Milestones in a child's transition: leaving-care duties, 18th birthday, placement ends and reviews, EHCP review.

Two kinds of milestone:

- tasks, whose stored date is the NEXT time something must be done (pathway
  plan, EHCP review, placement review, a placement's planned end while it is
  still open). The officer moves the date on when it is done, so a task whose
  date has passed is overdue.
- events, which simply happen (the 18th birthday, the review dates written
  into an IPA). A past event is history, never overdue.

Leaving-care duties follow the young person's status on the day
(:func:`placedesk.services.care.leaving_care.leaving_care_status`), as the Care
Planning, Placement and Case Review (England) Regulations 2010 set them:

- eligible, relevant and former relevant young people (and a looked-after
  child who will be eligible at 16): with no pathway plan recorded, the needs
  assessment that leads to it is due within three months of the 16th
  birthday, or of becoming eligible after it (reg. 42); once a plan is
  recorded, the child's pathway plan date is its next review, and reviews
  follow at least every six months (shown ahead in the window asked for)
  until support ends at 21 (25 in education or training);
- a qualifying young person (s24) gets advice and assistance, not a pathway
  plan: an "advice and assistance check" three months after becoming one and
  every six months after (a local choice; it reminds, it is never overdue);
- anyone else has no leaving-care milestone.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select, text, true
from sqlalchemy.orm import Session, aliased

from placedesk.db.dialect import json_array_contains_between, plain_rows, stored_text
from placedesk.errors import NotFound
from placedesk.models import Agreement, CarePeriod, Child, Placement
from placedesk.models.enums import AgreementStatus, LabelledEnum
from placedesk.services.care.leaving_care import (
    CareLeaverStatus,
    LeavingCareStatus,
    Period,
    StatusFacts,
    birthday,
    status_facts,
)
from placedesk.services.common.parsing import format_date
from placedesk.services.common.periods import add_months, month_start, months_after

# Reg. 42: the needs assessment within three months of 16 or of becoming eligible after it.
ASSESSMENT_MONTHS = 3
# The pathway plan is reviewed at least every six months.
REVIEW_MONTHS = 6
# A local choice: when a qualifying young person's advice and assistance is checked.
ADVICE_FIRST_MONTHS, ADVICE_EVERY_MONTHS = 3, 6
_PATHWAY_STATUSES = frozenset({CareLeaverStatus.ELIGIBLE, CareLeaverStatus.RELEVANT,
                               CareLeaverStatus.FORMER_RELEVANT})


class MilestoneKind(LabelledEnum):
    NEEDS_ASSESSMENT = "needs_assessment"
    PATHWAY_PLAN = "pathway_plan"
    ADVICE_ASSISTANCE = "advice_assistance"
    BIRTHDAY_18 = "birthday_18"
    PLANNED_END = "planned_end"
    PLACEMENT_REVIEW = "placement_review"
    IPA_REVIEW = "ipa_review"
    EHCP_REVIEW = "ehcp_review"

    @property
    def label(self) -> str:
        return {
            "needs_assessment": "Needs assessment",
            "pathway_plan": "Pathway plan review",
            "advice_assistance": "Advice and assistance",
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
    care_periods: tuple[Period, ...] = ()


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


def _own_milestones(child: ChildFacts, on: dt.date, until: dt.date | None) -> list[Milestone]:
    """The child's own milestones: leaving-care duties by status, 18th birthday, EHCP review."""
    ref = child.id.hex
    status = status_facts(child.date_of_birth, child.care_periods, on)
    out = leaving_care_milestones(ref, child.date_of_birth, child.pathway_plan_date, status, until)
    out.append(_birthday_18(ref, birthday(child.date_of_birth, 18), bool(child.transition_plan.strip())))
    if child.ehcp_review_date is not None:
        out.append(_ehcp_review(ref, child.ehcp_review_date))
    return out


def leaving_care_milestones(child: str, date_of_birth: dt.date, plan_date: dt.date | None,
                            status: LeavingCareStatus | StatusFacts, until: dt.date | None,
                            who: str = "") -> list[Milestone]:
    """The leaving-care duties for a young person with ``status`` (see the module docstring).

    ``until`` is the end of the window shown: six-monthly reviews and checks
    after the next one are listed up to it (only the next one without it).
    """
    b16 = birthday(date_of_birth, 16)
    current = status.status
    # Looked after and on the way to eligibility (before 16, or at 16 or 17 short of 13 weeks):
    # the assessment is planned ahead, as the placement team needs to know well before a move.
    will_be_eligible = (current is CareLeaverStatus.NONE and status.on < birthday(date_of_birth, 18)
                        and status.projected_eligible_from is not None)
    if current in _PATHWAY_STATUSES or will_be_eligible:
        if plan_date is None:
            start = max(b16, status.projected_eligible_from or b16)
            why = "the 16th birthday" if start == b16 else f"becoming eligible on {format_date(start)}"
            return [Milestone(MilestoneKind.NEEDS_ASSESSMENT, months_after(start, ASSESSMENT_MONTHS),
                              f"Needs assessment and pathway plan due (within three months of {why})",
                              "child", child, f"pathway-{child}", True, who)]
        ends = birthday(date_of_birth, 25 if status.extended else 21)
        out = [Milestone(MilestoneKind.PATHWAY_PLAN, plan_date, "Pathway plan review due (at least every six months)",
                         "child", child, f"pathway-{child}", True, who)]
        out += [Milestone(MilestoneKind.PATHWAY_PLAN, day, "Pathway plan review (six-monthly, after the next one)",
                          "child", child, f"pathway-{child}-{day:%Y%m%d}", False, who)
                for day in _occurrences(plan_date, REVIEW_MONTHS, from_day=plan_date + dt.timedelta(days=1),
                                        until=until, before=ends)]
        return out
    if current is CareLeaverStatus.QUALIFYING:
        first = months_after(status.status_since or status.on, ADVICE_FIRST_MONTHS)
        ends = birthday(date_of_birth, 25 if status.extended else 21)
        return [Milestone(MilestoneKind.ADVICE_ASSISTANCE, day,
                          "Advice and assistance check (qualifying young person: no pathway plan)",
                          "child", child, f"advice-{child}-{day:%Y%m%d}", False, who)
                for day in _occurrences(first, ADVICE_EVERY_MONTHS, from_day=status.on, until=until, before=ends)]
    return []


def _occurrences(first: dt.date, months: int, *, from_day: dt.date, until: dt.date | None,
                 before: dt.date) -> list[dt.date]:
    """``first`` and every ``months`` after it, on or after ``from_day`` and before ``before``:
    all of them up to ``until``, or only the next one without ``until``."""
    out: list[dt.date] = []
    # Start a step before ``from_day``'s month rather than at ``first``: an overdue plan or a
    # long-qualifying young person would otherwise step through years of six-monthly dates.
    # Every step skipped falls before ``from_day``, so it would have been passed over anyway.
    months_to = (from_day.year - first.year) * 12 + from_day.month - first.month
    step = max(0, months_to // months - 1)
    while True:
        # Counted from ``first`` each time, so a 31st never drifts to the 28th.
        day = months_after(first, months * step)
        step += 1
        if day >= before:
            return out
        if day < from_day:
            continue
        if until is None:
            return [day]
        if day > until:
            return out
        out.append(day)


# One maker per kind, shared by the child page and the caseload list so both word things alike.
# ``child`` and ``placement`` are ids as stored text.

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


def child_milestones(child: ChildFacts, placements: Sequence[PlacementFacts], *, on: dt.date,
                     until: dt.date | None = None) -> list[Milestone]:
    """Every milestone for one child on ``on``, in date order (pure: no database)."""
    out = _own_milestones(child, on, until)
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


def milestones_for_child(session: Session, child_id: uuid.UUID, *, on: dt.date) -> list[Milestone]:
    """Every milestone of one child, past and future, in date order; leaving-care duties as on ``on``."""
    row = session.execute(select(*_CHILD_COLUMNS).where(Child.id == child_id)).one_or_none()
    if row is None:
        raise NotFound("That child is no longer in PlaceDesk: refresh the list.")
    periods = tuple(Period(start, end, legal) for start, end, legal in session.execute(
        select(CarePeriod.start_date, CarePeriod.end_date, CarePeriod.legal_status)
        .where(CarePeriod.child_id == child_id)))
    reviews = _current_review_dates(session, child_id)
    placements = [
        PlacementFacts(pid, ref, planned_end, review, reviews.get(pid, ()))
        for pid, ref, planned_end, review in session.execute(
            select(Placement.id, Placement.ref, Placement.planned_end_date, Placement.review_date)
            .where(Placement.child_id == child_id, Placement.end_date.is_(None)))
    ]
    return child_milestones(ChildFacts(*row, care_periods=periods), placements, on=on)


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
    return stored_text(column)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# Beyond two years ahead, the text search for each month would cost more than it saves.
_MONTHS_SEARCHED = 24
# Three calendar months are at least 89 days (31 January to 30 April): a needs assessment is due no
# sooner than 89 days after the 16th birthday.
_ASSESSMENT_MIN_DAYS = 89


def _leaving_care_candidates(today: dt.date, until: dt.date) -> Any:
    """SQL true for the children whose leaving-care duties can bring a milestone into the window.

    Loose by a few days (``slack``) where it compares dates of birth, so that it
    never leaves out a child the rules would list; the rules decide exactly. Left out:

    - born too early (25 before ``today``: support has ended);
    - 16 only after ``until`` with no pathway plan review by ``until``: the
      earliest other duty is the needs assessment after the 16th birthday (a
      looked-after 15-year-old who will be eligible may have a plan already, and
      its review is listed as on their page);
    - under 16 on ``today`` (never a qualifying young person, so no advice checks)
      with no pathway plan whose needs assessment, three months after the 16th
      birthday at the soonest, falls after ``until``;
    - under 16, or under 18 and still in care (neither is ever a qualifying young
      person), with the next pathway plan review after ``until``: the reviews after
      it fall later still. (SQL's NULL would make these unknown: hence IS NOT NULL.)
    """
    slack = dt.timedelta(days=3)
    support_ended_before = birthday(today, -25) - slack  # born before this: 25 before ``today``
    sixteen_by = birthday(until, -16) + slack
    under_16_after = birthday(today, -16) + slack  # born after this: under 16 on ``today``
    assessment_after = birthday(until - dt.timedelta(days=_ASSESSMENT_MIN_DAYS), -16) + slack
    open_period = aliased(CarePeriod)
    in_care = exists().where(open_period.child_id == Child.id, open_period.end_date.is_(None))
    plan_after = and_(Child.pathway_plan_date.is_not(None), Child.pathway_plan_date > until)
    return and_(
        Child.date_of_birth >= support_ended_before,
        or_(Child.date_of_birth <= sixteen_by, Child.pathway_plan_date <= until),
        ~and_(Child.pathway_plan_date.is_(None), Child.date_of_birth > under_16_after,
              Child.date_of_birth > assessment_after),
        ~and_(plan_after, Child.date_of_birth > under_16_after),
        ~and_(plan_after, Child.date_of_birth > birthday(today, -18), in_care),
    )


def _any_month_in(today: dt.date, until: dt.date) -> Any:
    """SQL true when an agreement's review dates, as JSON text, name a month from ``today``'s to ``until``'s.

    A plain text search that passes over most agreements before the JSON is taken
    apart (the exact test that follows parses each one's list of dates).
    """
    months: list[str] = []
    month = month_start(today)
    while month <= until and len(months) <= _MONTHS_SEARCHED:
        months.append(f'%"{month:%Y-%m}-%')
        month = add_months(month, 1)
    if len(months) > _MONTHS_SEARCHED:
        return true()
    return or_(*(_raw(Agreement.review_dates).like(pattern) for pattern in months))


# Each young person's leaving-care duties in a window, by everything they follow from: the child's
# stored date of birth, pathway plan date and care history, and the window. Coming up is worked
# out again whenever a colleague changes what it shows; the status rules cost more than the
# rest of it together, and most young people's histories have not changed since. Exact: a
# changed history, plan or window is a different key. Only the last window's are kept (a few
# thousand young people, a few megabytes), and never more than a council's caseload.
_DUTIES: dict[tuple[Any, ...], tuple[tuple[Any, ...], ...]] = {}
_DUTIES_WINDOW: list[tuple[dt.date, dt.date]] = []
_DUTIES_KEPT = 30_000


def _duties(raw_id: str, dob_text: str, plan_text: str | None, history: tuple[tuple[str, str | None, str], ...],
            today: dt.date, until: dt.date) -> tuple[tuple[Any, ...], ...]:
    """The fields of each leaving-care milestone a young person has in the window: tasks due by
    ``until`` (overdue ones too) and events from ``today``."""
    key = (raw_id, dob_text, plan_text, history, today, until)
    found = _DUTIES.get(key)
    if found is None:
        from_iso = dt.date.fromisoformat
        dob = from_iso(dob_text)
        periods = [Period(from_iso(start), from_iso(end) if end else None, legal) for start, end, legal in history]
        status = status_facts(dob, periods, today)
        found = tuple((m.kind, m.due_on, m.description, m.entity, m.entity_ref, m.key, m.is_task)
                      for m in leaving_care_milestones(raw_id, dob, _date(plan_text), status, until)
                      if m.due_on <= until and (m.is_task or m.due_on >= today))
        if len(_DUTIES) >= _DUTIES_KEPT:
            _DUTIES.clear()
        _DUTIES[key] = found
    return found


def caseload_milestones(session: Session, *, today: dt.date, until: dt.date) -> list[Milestone]:
    """Milestones across every child that fall due by ``until``: events from today, tasks also overdue.

    Leaving-care duties follow each young person's status on ``today`` (from
    16, or earlier for a looked-after child who will be eligible, to 25); the
    18th birthday is shown until it passes; EHCP reviews and open placements
    for every child. SQL narrows the rows (loosely, a few days either side, for
    the birthday sums); the exact tests are made here. Each milestone's
    ``subject`` is the child's initials and case reference.
    """
    # Plain driver tuples of stored text: these reads need none of SQLAlchemy's row handling,
    # which at a caseload's size costs more than the queries (see plain_rows).
    db = session.connection()
    slack = dt.timedelta(days=3)
    adult_before = birthday(today, -18) - slack  # born before this: 18 before ``today``
    eighteen_by = birthday(until, -18) + slack  # born on or before this: 18 by ``until``
    candidates = _leaving_care_candidates(today, until)
    # The care history of the young people whose duties are worked out, in one query: SQLite
    # lists the children first and reads each one's periods through the child index (joining on
    # the date of birth would scan every period; binding thousands of ids costs more than this).
    histories: dict[str, list[tuple[str, str | None, str]]] = {}
    for child_id, start, end, legal in plain_rows(db, select(
            _raw(CarePeriod.child_id), _raw(CarePeriod.start_date), _raw(CarePeriod.end_date),
            CarePeriod.legal_status)
            .where(CarePeriod.child_id.in_(select(Child.id).where(candidates)))):
        found_history = histories.get(child_id)
        if found_history is None:
            found_history = histories[child_id] = []
        found_history.append((start, end, legal))
    # Every child with a milestone possible: those with a care history read above, an EHCP
    # review by ``until``, or an 18th birthday near the window.
    rows = plain_rows(db, select(
        _raw(Child.id), _raw(Child.date_of_birth), _raw(Child.pathway_plan_date), _raw(Child.ehcp_review_date),
        Child.transition_plan, Child.first_name, Child.last_name, Child.case_reference)
        .where(or_(candidates, Child.ehcp_review_date <= until,
                   and_(Child.date_of_birth >= adult_before, Child.date_of_birth <= eighteen_by))))
    out: list[Milestone] = []
    from_iso = dt.date.fromisoformat
    today_text, until_text = today.isoformat(), until.isoformat()
    # Born in this range (as stored text): the 18th birthday may fall in the window; checked exactly below.
    b18_low, b18_high = (birthday(today, -18) - slack).isoformat(), eighteen_by.isoformat()
    if _DUTIES_WINDOW != [(today, until)]:
        # A new day or another window: what was kept for the last one is no longer asked for.
        _DUTIES.clear()
        _DUTIES_WINDOW[:] = [(today, until)]
    for raw_id, dob_text, plan_text, ehcp_text, transition, first, last, ref in rows:
        history = histories.get(raw_id)
        found = [Milestone(*fields) for fields in _duties(raw_id, dob_text, plan_text, tuple(history), today, until)
                 ] if history else []
        if b18_low <= dob_text <= b18_high:
            b18 = birthday(from_iso(dob_text), 18)
            if today <= b18 <= until:
                found.append(_birthday_18(raw_id, b18, bool(transition.strip())))
        if ehcp_text is not None and ehcp_text <= until_text:
            found.append(_ehcp_review(raw_id, from_iso(ehcp_text)))
        if found:
            who = child_label(first, last, ref)
            name = child_screen_label(first, last, ref)
            for m in found:
                m.subject = who
                m.name = name
            out.extend(found)

    for raw_id, ref, planned_text, review_text, first, last, case_ref in plain_rows(db, select(
            _raw(Placement.id), Placement.ref, _raw(Placement.planned_end_date),
            _raw(Placement.review_date), Child.first_name, Child.last_name, Child.case_reference)
            .join(Child, Child.id == Placement.child_id)
            .where(Placement.end_date.is_(None),
                   or_(Placement.planned_end_date <= until, Placement.review_date <= until))):
        who = child_label(first, last, case_ref)
        name = child_screen_label(first, last, case_ref)
        # ISO date text orders as the dates do: compared before converting.
        if planned_text is not None and planned_text <= until_text:
            out.append(_named(_planned_end(raw_id, ref, from_iso(planned_text), who), name))
        if review_text is not None and review_text <= until_text:
            out.append(_named(_placement_review(raw_id, ref, from_iso(review_text), who), name))

    # Only agreements with a review date in the window, and only the latest version in force.
    newer = aliased(Agreement)
    latest = ~exists().where(newer.placement_id == Agreement.placement_id,
                             newer.status != AgreementStatus.SUPERSEDED,
                             newer.version_number > Agreement.version_number)
    in_window = and_(_any_month_in(today, until),
                     text(json_array_contains_between("agreement.review_dates", ":lo", ":hi", db)).bindparams(
                         lo=today_text, hi=until_text))
    for raw_id, ref, dates_text, first, last, case_ref in plain_rows(db, select(
            _raw(Placement.id), Placement.ref, _raw(Agreement.review_dates),
            Child.first_name, Child.last_name, Child.case_reference)
            .join(Placement, Placement.id == Agreement.placement_id)
            .join(Child, Child.id == Placement.child_id)
            .where(Placement.end_date.is_(None), Agreement.status != AgreementStatus.SUPERSEDED, latest,
                   in_window)):
        who = child_label(first, last, case_ref)
        name = child_screen_label(first, last, case_ref)
        for day in _review_dates(json.loads(dates_text) if dates_text else ()):
            if today <= day <= until:
                out.append(_named(_ipa_review(raw_id, ref, day, who), name))
    return out
