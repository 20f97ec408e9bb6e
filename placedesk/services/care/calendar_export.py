"""The officer's week as an iCalendar (.ics) file for Outlook and other calendars.

Each item becomes an all-day event whose UID is ``<item key>@placedesk``. The
key names the underlying record (a CAP action, a placement's review, a
child's 18th birthday), never the date, so importing a later export updates
the same events instead of adding duplicates when a date moves. The file
carries only what the list shows: the title and whom it concerns (a
provider's name, or a child's initials and case reference, never more), the
kind, and whether it is overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from icalendar import Calendar, Event

from placedesk.fileio import atomic_write_bytes
from placedesk.services.care.coming_up import ComingUpItem

PRODID = "-//PlaceDesk//Coming up//EN"
UID_DOMAIN = "placedesk"


def event_uid(item: ComingUpItem) -> str:
    """The event's stable UID."""
    return f"{item.key}@{UID_DOMAIN}"


def summary_text(item: ComingUpItem) -> str:
    """The title, led by its kind unless the title already says it."""
    if item.kind.label.lower() in item.title.lower():
        return item.text
    return f"{item.kind.label} – {item.text}"


def build_calendar(items: Sequence[ComingUpItem], *, generated_at: dt.datetime) -> bytes:
    """The .ics bytes for ``items``; ``generated_at`` (aware) stamps every event."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    stamp = generated_at.astimezone(dt.timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "PlaceDesk: coming up")
    seen: set[str] = set()
    for item in items:
        uid = event_uid(item)
        if uid in seen:
            continue
        seen.add(uid)
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + dt.timedelta(days=1))
        prefix = "OVERDUE: " if item.overdue else ""
        event.add("summary", f"{prefix}{summary_text(item)}")
        event.add("description", f"{item.kind.label}, due {item.due_on:%d/%m/%Y}. Open PlaceDesk for details.")
        event.add("categories", ["PlaceDesk", item.kind.label])
        # All-day reminders should not block the officer's diary.
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def export_ics(items: Sequence[ComingUpItem], path: Path, *, generated_at: dt.datetime) -> int:
    """Write the calendar to ``path`` atomically; returns the number of events."""
    data = build_calendar(items, generated_at=generated_at)
    atomic_write_bytes(Path(path), data)
    return len({event_uid(i) for i in items})
