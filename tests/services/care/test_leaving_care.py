"""Leaving-care status at every boundary, with hand-worked dates.

The young person in most cases is born 15/06/2009: 14 on 15/06/2023,
16 on 15/06/2025, 18 on 15/06/2027, 21 on 15/06/2030, 25 on 15/06/2034.
A period covers its start date up to but not including its end date (DEC).
"""

from __future__ import annotations

import datetime as dt

import pytest

from placedesk.services.care.leaving_care import (
    CareLeaverStatus,
    Period,
    age_on,
    birthday,
    leaving_care_status,
)

D = dt.date
DOB = D(2009, 6, 15)
B14, B16, B18, B21, B25 = D(2023, 6, 15), D(2025, 6, 15), D(2027, 6, 15), D(2030, 6, 15), D(2034, 6, 15)
ELIGIBLE, RELEVANT, FORMER, QUALIFYING, NONE = (
    CareLeaverStatus.ELIGIBLE,
    CareLeaverStatus.RELEVANT,
    CareLeaverStatus.FORMER_RELEVANT,
    CareLeaverStatus.QUALIFYING,
    CareLeaverStatus.NONE,
)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def status(periods: list[Period], on: dt.date) -> CareLeaverStatus:
    return leaving_care_status(DOB, periods, on).status


@pytest.mark.parametrize(
    ("periods", "on", "expected", "why"),
    [
        # Looked after since before 14, open: eligible from the 16th birthday itself.
        ([Period(D(2020, 1, 1), None, "C2")], B16 - days(1), NONE, "15: the day before the 16th birthday"),
        ([Period(D(2020, 1, 1), None, "C2")], B16, ELIGIBLE, "the 16th birthday itself"),
        ([Period(D(2020, 1, 1), None, "C2")], B18 - days(1), ELIGIBLE, "the day before the 18th birthday"),
        ([Period(D(2020, 1, 1), None, "C2")], B18, FORMER, "the 18th birthday"),
        ([Period(D(2020, 1, 1), None, "C2")], B21 - days(1), FORMER, "the day before the 21st birthday"),
        ([Period(D(2020, 1, 1), None, "C2")], B25 - days(1), FORMER, "the day before the 25th birthday"),
        ([Period(D(2020, 1, 1), None, "C2")], B25, NONE, "the 25th birthday: duties end"),
        # Exactly 91 days from the 16th birthday: DEC = B16 + 91, so the last day is B16 + 90.
        ([Period(B16, B16 + days(91), "V2")], B16 + days(89), NONE, "90th day not yet lived: 90 of 91"),
        ([Period(B16, B16 + days(91), "V2")], B16 + days(90), ELIGIBLE, "the 91st day: exactly 13 weeks"),
        ([Period(B16, B16 + days(91), "V2")], B16 + days(91), RELEVANT, "DEC day: no longer looked after"),
        ([Period(B16, B16 + days(90), "V2")], B16 + days(90), QUALIFYING, "90 days only, then left care"),
        # Periods are added together: 50 days at 14 and 41 days at 16 make 91.
        ([Period(B14, B14 + days(50), "V2"), Period(B16, B16 + days(41), "C1")], B16 + days(40), ELIGIBLE,
         "50 + 41 days added together"),
        ([Period(B14, B14 + days(50), "V2"), Period(B16, B16 + days(40), "C1")], B16 + days(40), QUALIFYING,
         "50 + 40 days: one short"),
        # Days before the 14th birthday do not count; the 14th birthday does.
        ([Period(B14 - days(1), B14 + days(89), "C2"), Period(B16, None, "C2")], B16, NONE,
         "90 days from the day before 14: 89 counted, plus the 16th birthday makes 90"),
        ([Period(B14, B14 + days(90), "C2"), Period(B16, None, "C2")], B16, ELIGIBLE,
         "90 days from the 14th birthday plus the 16th birthday itself"),
        # At least one counted day after 16: leaving care on the 16th birthday (DEC = B16) has none.
        ([Period(B14, B16, "C2")], B16 + days(10), NONE, "left care on the 16th birthday"),
        ([Period(B14, B16 + days(1), "C2")], B16 + days(10), RELEVANT, "looked after on the 16th birthday"),
        # A series of short breaks never counts towards the 13 weeks, but it is looked after after 16.
        ([Period(B16, B16 + days(200), "V3")], B16 + days(250), QUALIFYING, "V3 short breaks after 16"),
        ([Period(B16, None, "V4")], B16 + days(200), NONE, "in a V4 series now: looked after, not eligible"),
        ([Period(B14, B14 + days(100), "V3"), Period(B16, B16 + days(10), "C2")], B16 + days(20), QUALIFYING,
         "100 short-break days excluded"),
        # Police protection, EPO, child assessment order: not looked after.
        ([Period(B16, B16 + days(200), "L2")], B16 + days(250), NONE, "EPO is not looked after"),
        # Youth justice remand is looked after and counts.
        ([Period(B16, None, "J1")], B16 + days(90), ELIGIBLE, "remanded: 91st day"),
        # Never looked after after 16.
        ([], B18, NONE, "never looked after"),
        ([Period(D(2019, 1, 1), D(2020, 1, 1), "C2")], B18, NONE, "looked after only as a young child"),
        # Qualifying young person stays so to 21 and to 25 in education or training.
        ([Period(B16, B16 + days(30), "V2")], B21 - days(1), QUALIFYING, "qualifying, day before 21"),
        ([Period(B16, B16 + days(30), "V2")], B25 - days(1), QUALIFYING, "qualifying, extended to 25"),
        ([Period(B16, B16 + days(30), "V2")], B25, NONE, "qualifying ends at 25"),
        # Relevant at 17 becomes former relevant at 18.
        ([Period(B14, B16 + days(5), "C2")], B18 - days(1), RELEVANT, "relevant the day before 18"),
        ([Period(B14, B16 + days(5), "C2")], B18, FORMER, "former relevant on the 18th birthday"),
    ],
)
def test_status_at_each_boundary(periods: list[Period], on: dt.date, expected: CareLeaverStatus, why: str) -> None:
    assert status(periods, on) is expected, why


def test_overlapping_periods_count_each_day_once() -> None:
    periods = [Period(B16, B16 + days(60), "C2"), Period(B16 + days(30), B16 + days(80), "C2")]
    result = leaving_care_status(DOB, periods, B16 + days(100))
    assert result.days_since_14 == 80
    assert result.status is QUALIFYING


def test_extended_flag_from_the_21st_birthday() -> None:
    periods = [Period(D(2020, 1, 1), B18, "C2")]
    assert not leaving_care_status(DOB, periods, B21 - days(1)).extended
    later = leaving_care_status(DOB, periods, B21)
    assert later.extended and later.status is FORMER
    assert "education or training" in later.label


def test_reason_gives_days_after_16_and_short_breaks() -> None:
    periods = [Period(B14, B14 + days(40), "V3"), Period(B16 - days(10), None, "C2")]
    result = leaving_care_status(DOB, periods, B16 + days(99))
    assert result.days_since_14 == 110
    assert result.days_after_16 == 100 and result.any_after_16
    assert result.short_breaks_excluded == ((B14, B14 + days(40)),)
    assert "110 days looked after since 14" in result.reason
    assert "100 of them on or after the 16th birthday" in result.reason
    assert "1 short-break period (V3/V4) not counted" in result.reason


def test_changes_list_birthdays_and_the_day_13_weeks_is_met() -> None:
    start = B16 + days(10)
    result = leaving_care_status(DOB, [Period(start, None, "C2")], start + days(5))
    assert result.status is NONE and result.looked_after_now
    met = start + days(90)
    assert [d for d, _ in result.changes] == [met, B18, B21, B25]
    assert "13 weeks" in result.changes[0][1] and "eligible" in result.changes[0][1]
    assert "if still looked after" in result.changes[0][1]
    assert "25th birthday" in result.changes[-1][1]


def test_eligible_child_changes_on_leaving_care_day() -> None:
    periods = [Period(D(2020, 1, 1), B16 + days(200), "C2")]
    result = leaving_care_status(DOB, periods, B16 + days(100))
    assert result.status is ELIGIBLE
    assert result.changes[0][0] == B16 + days(200)
    assert "becomes a relevant child" in result.changes[0][1]
    assert result.eligible_from == B16


def test_under_16_looked_after_long_will_be_eligible_on_16th_birthday() -> None:
    result = leaving_care_status(DOB, [Period(B14, None, "C2")], B16 - days(1))
    assert result.status is NONE
    assert result.changes[0][0] == B16
    assert "16th birthday: becomes an eligible child" in result.changes[0][1]


def test_unknown_legal_status_is_not_counted_and_said_so() -> None:
    result = leaving_care_status(DOB, [Period(B16, None, "XX")], B16 + days(120))
    assert result.status is NONE
    assert "unknown legal status" in result.reason


@pytest.mark.parametrize(
    ("dob", "years", "expected"),
    [(D(2008, 2, 29), 16, D(2024, 2, 29)), (D(2008, 2, 29), 18, D(2026, 3, 1)), (D(2009, 6, 15), 16, B16)],
)
def test_birthdays_including_29_february(dob: dt.date, years: int, expected: dt.date) -> None:
    assert birthday(dob, years) == expected
    assert age_on(dob, expected) == years
    assert age_on(dob, expected - days(1)) == years - 1


def test_reason_under_14_and_under_16_says_whether_looked_after_now() -> None:
    young = leaving_care_status(DOB, [Period(B14 - days(100), None, "C2")], B14 - days(1))
    assert young.reason == ("Under 14 and looked after now: days count towards leaving care from the 14th birthday "
                            "(15/06/2023).")
    assert young.changes[0] == (B16, "16th birthday: becomes an eligible child (if still looked after on 15/06/2025)")
    older = leaving_care_status(DOB, [Period(B14, B14 + days(10), "C2")], B14 + days(20))
    assert older.reason == "Under 16 and not looked after now; 10 days looked after since 14 (91 needed)."
    assert older.changes == []
