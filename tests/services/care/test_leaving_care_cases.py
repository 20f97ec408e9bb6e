"""Leaving-care cases the boundary table misses: the 18th-birthday cut-off, L1-L3, 29 February,
untidy codes, and the reason and coming changes the officer reads, all worked out by hand.

Most cases use a young person born 15/06/2009: 14 on 15/06/2023, 16 on 15/06/2025,
18 on 15/06/2027, 21 on 15/06/2030, 25 on 15/06/2034. A period covers its start
date up to but not including its end date.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from placedesk.models import CarePeriod, Child
from placedesk.services.care.leaving_care import (
    CareLeaverStatus,
    Period,
    age_on,
    leaving_care_report,
    leaving_care_status,
    status_facts,
)

D = dt.date
DOB = D(2009, 6, 15)
B14, B16, B18, B21, B25 = D(2023, 6, 15), D(2025, 6, 15), D(2027, 6, 15), D(2030, 6, 15), D(2034, 6, 15)
ELIGIBLE, RELEVANT, FORMER, QUALIFYING, NONE = (
    CareLeaverStatus.ELIGIBLE, CareLeaverStatus.RELEVANT, CareLeaverStatus.FORMER_RELEVANT,
    CareLeaverStatus.QUALIFYING, CareLeaverStatus.NONE,
)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- No one is looked after from the 18th birthday on -------------------------------------------------

# 60 days from the 16th birthday, then looked after again from 10 days before the 18th birthday
# to 100 days after it: only 60 + 10 = 70 days count, short of 13 weeks (91).
ACROSS_18 = [Period(B16, B16 + days(60), "C2"), Period(B18 - days(10), B18 + days(100), "C2")]


def test_days_after_the_18th_birthday_never_count_towards_13_weeks() -> None:
    result = leaving_care_status(DOB, ACROSS_18, B18 + days(200))
    assert result.status is QUALIFYING  # not a former relevant child: 70 days, not 170
    assert (result.days_since_14, result.days_after_16, result.eligible_from) == (70, 70, None)
    assert result.reason == (
        "Looked after after the 16th birthday without meeting the 13-week rule: 70 days looked after since 14 "
        "(91 needed), 70 of them on or after the 16th birthday; advice and assistance to 21 "
        "(25 in education or training)."
    )


def test_the_day_before_18_looked_after_but_short_of_13_weeks() -> None:
    result = leaving_care_status(DOB, ACROSS_18, B18 - days(1))
    assert result.status is NONE and result.looked_after_now
    assert result.reason == ("Looked after now but not yet an eligible child: 70 days looked after since 14 "
                             "(91 needed), 70 of them on or after the 16th birthday.")
    assert result.changes == [
        (B18, "18th birthday: becomes a qualifying young person"),
        (B21, "21st birthday: Qualifying young person: support to 25 only if in education or training"),
        (B25, "25th birthday: leaving-care duties end"),
    ]


def test_on_the_18th_birthday_no_one_is_looked_after() -> None:
    result = leaving_care_status(DOB, [Period(B16, None, "C2")], B18)
    assert result.status is FORMER and not result.looked_after_now
    assert result.days_since_14 == 730  # 15/06/2025 to 14/06/2027


# --- L1-L3: police protection, emergency protection, child assessment orders --------------------------

@pytest.mark.parametrize("code", ["L1", "L2", "L3"])
def test_short_orders_are_not_looked_after_and_are_named_in_the_reason(code: str) -> None:
    result = leaving_care_status(DOB, [Period(B16, B16 + days(200), code)], B16 + days(250))
    assert result.status is NONE and result.days_since_14 == 0 and not result.looked_after_now
    assert result.reason == ("Not looked after at any time since the 16th birthday. 1 period under police "
                             "protection, EPO or child assessment order (L1-L3) not counted.")
    assert result.changes == []


def test_every_period_left_out_is_counted_in_the_reason() -> None:
    periods = [Period(B16, B16 + days(5), "L1"), Period(B16 + days(5), B16 + days(8), "L3"),
               Period(B16 + days(8), B16 + days(20), "V4"), Period(B16 + days(20), B16 + days(30), "ZZ"),
               Period(B16 + days(30), B16 + days(40), "Q9")]
    result = leaving_care_status(DOB, periods, B16 + days(100))
    assert result.status is QUALIFYING and result.days_since_14 == 0
    assert result.reason.endswith(
        "; advice and assistance to 21 (25 in education or training). 1 short-break period (V3/V4) not counted; "
        "2 periods under police protection, EPO or child assessment order (L1-L3) not counted; "
        "2 periods with an unknown legal status not counted: correct the code.")


# --- Born on 29 February ------------------------------------------------------------------------------

LEAP = D(2008, 2, 29)  # 14 on 01/03/2022, 16 on 29/02/2024, 18 on 01/03/2026, 21 on 01/03/2029, 25 on 01/03/2033
LEAP_CARE = [Period(D(2020, 1, 1), None, "C2")]


@pytest.mark.parametrize(("on", "expected", "extended"), [
    (D(2024, 2, 28), NONE, False),
    (D(2024, 2, 29), ELIGIBLE, False),
    (D(2026, 2, 28), ELIGIBLE, False),
    (D(2026, 3, 1), FORMER, False),
    (D(2029, 2, 28), FORMER, False),
    (D(2029, 3, 1), FORMER, True),
    (D(2033, 2, 28), FORMER, True),
    (D(2033, 3, 1), NONE, False),
])
def test_a_29_february_birthday_through_the_whole_status(on: dt.date, expected: CareLeaverStatus,
                                                        extended: bool) -> None:
    result = leaving_care_status(LEAP, LEAP_CARE, on)
    assert (result.status, result.extended) == (expected, extended)


def test_a_29_february_birthday_counts_from_1_march_at_14_and_lists_its_changes() -> None:
    before = leaving_care_status(LEAP, LEAP_CARE, D(2024, 2, 28))
    assert before.changes[0] == (D(2024, 2, 29), "16th birthday: becomes an eligible child "
                                                 "(if still looked after on 29/02/2024)")
    result = leaving_care_status(LEAP, LEAP_CARE, D(2024, 2, 29))
    # 01/03/2022 to 29/02/2024 inclusive: 731 days, the last of them the 16th birthday.
    assert (result.days_since_14, result.days_after_16) == (731, 1)
    assert result.eligible_from == D(2024, 2, 29)
    assert result.reason == ("Looked after now; 731 days looked after since 14 (91 needed), 1 of them on or after "
                             "the 16th birthday; eligible since 29/02/2024.")
    assert result.changes == [
        (D(2026, 3, 1), "18th birthday: becomes a former relevant child"),
        (D(2029, 3, 1), "21st birthday: Former relevant child: support to 25 only if in education or training "
                        "or asking for a personal adviser"),
        (D(2033, 3, 1), "25th birthday: leaving-care duties end"),
    ]
    assert [age_on(LEAP, d) for d in (D(2026, 2, 28), D(2026, 3, 1), D(2028, 2, 29))] == [17, 18, 20]


# --- Codes typed in lower case or with spaces ----------------------------------------------------------

@pytest.mark.parametrize(("code", "on", "expected"), [
    (" c2 ", B16 + days(90), ELIGIBLE),
    ("v2", B16 + days(90), ELIGIBLE),
    ("j1 ", B16 + days(90), ELIGIBLE),
    ("v3", B16 + days(250), QUALIFYING),  # a short break: looked after, never counted
    (" l2", B16 + days(250), NONE),
])
def test_untidy_codes_are_read_as_the_code_they_spell(code: str, on: dt.date, expected: CareLeaverStatus) -> None:
    end = None if expected is ELIGIBLE else B16 + days(200)
    result = leaving_care_status(DOB, [Period(B16, end, code)], on)
    assert result.status is expected
    assert "unknown legal status" not in result.reason


def test_care_periods_from_the_database_are_read_like_plain_periods() -> None:
    stored = SimpleNamespace(start_date=B16, end_date=B16 + days(100), legal_status="C2")
    result = leaving_care_status(DOB, [stored], B16 + days(150))
    assert result.status is RELEVANT and result.days_since_14 == 100 and result.eligible_from == B16 + days(90)


# --- The reason the officer reads, for each status ------------------------------------------------------

def test_reason_for_an_eligible_child() -> None:
    result = leaving_care_status(DOB, [Period(D(2020, 1, 1), None, "C2")], B16 + days(9))
    # 15/06/2023 to 24/06/2025 inclusive: 731 + 10 days.
    assert result.reason == ("Looked after now; 741 days looked after since 14 (91 needed), 10 of them on or after "
                             "the 16th birthday; eligible since 15/06/2025.")


def test_reason_for_one_day_says_day_not_days() -> None:
    result = leaving_care_status(DOB, [Period(B16, None, "C2")], B16)
    assert result.reason == ("Looked after now but not yet an eligible child: 1 day looked after since 14 "
                             "(91 needed), 1 of them on or after the 16th birthday.")


def test_reason_for_a_relevant_child_gives_the_last_day_looked_after() -> None:
    result = leaving_care_status(DOB, [Period(D(2020, 1, 1), B16 + days(200), "C2")], B16 + days(300))
    assert result.status is RELEVANT
    assert result.reason == ("No longer looked after (last looked after 31/12/2025); was an eligible child from "
                             "15/06/2025.")


def test_reason_for_a_former_relevant_child_to_21_and_after() -> None:
    periods = [Period(D(2020, 1, 1), B18, "C2")]
    assert leaving_care_status(DOB, periods, B18).reason == (
        "Aged 18 or over and was an eligible child from 15/06/2025; support to 21 (to 25 if in education or "
        "training or asking for it).")
    assert leaving_care_status(DOB, periods, B21).reason == (
        "Aged 18 or over and was an eligible child from 15/06/2025; support continues to 25 only if in education "
        "or training or asking for a personal adviser.")


def test_reason_for_a_qualifying_young_person_after_21_and_at_25() -> None:
    periods = [Period(B16, B16 + days(30), "V2")]
    assert leaving_care_status(DOB, periods, B21).reason == (
        "Looked after after the 16th birthday without meeting the 13-week rule: 30 days looked after since 14 "
        "(91 needed), 30 of them on or after the 16th birthday; advice and assistance to 25 only if in education "
        "or training.")
    at_25 = leaving_care_status(DOB, periods, B25)
    assert at_25.reason == "Aged 25 or over: leaving-care duties have ended." and at_25.changes == []


def test_reason_under_16_while_looked_after() -> None:
    result = leaving_care_status(DOB, [Period(B14, None, "C2")], B14 + days(9))
    assert result.reason == "Under 16 and looked after now; 10 days looked after since 14 (91 needed)."
    young = leaving_care_status(DOB, [], B14 - days(1))
    assert young.reason == ("Under 14 and not looked after now: days count towards leaving care from the 14th "
                            "birthday (15/06/2023).")


# --- The coming changes the officer is warned of ---------------------------------------------------------

def test_leaving_care_after_16_makes_a_qualifying_young_person() -> None:
    result = leaving_care_status(DOB, [Period(B16, B16 + days(30), "C2")], B16 + days(5))
    assert result.changes == [
        (B16 + days(30), "leaves care: becomes a qualifying young person"),
        (B21, "21st birthday: Qualifying young person: support to 25 only if in education or training"),
        (B25, "25th birthday: leaving-care duties end"),
    ]


def test_coming_back_into_care_is_a_change_of_care_history() -> None:
    periods = [Period(B16, B16 + days(30), "V2"), Period(B16 + days(100), B16 + days(120), "V2")]
    result = leaving_care_status(DOB, periods, B16 + days(50))
    assert result.status is QUALIFYING
    assert result.changes[:2] == [
        (B16 + days(100), "care history changes: no leaving-care status"),
        (B16 + days(120), "leaves care: becomes a qualifying young person"),
    ]
    relevant = [Period(D(2020, 1, 1), B16 + days(100), "C2"), Period(B16 + days(200), None, "C2")]
    again = leaving_care_status(DOB, relevant, B16 + days(150))
    assert again.status is RELEVANT
    assert again.changes[0] == (B16 + days(200), "care history changes: becomes an eligible child")


def test_thirteen_weeks_met_at_16_is_named_and_projected() -> None:
    start = B16 + days(10)
    result = leaving_care_status(DOB, [Period(start, None, "C2")], start)
    met = start + days(90)
    assert result.changes[0] == (met, "13 weeks looked after since 14 reached: becomes an eligible child "
                                      "(if still looked after on 23/09/2025)")
    assert result.changes[1] == (B18, "18th birthday: becomes a former relevant child (if still looked after "
                                      "on 23/09/2025)")
    lived = leaving_care_status(DOB, [Period(start, None, "C2")], met)
    assert lived.status is ELIGIBLE
    assert lived.changes[0] == (B18, "18th birthday: becomes a former relevant child")


# --- The caseload list ----------------------------------------------------------------------------------

def test_the_leaving_care_list_gives_every_child_by_case_reference(session: Session) -> None:
    ava = Child(case_reference="C200", first_name="Ava", last_name="Brown", date_of_birth=DOB)
    ben = Child(case_reference="C100", first_name="Ben", last_name="Cole", date_of_birth=LEAP)
    cal = Child(case_reference="C300", first_name="Cal", last_name="Dee", date_of_birth=DOB)
    session.add_all([ava, ben, cal])
    session.flush()
    session.add_all([
        CarePeriod(child_id=ava.id, start_date=B16, end_date=B16 + days(60), legal_status="C2"),
        CarePeriod(child_id=ava.id, start_date=B18 - days(10), end_date=None, legal_status="C2"),
        CarePeriod(child_id=ben.id, start_date=D(2020, 1, 1), end_date=None, legal_status="C2"),
    ])
    session.commit()
    rows = leaving_care_report(session, B18 + days(5))  # 20/06/2027
    assert [(r.case_reference, r.child_id, r.date_of_birth) for r in rows] == [
        ("C100", ben.id, LEAP), ("C200", ava.id, DOB), ("C300", cal.id, DOB)]
    assert [r.result.status for r in rows] == [FORMER, QUALIFYING, NONE]
    assert [r.result.days_since_14 for r in rows] == [1461, 70, 0]  # 01/03/2022 to 28/02/2026 is 1,461 days


# --- Counting across several periods --------------------------------------------------------------------

def test_periods_recorded_from_the_18th_birthday_give_no_status() -> None:
    # Looked after from the 18th birthday is not possible: such periods count for nothing.
    for periods in ([Period(B18, None, "C2")],
                    [Period(B18, B18 + days(50), "C2"), Period(B18 + days(100), None, "C2")]):
        result = leaving_care_status(DOB, periods, B18 + days(200))
        assert result.status is NONE and result.days_since_14 == 0
        assert result.reason == "Not looked after at any time since the 16th birthday."


def test_days_before_16_and_days_not_yet_lived_are_not_days_after_16() -> None:
    early = leaving_care_status(DOB, [Period(B14, B14 + days(10), "C2")], B16 + days(5))
    assert (early.days_since_14, early.days_after_16) == (10, 0)
    assert early.reason.startswith("Not looked after at any time since the 16th birthday.")
    coming = leaving_care_status(DOB, [Period(B16 + days(100), None, "C2")], B16 + days(5))
    assert (coming.days_since_14, coming.days_after_16) == (0, 0)


def test_thirteen_weeks_made_of_three_periods() -> None:
    # 30 + 30 days, then 31 more from the third period's start: met on its 31st day.
    periods = [Period(B16, B16 + days(30), "C2"), Period(B16 + days(40), B16 + days(70), "C2"),
               Period(B16 + days(80), None, "C2")]
    result = leaving_care_status(DOB, periods, B16 + days(200))
    assert result.status is ELIGIBLE and result.eligible_from == B16 + days(110)
    assert leaving_care_status(DOB, periods, B16 + days(109)).status is NONE


def test_short_breaks_are_listed_by_start_date() -> None:
    periods = [Period(B16 + days(10), B16 + days(20), "V4"), Period(B16, B16 + days(100), "V3"),
               Period(B14, B14 + days(5), "V3")]
    result = leaving_care_status(DOB, periods, B16 + days(150))
    assert result.short_breaks_excluded == ((B14, B14 + days(5)), (B16, B16 + days(100)),
                                            (B16 + days(10), B16 + days(20)))
    assert "3 short-break periods (V3/V4) not counted" in result.reason


def test_leaving_after_a_single_night_is_leaving_care() -> None:
    result = leaving_care_status(DOB, [Period(B16 + days(10), B16 + days(11), "C2")], B16 + days(5))
    assert result.changes[0] == (B16 + days(11), "leaves care: becomes a qualifying young person")


def test_on_the_14th_birthday_the_first_day_counts() -> None:
    result = leaving_care_status(DOB, [Period(B14 - days(30), None, "C2")], B14)
    assert result.on == B14 and result.days_since_14 == 1
    assert result.reason == "Under 16 and looked after now; 1 day looked after since 14 (91 needed)."


def test_the_day_13_weeks_will_be_met_is_not_given_before_it_comes() -> None:
    result = leaving_care_status(DOB, [Period(B16, None, "C2")], B16 + days(5))
    assert result.eligible_from is None and result.status is NONE
    assert result.changes[0][0] == B16 + days(90)


# --- Since when, and the facts the duties are counted from ------------------------------------------

def test_a_qualifying_young_person_is_so_from_the_day_they_leave_care_even_when_that_is_today() -> None:
    # Looked after 15/06/2025 up to 15/07/2025: qualifying from 15/07/2025, the first day out of care.
    result = leaving_care_status(DOB, [Period(B16, B16 + days(30), "C2")], B16 + days(30))
    assert (result.status, result.status_since) == (QUALIFYING, D(2025, 7, 15))


def test_after_a_single_night_back_in_care_the_status_runs_from_the_day_after_it() -> None:
    # Back in care for the night of 23/09/2025 only: qualifying again from 24/09/2025, not from July.
    periods = [Period(B16, B16 + days(30), "C2"), Period(D(2025, 9, 23), D(2025, 9, 24), "C2")]
    result = leaving_care_status(DOB, periods, D(2025, 11, 12))
    assert (result.status, result.status_since) == (QUALIFYING, D(2025, 9, 24))


@pytest.mark.parametrize(("periods", "on", "expected"), [
    # Qualifying since 15/07/2025; nothing extended before 21.
    ([Period(B16, B16 + days(30), "C2")], D(2025, 7, 15), (QUALIFYING, False, None, D(2025, 7, 15))),
    # Looked after since 2020 to 23/09/2025: eligible from the 16th birthday, relevant once out of care.
    ([Period(D(2020, 1, 1), D(2025, 9, 23), "C2"), Period(D(2026, 1, 1), None, "C2")], D(2025, 11, 12),
     (RELEVANT, False, B16, None)),
    # After 21 both are extended (support to 25 in education or training).
    ([Period(B16, B16 + days(30), "C2")], D(2030, 6, 25), (QUALIFYING, True, None, D(2025, 7, 15))),
    ([Period(D(2020, 1, 1), D(2025, 9, 23), "C2")], D(2030, 6, 25), (FORMER, True, B16, None)),
])
def test_the_facts_milestones_are_counted_from(periods: list[Period], on: dt.date,
                                               expected: tuple[object, ...]) -> None:
    facts = status_facts(DOB, periods, on)
    assert facts.on == on
    assert (facts.status, facts.extended, facts.projected_eligible_from, facts.status_since) == expected
