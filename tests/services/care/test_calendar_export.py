"""The .ics export: it parses with icalendar, UIDs are stable across exports, data stays minimal."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path

from icalendar import Calendar

from placedesk.services.care.calendar_export import build_calendar, export_ics
from placedesk.services.care.coming_up import ComingUpItem, ItemKind

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.timezone.utc)
CAP_ID, CHILD_ID = uuid.uuid4(), uuid.uuid4()
ITEMS = [
    ComingUpItem(ItemKind.CAP_ACTION, "CAP-1: Send the notifications", dt.date(2026, 3, 3), True, "cap", CAP_ID.hex,
                 "capaction-1111", "Oak House"),
    ComingUpItem(ItemKind.BIRTHDAY_18, "18th birthday", dt.date(2026, 3, 20), False, "child", CHILD_ID.hex,
                 f"birthday18-{CHILD_ID}", "AB C100"),
]


def events(data: bytes) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(data)
    return {
        str(e["UID"]): {"summary": str(e["SUMMARY"]), "start": e.decoded("DTSTART"), "end": e.decoded("DTEND")}
        for e in calendar.walk("VEVENT")
    }


def test_export_parses_as_all_day_events(tmp_path: Path) -> None:
    path = tmp_path / "week.ics"
    assert export_ics(ITEMS, path, generated_at=NOW) == 2
    got = events(path.read_bytes())
    action = got["capaction-1111@placedesk"]
    assert action["summary"] == "OVERDUE: CAP action – CAP-1: Send the notifications (Oak House)"
    assert (action["start"], action["end"]) == (dt.date(2026, 3, 3), dt.date(2026, 3, 4))
    birthday = got[f"birthday18-{CHILD_ID}@placedesk"]
    assert birthday["summary"] == "18th birthday (AB C100)"
    assert not list(tmp_path.glob(".*.tmp"))


def test_reexport_keeps_uids_when_dates_move(tmp_path: Path) -> None:
    first = events(build_calendar(ITEMS, generated_at=NOW))
    moved = [replace(ITEMS[0], due_on=dt.date(2026, 3, 17), overdue=False), ITEMS[1]]
    second = events(build_calendar(moved, generated_at=NOW + dt.timedelta(days=1)))
    assert set(first) == set(second)
    assert second["capaction-1111@placedesk"]["start"] == dt.date(2026, 3, 17)


def test_the_same_item_twice_is_one_event() -> None:
    assert len(events(build_calendar(ITEMS + ITEMS[:1], generated_at=NOW))) == 2


def test_calendar_holds_no_more_than_the_list_shows() -> None:
    text = build_calendar(ITEMS, generated_at=NOW).decode("utf-8")
    assert "ATTENDEE" not in text and "LOCATION" not in text
