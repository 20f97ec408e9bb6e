"""A child's care history typed by hand: add, change and remove care periods.

For a young person without an SSDA903 extract (one who came from another
authority, say) the officer types each period of care, so the leaving-care
status (:mod:`placedesk.services.care.leaving_care`) is worked out from the whole
history. Periods follow the import's reading of dates: a period runs from its
start up to but not including its end date, so one period may end on the day
the next starts, and a blank end date means the child is still looked after.

Hand-typed periods and the SSDA903 import (:mod:`placedesk.services.care.ssda903`):

- A period typed here has ``source="manual"``. The import only ever matches and
  updates periods it made itself (``source="ssda903"``, by child, start date and
  legal status) and never deletes any, so a re-import leaves typed periods
  exactly as they are. An episode in the return that overlaps a typed period is
  not added (no duplicate) but reported by line, asking the officer to delete
  one of the two and import again: nothing is silently replaced either way.
- Changing an imported period makes it hand-typed: the import would otherwise
  put the return's values back over the officer's correction at the next run.
  Saving a change that changes nothing keeps it as imported.
- Removing an imported period is allowed (the import's own advice for an
  overlap is to delete one); a return that still holds the episode adds it
  again, which the dialog says before it asks.

Every function works in the caller's session and only flushes: the slot's
``ctx.action()`` commits the one change, and the audit hook records it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Container, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError
from placedesk.models.child import CarePeriod, Child
from placedesk.services.care.leaving_care import PeriodLike
from placedesk.services.common.parsing import format_date, parse_date
from placedesk.services.care.ssda903_codes import LEGAL_STATUSES, PLACEMENT_TYPES, describe_legal_status

SOURCE = "manual"
IMPORTED_SOURCE = "ssda903"


@dataclass(frozen=True)
class CarePeriodEntry:
    """What the officer gives for one period; codes are SSDA903 codes."""

    start_date: dt.date
    end_date: dt.date | None
    legal_status: str
    placement_code: str


def read_entry(start: str, end: str, legal_status: str, placement_code: str) -> CarePeriodEntry:
    """The typed form as an entry: dates parsed strictly (dd/mm/yyyy), a blank end left open."""
    if not start.strip():
        raise ValidationError("Type the date the period started as dd/mm/yyyy, e.g. 01/09/2024.", "start_date")
    start_date = parse_date(start, "start_date")
    end_date = parse_date(end, "end_date") if end.strip() else None
    return CarePeriodEntry(start_date, end_date, legal_status, placement_code)


def overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    """Whether two periods share a day; ends are exclusive and None is open, as in the import."""
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _describe(period: PeriodLike) -> str:
    end = format_date(period.end_date) if period.end_date else "now (open)"
    return f"{format_date(period.start_date)} to {end}, {describe_legal_status(period.legal_status)}"


def _code(value: str, known: Container[str], field: str, missing: str, kind: str, examples: str) -> str:
    """``value`` as a known SSDA903 code (upper case), or a message for ``field`` saying what to choose."""
    code = value.strip().upper()
    if not code:
        raise ValidationError(missing, field)
    if code not in known:
        raise ValidationError(f"'{value.strip()}' is not {kind}: choose one from the list ({examples}).", field)
    return code


def check_entry(date_of_birth: dt.date, entry: CarePeriodEntry, others: Iterable[PeriodLike],
                today: dt.date) -> CarePeriodEntry:
    """The entry with its codes tidied, or the first rule it breaks as a ValidationError naming the field.

    ``others`` are the child's other periods (not the one being changed).
    """
    start, end = entry.start_date, entry.end_date
    if start > today:
        raise ValidationError(f"The start date {format_date(start)} is in the future: record a period once it has "
                              "begun.", "start_date")
    if start < date_of_birth:
        raise ValidationError(f"The start date {format_date(start)} is before the child's date of birth "
                              f"({format_date(date_of_birth)}): check the date.", "start_date")
    if end is not None and end < start:
        raise ValidationError(f"The end date {format_date(end)} is before the start date {format_date(start)}: a "
                              "period cannot end before it starts. Check both dates.", "end_date")
    if end is not None and end > today:
        raise ValidationError(f"The end date {format_date(end)} is in the future: leave it blank while the child "
                              "is still looked after, and add it once they have left.", "end_date")
    legal = _code(entry.legal_status, LEGAL_STATUSES, "legal_status",
                  "Choose the legal status the child was looked after under.",
                  "an SSDA903 legal status code", "C1, C2, E1, V2, ...")
    place = _code(entry.placement_code, PLACEMENT_TYPES, "placement_code",
                  "Choose the placement type (Z1 Other placement if none fits).",
                  "an SSDA903 placement code", "U1-U6, K2, H5, R1, S1, P1, ...")
    others = sorted(others, key=lambda p: p.start_date)
    if end is None:
        already_open = next((p for p in others if p.end_date is None), None)
        if already_open is not None:
            # Two open periods would also overlap; say the more useful thing.
            raise ValidationError(
                f"This child already has an open period ({_describe(already_open)}): a child is in one period of "
                "care at a time. Give that period an end date first, or give this one an end date.", "end_date")
    clash = next((p for p in others if overlaps(start, end, p.start_date, p.end_date)), None)
    if clash is not None:
        # The start falls inside the other period, or the end runs on into it.
        field = "start_date" if clash.start_date <= start else "end_date"
        raise ValidationError(
            f"These dates overlap the period {_describe(clash)}. Periods may touch (one ends on the day the next "
            "starts) but not overlap: change the dates, or change that period first.", field)
    return CarePeriodEntry(start, end, legal, place)


def _keep_current_legal_status(child: Child) -> None:
    """The child's current legal status follows their open period, as the SSDA903 import does."""
    open_now = [p for p in child.care_periods if p.end_date is None]
    if open_now:
        latest = max(open_now, key=lambda p: p.start_date).legal_status
        if child.legal_status != latest:
            child.legal_status = latest


def _period(session: Session, period_id: uuid.UUID) -> CarePeriod:
    period = session.get(CarePeriod, period_id)
    if period is None:
        raise NotFound("That care period is no longer in PlaceDesk: it may have been removed. Reopen the child's "
                       "page.")
    return period


def add_care_period(session: Session, child_id: uuid.UUID, entry: CarePeriodEntry, *,
                    today: dt.date) -> CarePeriod:
    """Add a period typed by hand to the child's care history."""
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound("That child is no longer in PlaceDesk: refresh the list.")
    checked = check_entry(child.date_of_birth, entry, child.care_periods, today)
    period = CarePeriod(child_id=child.id, start_date=checked.start_date, end_date=checked.end_date,
                        legal_status=checked.legal_status, placement_code=checked.placement_code, source=SOURCE)
    child.care_periods.append(period)
    _keep_current_legal_status(child)
    session.flush()
    return period


def change_care_period(session: Session, period_id: uuid.UUID, entry: CarePeriodEntry, *,
                       today: dt.date) -> CarePeriod:
    """Change a period's dates or codes; a changed imported period becomes hand-typed (see the module notes)."""
    period = _period(session, period_id)
    child = period.child
    checked = check_entry(child.date_of_birth, entry, [p for p in child.care_periods if p is not period], today)
    changed = False
    for name in ("start_date", "end_date", "legal_status", "placement_code"):
        # Only real differences, so an unchanged save writes no audit event and keeps the source.
        if getattr(period, name) != getattr(checked, name):
            setattr(period, name, getattr(checked, name))
            changed = True
    if changed and period.source != SOURCE:
        period.source = SOURCE
    _keep_current_legal_status(child)
    session.flush()
    return period


def remove_care_period(session: Session, period_id: uuid.UUID) -> None:
    """Delete a period from the child's care history."""
    period = _period(session, period_id)
    period.child.care_periods.remove(period)
    session.delete(period)
    session.flush()


__all__ = [
    "CarePeriodEntry",
    "IMPORTED_SOURCE",
    "SOURCE",
    "add_care_period",
    "change_care_period",
    "check_entry",
    "overlaps",
    "read_entry",
    "remove_care_period",
]
