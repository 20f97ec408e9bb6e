"""Leaving-care status from a date of birth and care history (DOMAIN.md, Children Act 1989).

Pure rules: :func:`leaving_care_status` needs no database; :func:`leaving_care_report`
loads a whole caseload in two queries and applies them.

How days are counted (stated once, used everywhere):

- A care period covers the days from its start date (SSDA903 DECOM) up to but
  NOT including its end date (DEC). SSDA903 starts the next episode on the DEC
  of the last, and a child who leaves care on DEC sleeps elsewhere that night,
  so DEC is the first day not looked after under that episode. A period with
  no end date is open: the child is looked after on every day from its start.
- Overlapping periods are counted once per day (days are a set, not a sum).
- Only days from the 14th birthday count, and no child is looked after on or
  after the 18th birthday, so days are clipped to [14th birthday, 18th birthday).
- 13 weeks is 91 counted days: the rule is met on the day the 91st is looked after.

The 16th birthday: the regulations require periods that "began after he reached
the age of 14 and ended after he reached the age of 16" (Children Act 1989
Sch 2 para 19B; Care Planning etc. Regulations 2010 reg 40). By the Family Law
Reform Act 1969 s9 a person reaches an age at the first moment of the birthday,
so a day looked after ON the 16th birthday is after reaching 16: it counts.
A period whose last day looked after is the day before the 16th birthday (DEC
on the birthday) has none after 16. The same reading makes the 14th birthday
the first counted day. Someone born on 29 February reaches an age on 1 March
in a year without one.

Short breaks (V3/V4) make a child looked after while they last but never count
towards the 13 weeks, nor as the "day after 16" (reg 40(2)); being looked after
in them after 16 still makes a young person a qualifying young person (s24).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.db.dialect import stored_text
from placedesk.models.enums import LabelledEnum
from placedesk.services.common.parsing import format_date
from placedesk.services.care.ssda903_codes import LEGAL_STATUSES

THIRTEEN_WEEKS_DAYS = 91
# How each legal status code is treated, looked up once per period.
_COUNTED, _SHORT_BREAK, _NOT_LOOKED_AFTER, _UNKNOWN = "counted", "short_break", "not_looked_after", "unknown"
_KIND: dict[str, str] = {
    code: (_COUNTED if s.counts_towards_13_weeks else _SHORT_BREAK) if s.looked_after else _NOT_LOOKED_AFTER
    for code, s in LEGAL_STATUSES.items()
}


class PeriodLike(Protocol):
    """What the rules need from a care period (a CarePeriod, or any look-alike)."""

    @property
    def start_date(self) -> dt.date: ...

    @property
    def end_date(self) -> dt.date | None: ...

    @property
    def legal_status(self) -> str: ...


class Period(NamedTuple):
    """A plain care period, for callers without ORM objects (reports, tests, bench)."""

    start_date: dt.date
    end_date: dt.date | None
    legal_status: str


class CareLeaverStatus(LabelledEnum):
    """The leaving-care categories of the Children Act 1989 (DOMAIN.md)."""

    ELIGIBLE = "eligible"
    RELEVANT = "relevant"
    FORMER_RELEVANT = "former_relevant"
    QUALIFYING = "qualifying"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "eligible": "Eligible child",
            "relevant": "Relevant child",
            "former_relevant": "Former relevant child",
            "qualifying": "Qualifying young person",
            "none": "None",
        }[self.value]


@dataclass(frozen=True)
class LeavingCareStatus:
    """A young person's leaving-care status on one date, why, and when it will change."""

    on: dt.date
    status: CareLeaverStatus
    # Aged 21 to 24: the duty continues only if in education or training (or, for a
    # former relevant child, if they ask for a personal adviser).
    extended: bool
    reason: str
    days_since_14: int
    days_after_16: int
    looked_after_now: bool
    # The first day the young person was an eligible child, if on or before ``on``.
    eligible_from: dt.date | None
    short_breaks_excluded: tuple[tuple[dt.date, dt.date | None], ...] = ()
    changes: list[tuple[dt.date, str]] = field(default_factory=list)
    # The day the young person is (or, while care continues, will be) first an eligible child.
    projected_eligible_from: dt.date | None = None
    # The first day of a qualifying young person's status (worked out for that status only:
    # it dates their advice and assistance checks).
    status_since: dt.date | None = None

    @property
    def label(self) -> str:
        if self.extended:
            return f"{self.status.label} (21-25: if in education or training)"
        return self.status.label

    @property
    def any_after_16(self) -> bool:
        """Whether any counted day fell on or after the 16th birthday."""
        return self.days_after_16 > 0

    @property
    def next_change(self) -> tuple[dt.date, str] | None:
        return self.changes[0] if self.changes else None


def birthday(date_of_birth: dt.date, years: int) -> dt.date:
    """The day a person reaches ``years``; 29 February births reach it on 1 March in other years."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return dt.date(date_of_birth.year + years, 3, 1)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on`` (the birthday itself counts as reached)."""
    years = on.year - date_of_birth.year
    return years if on >= birthday(date_of_birth, years) else years - 1


# Intervals are [start, end) in date ordinals, sorted and merged.
_Intervals = list[tuple[int, int]]


def _merge(intervals: list[tuple[int, int]]) -> _Intervals:
    if len(intervals) < 2:
        return [i for i in intervals if i[1] > i[0]]
    merged: _Intervals = []
    for start, end in sorted([i for i in intervals if i[1] > i[0]]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _count(intervals: _Intervals, lo: int, hi: int) -> int:
    """Days of ``intervals`` within [lo, hi)."""
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in intervals)


def _covers(intervals: _Intervals, day: int) -> bool:
    return any(s <= day < e for s, e in intervals)


def _first_from(intervals: _Intervals, lo: int) -> int | None:
    """The first covered day on or after ``lo``."""
    for s, e in intervals:
        if e > lo:
            return max(s, lo)
    return None


def _last_before(intervals: _Intervals, hi: int) -> int | None:
    """The last covered day before ``hi``."""
    last = None
    for s, e in intervals:
        if s < hi:
            last = min(e, hi) - 1
    return last


def _day_of_nth(intervals: _Intervals, n: int) -> int | None:
    """The day on which the ``n``th covered day falls."""
    seen = 0
    for s, e in intervals:
        if seen + (e - s) >= n:
            return s + (n - seen) - 1
        seen += e - s
    return None


@dataclass(slots=True)
class _History:
    """One young person's care history reduced to what the rules read."""

    b14: int
    b16: int
    b18: int
    b21: int
    b25: int
    counted: _Intervals  # counting days, clipped to [14th, 18th birthday); open periods run to the 18th
    looked_after: _Intervals  # any looked-after day (short breaks too), before the 18th birthday
    eligible_from: int | None  # the first day eligible, assuming open periods stay open
    first_after_16: int | None  # the first day looked after (short breaks too) on or after the 16th birthday
    short_breaks: tuple[tuple[dt.date, dt.date | None], ...]
    not_looked_after: int  # periods under L1-L3 (not looked after)
    unknown: int  # periods whose legal status is not an SSDA903 code


def _history(date_of_birth: dt.date, periods: Sequence[PeriodLike]) -> _History:
    b14 = birthday(date_of_birth, 14).toordinal()
    b16 = birthday(date_of_birth, 16).toordinal()
    b18 = birthday(date_of_birth, 18).toordinal()
    counted: list[tuple[int, int]] = []
    looked_after: list[tuple[int, int]] = []
    short_breaks: list[tuple[dt.date, dt.date | None]] = []
    not_looked_after = unknown = 0
    for period in periods:
        if type(period) is Period:
            start_date, end_date, code = period
        else:
            start_date, end_date, code = period.start_date, period.end_date, period.legal_status
        kind = _KIND.get(code)
        if kind is None:
            kind = _KIND.get((code or "").strip().upper(), _UNKNOWN)
        if kind is _UNKNOWN:
            unknown += 1
            continue
        if kind is _NOT_LOOKED_AFTER:
            not_looked_after += 1
            continue
        start = start_date.toordinal()
        end = min(end_date.toordinal(), b18) if end_date else b18
        looked_after.append((start, end))
        if kind is _COUNTED:
            counted.append((max(start, b14), end))
        else:
            short_breaks.append((start_date, end_date))
    counted_merged = _merge(counted)
    eligible_from = None
    met = _day_of_nth(counted_merged, THIRTEEN_WEEKS_DAYS)
    after_16 = _first_from(counted_merged, b16)
    if met is not None and after_16 is not None:
        # Both are counted days, so the later one is a day looked after at 16 or 17.
        eligible_from = max(met, after_16)
    looked_after_merged = _merge(looked_after)
    return _History(
        b14=b14,
        b16=b16,
        b18=b18,
        b21=birthday(date_of_birth, 21).toordinal(),
        b25=birthday(date_of_birth, 25).toordinal(),
        counted=counted_merged,
        looked_after=looked_after_merged,
        eligible_from=eligible_from,
        first_after_16=_first_from(looked_after_merged, b16),
        short_breaks=tuple(sorted(short_breaks, key=lambda p: p[0])),
        not_looked_after=not_looked_after,
        unknown=unknown,
    )


def _category(h: _History, day: int) -> tuple[CareLeaverStatus, bool]:
    """The status on ``day``, taking open periods as continuing."""
    if day < h.b16 or day >= h.b25:
        return CareLeaverStatus.NONE, False
    was_eligible = h.eligible_from is not None and h.eligible_from <= day
    looked_after_after_16 = h.first_after_16 is not None and h.first_after_16 <= day
    extended = day >= h.b21
    if day < h.b18:
        looked_after_now = _covers(h.looked_after, day)
        if was_eligible:
            return (CareLeaverStatus.ELIGIBLE if looked_after_now else CareLeaverStatus.RELEVANT), False
        if looked_after_now or not looked_after_after_16:
            return CareLeaverStatus.NONE, False
        return CareLeaverStatus.QUALIFYING, False
    if was_eligible:
        return CareLeaverStatus.FORMER_RELEVANT, extended
    if looked_after_after_16:
        return CareLeaverStatus.QUALIFYING, extended
    return CareLeaverStatus.NONE, False


def _change_text(h: _History, today: int, day: int, status: CareLeaverStatus, extended: bool) -> str:
    event = {
        h.b16: "16th birthday",
        h.b18: "18th birthday",
        h.b21: "21st birthday",
        h.b25: "25th birthday",
    }.get(day)
    if event is None and day == h.eligible_from:
        event = "13 weeks looked after since 14 reached"
    if event is None:
        looked_after_before = _covers(h.looked_after, day - 1)
        event = "leaves care" if looked_after_before and not _covers(h.looked_after, day) else "care history changes"
    if status is CareLeaverStatus.NONE:
        outcome = "leaving-care duties end" if day >= h.b25 else "no leaving-care status"
    elif extended:
        outcome = f"{status.label}: support to 25 only if in education or training"
        if status is CareLeaverStatus.FORMER_RELEVANT:
            outcome += " or asking for a personal adviser"
    else:
        label = status.label.lower()
        outcome = f"becomes {'an' if label[0] in 'aeiou' else 'a'} {label}"
    projected = h.eligible_from is not None and h.eligible_from > today
    if projected and status is not CareLeaverStatus.NONE and day >= h.eligible_from:
        # The status rests on days not yet lived: it holds only if care continues.
        outcome += f" (if still looked after on {format_date(dt.date.fromordinal(h.eligible_from))})"
    return f"{event}: {outcome}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _reason(h: _History, on: int, status: CareLeaverStatus, extended: bool,
            days_since_14: int, days_after_16: int, looked_after_now: bool) -> str:
    d = dt.date.fromordinal
    since_14 = f"{_plural(days_since_14, 'day')} looked after since 14 ({THIRTEEN_WEEKS_DAYS} needed)"
    counted = f"{since_14}, {days_after_16} of them on or after the 16th birthday"
    if on >= h.b25:
        text = "Aged 25 or over: leaving-care duties have ended."
    elif status is CareLeaverStatus.ELIGIBLE:
        text = f"Looked after now; {counted}; eligible since {format_date(d(h.eligible_from or on))}."
    elif status is CareLeaverStatus.RELEVANT:
        left = _last_before(h.looked_after, on)
        text = (f"No longer looked after (last looked after {format_date(d(left)) if left else 'unknown'}); "
                f"was an eligible child from {format_date(d(h.eligible_from or on))}.")
    elif status is CareLeaverStatus.FORMER_RELEVANT:
        text = f"Aged 18 or over and was an eligible child from {format_date(d(h.eligible_from or on))}; "
        text += ("support continues to 25 only if in education or training or asking for a personal adviser."
                 if extended else "support to 21 (to 25 if in education or training or asking for it).")
    elif status is CareLeaverStatus.QUALIFYING:
        text = f"Looked after after the 16th birthday without meeting the 13-week rule: {counted}; "
        text += ("advice and assistance to 25 only if in education or training."
                 if extended else "advice and assistance to 21 (25 in education or training).")
    elif on < h.b14:
        now = "looked after now" if looked_after_now else "not looked after now"
        text = f"Under 14 and {now}: days count towards leaving care from the 14th birthday ({format_date(d(h.b14))})."
    elif on < h.b16:
        now = "looked after now" if looked_after_now else "not looked after now"
        text = f"Under 16 and {now}; {since_14}."
    elif looked_after_now:
        text = f"Looked after now but not yet an eligible child: {counted}."
    else:
        text = "Not looked after at any time since the 16th birthday."
    notes = []
    if h.short_breaks:
        notes.append(f"{_plural(len(h.short_breaks), 'short-break period')} (V3/V4) not counted")
    if h.not_looked_after:
        notes.append(f"{_plural(h.not_looked_after, 'period')} under police protection, EPO or "
                     "child assessment order (L1-L3) not counted")
    if h.unknown:
        notes.append(f"{_plural(h.unknown, 'period')} with an unknown legal status not counted: correct the code")
    if notes:
        joined = "; ".join(notes)
        text += f" {joined[0].upper()}{joined[1:]}."
    return text


def leaving_care_status(date_of_birth: dt.date, periods: Sequence[PeriodLike], on: dt.date) -> LeavingCareStatus:
    """The leaving-care status on ``on``, the reason, and the dates it will change."""
    h = _history(date_of_birth, periods)
    today = on.toordinal()
    status, extended = _category(h, today)
    # Counts are of the history up to and including ``on``, never of projected days.
    days_since_14 = _count(h.counted, h.b14, today + 1)
    days_after_16 = _count(h.counted, h.b16, today + 1)
    looked_after_now = today < h.b18 and _covers(h.looked_after, today)
    candidates = _candidates(h)
    changes: list[tuple[dt.date, str]] = []
    previous = (status, extended)
    for day in sorted([c for c in candidates if c > today]):
        current = _category(h, day)
        if current != previous:
            changes.append((dt.date.fromordinal(day), _change_text(h, today, day, *current)))
            previous = current
    eligible_from = h.eligible_from if h.eligible_from is not None and h.eligible_from <= today else None
    since = _since(h, today, status, candidates)
    return LeavingCareStatus(
        on=on,
        status=status,
        extended=extended,
        reason=_reason(h, today, status, extended, days_since_14, days_after_16, looked_after_now),
        days_since_14=days_since_14,
        days_after_16=days_after_16,
        looked_after_now=looked_after_now,
        eligible_from=dt.date.fromordinal(eligible_from) if eligible_from is not None else None,
        short_breaks_excluded=h.short_breaks,
        changes=changes,
        projected_eligible_from=dt.date.fromordinal(h.eligible_from) if h.eligible_from is not None else None,
        status_since=dt.date.fromordinal(since) if since is not None else None,
    )


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """The status on a day and the dates around it, without the worded reason and changes
    (what the officer's week needs for thousands of young people)."""

    on: dt.date
    status: CareLeaverStatus
    extended: bool
    projected_eligible_from: dt.date | None
    status_since: dt.date | None


def _since(h: _History, today: int, status: CareLeaverStatus, candidates: set[int]) -> int | None:
    """The first day of a qualifying young person's status: the last change into it by ``today``."""
    if status is not CareLeaverStatus.QUALIFYING:
        return None
    since = None
    for day in sorted(c for c in candidates if c <= today):
        if _category(h, day)[0] is status and _category(h, day - 1)[0] is not status:
            since = day
    return since


def _candidates(h: _History) -> set[int]:
    """Every day on which the status can change: birthdays, eligibility, periods' starts and ends."""
    days = {h.b16, h.b18, h.b21, h.b25}
    if h.eligible_from is not None:
        days.add(h.eligible_from)
    for s, e in h.looked_after:
        days.add(s)
        days.add(e)
    return days


def status_facts(date_of_birth: dt.date, periods: Sequence[PeriodLike], on: dt.date) -> StatusFacts:
    """The status on ``on`` with the dates the leaving-care duties are counted from."""
    h = _history(date_of_birth, periods)
    today = on.toordinal()
    status, extended = _category(h, today)
    since = _since(h, today, status, _candidates(h)) if status is CareLeaverStatus.QUALIFYING else None
    return StatusFacts(
        on=on, status=status, extended=extended,
        projected_eligible_from=dt.date.fromordinal(h.eligible_from) if h.eligible_from is not None else None,
        status_since=dt.date.fromordinal(since) if since is not None else None,
    )


@dataclass(frozen=True)
class LeavingCareRow:
    """One child in the leaving-care list."""

    child_id: uuid.UUID
    case_reference: str
    date_of_birth: dt.date
    result: LeavingCareStatus


def leaving_care_report(session: Session, on: dt.date) -> list[LeavingCareRow]:
    """Every child's status on ``on``, by case reference: two queries, no ORM objects."""
    from placedesk.models.child import CarePeriod, Child

    # Ids and dates are read as stored text and converted here: SQLAlchemy's per-value
    # type processing would cost more than the rules themselves at 20,000 children.
    def raw(column: Any) -> Any:
        return stored_text(column)

    children = session.execute(
        select(raw(Child.id), Child.case_reference, raw(Child.date_of_birth)).order_by(Child.case_reference)
    ).all()
    periods: dict[str, list[Period]] = {}
    from_iso = dt.date.fromisoformat
    for child_id, start, end, legal in session.execute(
        select(raw(CarePeriod.child_id), raw(CarePeriod.start_date), raw(CarePeriod.end_date),
               CarePeriod.legal_status)
    ):
        found = periods.get(child_id)
        if found is None:
            found = periods[child_id] = []
        found.append(Period(from_iso(start), from_iso(end) if end else None, legal))
    rows = []
    for child_id, ref, dob_text in children:
        dob = from_iso(dob_text)
        rows.append(LeavingCareRow(uuid.UUID(hex=child_id), ref, dob,
                                   leaving_care_status(dob, periods.get(child_id, ()), on)))
    return rows
