"""Care periods typed by hand: each rule at its boundary, the leaving-care status they change, and re-imports."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.db import Database
from placedesk.errors import NotFound, ValidationError
from placedesk.models import AuditEvent, CarePeriod, Child
from placedesk.models.enums import AuditAction
from placedesk.services.care.care_history import (
    CarePeriodEntry,
    add_care_period,
    change_care_period,
    check_entry,
    read_entry,
    remove_care_period,
)
from placedesk.services.care.child_summary import child_page
from placedesk.services.care.leaving_care import CareLeaverStatus, Period
from placedesk.services.care.ssda903 import import_903

DOB = dt.date(2009, 6, 15)  # 14 on 15/06/2023, 16 on 15/06/2025
TODAY = dt.date(2025, 9, 1)
D = dt.date


def entry(start: dt.date, end: dt.date | None = None, legal: str = "C2", place: str = "U6") -> CarePeriodEntry:
    return CarePeriodEntry(start, end, legal, place)


def make_child(db: Database, ref: str = "C100") -> uuid.UUID:
    with db.session_scope() as s:
        child = Child(case_reference=ref, first_name="Ava", last_name="Brown", date_of_birth=DOB)
        s.add(child)
        s.flush()
        return child.id


def add(db: Database, child_id: uuid.UUID, e: CarePeriodEntry, today: dt.date = TODAY) -> uuid.UUID:
    with db.session_scope() as s:
        return add_care_period(s, child_id, e, today=today).id


def refused(db: Database, child_id: uuid.UUID, e: CarePeriodEntry, today: dt.date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught, db.session_scope() as s:
        add_care_period(s, child_id, e, today=today)
    return caught.value


def periods(db: Database, child_id: uuid.UUID) -> list[tuple[dt.date, dt.date | None, str, str, str]]:
    with db.session() as s:
        rows = s.scalars(select(CarePeriod).where(CarePeriod.child_id == child_id).order_by(CarePeriod.start_date))
        return [(p.start_date, p.end_date, p.legal_status, p.placement_code, p.source) for p in rows]


# --- dates ------------------------------------------------------------------------------


def test_end_the_day_before_start_is_refused_and_the_same_day_allowed(db: Database) -> None:
    child_id = make_child(db)
    error = refused(db, child_id, entry(D(2024, 3, 1), D(2024, 2, 29)))
    assert error.field == "end_date"
    assert "29/02/2024 is before the start date 01/03/2024" in str(error)
    add(db, child_id, entry(D(2024, 3, 1), D(2024, 3, 1)))
    assert periods(db, child_id) == [(D(2024, 3, 1), D(2024, 3, 1), "C2", "U6", "manual")]


@given(start=st.dates(DOB, TODAY), length=st.integers(-800, 800))
def test_an_end_is_refused_exactly_when_it_is_before_the_start(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    assume(end <= TODAY)
    try:
        check_entry(DOB, entry(start, end), [], TODAY)
    except ValidationError as exc:
        assert end < start and exc.field == "end_date"
    else:
        assert end >= start


def test_a_start_in_the_future_is_refused_and_today_allowed(db: Database) -> None:
    child_id = make_child(db)
    error = refused(db, child_id, entry(TODAY + dt.timedelta(days=1)))
    assert error.field == "start_date" and "is in the future" in str(error)
    add(db, child_id, entry(TODAY))
    assert periods(db, child_id)[0][:2] == (TODAY, None)


def test_an_end_in_the_future_is_refused_with_the_advice_to_leave_it_blank() -> None:
    with pytest.raises(ValidationError, match="leave it blank") as caught:
        check_entry(DOB, entry(D(2025, 1, 1), TODAY + dt.timedelta(days=1)), [], TODAY)
    assert caught.value.field == "end_date"
    assert check_entry(DOB, entry(D(2025, 1, 1), TODAY), [], TODAY).end_date == TODAY


def test_a_start_before_the_date_of_birth_is_refused() -> None:
    with pytest.raises(ValidationError, match="before the child's date of birth") as caught:
        check_entry(DOB, entry(DOB - dt.timedelta(days=1)), [], TODAY)
    assert caught.value.field == "start_date"
    assert check_entry(DOB, entry(DOB), [], TODAY).start_date == DOB


def test_typed_dates_are_parsed_strictly_naming_the_field() -> None:
    assert read_entry("01/09/2024", "  ", "C2", "U6") == entry(D(2024, 9, 1), None)
    assert read_entry("1/9/2024", "2024-10-01", "c2", "u6").end_date == D(2024, 10, 1)
    with pytest.raises(ValidationError) as blank:
        read_entry(" ", "", "C2", "U6")
    assert blank.value.field == "start_date" and "dd/mm/yyyy" in str(blank.value)
    with pytest.raises(ValidationError) as unreal:
        read_entry("01/09/2024", "31/09/2024", "C2", "U6")
    assert unreal.value.field == "end_date" and "not a real date" in str(unreal.value)
    with pytest.raises(ValidationError) as american:
        read_entry("09-01-2024", "", "C2", "U6")
    assert american.value.field == "start_date"


# --- overlaps and open periods -------------------------------------------------------------


def test_touching_periods_are_allowed_and_one_day_of_overlap_refused(db: Database) -> None:
    child_id = make_child(db)
    add(db, child_id, entry(D(2024, 1, 1), D(2024, 3, 1)))
    # The next SSDA903 episode starts on the DEC of the last: touching, not overlapping.
    add(db, child_id, entry(D(2024, 3, 1), D(2024, 5, 1), "V2"))
    add(db, child_id, entry(D(2023, 11, 1), D(2024, 1, 1), "C1"))
    error = refused(db, child_id, entry(D(2024, 4, 30), D(2024, 6, 1)))
    assert error.field == "start_date"
    assert "overlap the period 01/03/2024 to 01/05/2024, V2 Single period of accommodation under s20" in str(error)
    error = refused(db, child_id, entry(D(2023, 10, 1), D(2023, 11, 2)))
    assert error.field == "end_date" and "01/11/2023 to 01/01/2024" in str(error)
    assert len(periods(db, child_id)) == 3


def test_a_period_inside_another_or_around_it_is_refused() -> None:
    others = [Period(D(2024, 1, 1), D(2024, 3, 1), "C2")]
    for start, end in ((D(2024, 1, 10), D(2024, 1, 20)), (D(2023, 12, 1), D(2024, 4, 1)),
                       (D(2023, 12, 1), None), (D(2024, 1, 1), D(2024, 3, 1))):
        with pytest.raises(ValidationError, match="overlap"):
            check_entry(DOB, entry(start, end), others, TODAY)


@given(a_start=st.integers(0, 60), a_days=st.integers(1, 30), b_start=st.integers(0, 60), b_days=st.integers(1, 30))
def test_refused_exactly_when_the_periods_share_a_day(a_start: int, a_days: int, b_start: int, b_days: int) -> None:
    base = D(2024, 1, 1)
    a = (base + dt.timedelta(days=a_start), base + dt.timedelta(days=a_start + a_days))
    b = (base + dt.timedelta(days=b_start), base + dt.timedelta(days=b_start + b_days))
    shared = set(range(a_start, a_start + a_days)) & set(range(b_start, b_start + b_days))
    try:
        check_entry(DOB, entry(*b), [Period(*a, "C2")], TODAY)
    except ValidationError as exc:
        assert shared and "overlap" in str(exc)
    else:
        assert not shared


def test_a_second_open_period_is_refused(db: Database) -> None:
    child_id = make_child(db)
    add(db, child_id, entry(D(2025, 1, 1)))
    error = refused(db, child_id, entry(D(2025, 6, 1), None, "V2"))
    assert error.field == "end_date"
    assert "already has an open period (01/01/2025 to now (open), C2 Full care order (s31))" in str(error)
    assert "Give that period an end date first" in str(error)
    # Earlier history (from another authority, say) that ends before it starts is fine.
    add(db, child_id, entry(D(2024, 1, 1), D(2025, 1, 1), "V2"))
    assert [p[:2] for p in periods(db, child_id)] == [(D(2024, 1, 1), D(2025, 1, 1)), (D(2025, 1, 1), None)]


# --- codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("legal", "place", "field", "message"), [
    ("ZZ", "U6", "legal_status", "'ZZ' is not an SSDA903 legal status code"),
    ("", "U6", "legal_status", "Choose the legal status"),
    ("C2", "U9", "placement_code", "'U9' is not an SSDA903 placement code"),
    ("C2", " ", "placement_code", "Choose the placement type"),
])
def test_unknown_or_missing_codes_are_refused(legal: str, place: str, field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        check_entry(DOB, entry(D(2025, 1, 1), None, legal, place), [], TODAY)
    assert caught.value.field == field


def test_codes_are_tidied_as_the_import_reads_them() -> None:
    checked = check_entry(DOB, entry(D(2025, 1, 1), None, " v3 ", "k2"), [], TODAY)
    assert (checked.legal_status, checked.placement_code) == ("V3", "K2")


# --- leaving care -----------------------------------------------------------------------------


def status(db: Database, child_id: uuid.UUID, on: dt.date = TODAY) -> CareLeaverStatus:
    with db.session() as s:
        return child_page(s, child_id, on).leaving_care.status


def test_thirteen_weeks_since_14_with_a_day_after_16_makes_an_eligible_child(db: Database) -> None:
    """DOMAIN.md: looked after now, 13 weeks (91 days) since 14, at least one day after the 16th birthday."""
    child_id = make_child(db)
    # Looked after now from 2 June 2025: 92 days by 1 September, 79 of them from the 16th birthday.
    current = add(db, child_id, entry(D(2025, 6, 2)))
    assert status(db, child_id) is CareLeaverStatus.ELIGIBLE
    # One day short of 13 weeks: looked after, but no leaving-care status yet.
    with db.session_scope() as s:
        change_care_period(s, current, entry(D(2025, 6, 4)), today=TODAY)
    assert status(db, child_id) is CareLeaverStatus.NONE
    # Weeks in care elsewhere after 14, typed by hand, add up with the current period.
    add(db, child_id, entry(D(2024, 2, 1), D(2024, 2, 2), "C1", "U4"))
    assert status(db, child_id) is CareLeaverStatus.ELIGIBLE
    with db.session() as s:
        assert child_page(s, child_id, TODAY).leaving_care.days_since_14 == 91


def test_a_child_from_another_authority_becomes_relevant_once_history_is_typed(db: Database) -> None:
    child_id = make_child(db)
    assert status(db, child_id) is CareLeaverStatus.NONE
    # Looked after elsewhere from 14 to a month after 16, not now: relevant, not eligible.
    add(db, child_id, entry(D(2023, 9, 1), D(2025, 7, 15), "C2", "U4"))
    assert status(db, child_id) is CareLeaverStatus.RELEVANT


def test_short_breaks_typed_by_hand_do_not_count(db: Database) -> None:
    child_id = make_child(db)
    add(db, child_id, entry(D(2025, 1, 1), None, "V3", "U6"))
    with db.session() as s:
        result = child_page(s, child_id, TODAY).leaving_care
    assert result.status is CareLeaverStatus.NONE and result.days_since_14 == 0


# --- change and remove ---------------------------------------------------------------------------


def test_change_does_not_clash_with_the_period_itself_and_keeps_the_rules(db: Database) -> None:
    child_id = make_child(db)
    first = add(db, child_id, entry(D(2024, 1, 1), D(2024, 3, 1)))
    add(db, child_id, entry(D(2024, 3, 1)))
    with db.session_scope() as s:
        change_care_period(s, first, entry(D(2024, 1, 15), D(2024, 3, 1), "c1", "k2"), today=TODAY)
    assert periods(db, child_id)[0] == (D(2024, 1, 15), D(2024, 3, 1), "C1", "K2", "manual")
    with pytest.raises(ValidationError, match="open period"), db.session_scope() as s:
        change_care_period(s, first, entry(D(2024, 1, 15), None), today=TODAY)
    with pytest.raises(ValidationError, match="overlap"), db.session_scope() as s:
        change_care_period(s, first, entry(D(2024, 1, 15), D(2024, 3, 2)), today=TODAY)
    assert periods(db, child_id)[0][1] == D(2024, 3, 1)


def test_the_childs_legal_status_follows_the_open_period(db: Database) -> None:
    child_id = make_child(db)
    open_id = add(db, child_id, entry(D(2025, 1, 1), None, "V2"))
    with db.session() as s:
        assert s.get(Child, child_id).legal_status == "V2"
    with db.session_scope() as s:
        change_care_period(s, open_id, entry(D(2025, 1, 1), None, "C2"), today=TODAY)
    with db.session() as s:
        assert s.get(Child, child_id).legal_status == "C2"


def test_each_change_is_one_audited_transaction(db: Database) -> None:
    child_id = make_child(db)
    period_id = add(db, child_id, entry(D(2025, 1, 1)))
    with db.session_scope() as s:
        change_care_period(s, period_id, entry(D(2025, 1, 1), D(2025, 2, 1)), today=TODAY)
    with db.session_scope() as s:
        # Saving without a change writes nothing.
        change_care_period(s, period_id, entry(D(2025, 1, 1), D(2025, 2, 1)), today=TODAY)
    with db.session_scope() as s:
        remove_care_period(s, period_id)
    assert periods(db, child_id) == []
    with db.session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.entity_id == period_id)
                                .order_by(AuditEvent.occurred_at)))
        assert [e.action for e in events] == [AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE]
        assert events[0].officer == "Test Officer" and events[0].changes["source"] == {"after": "manual"}
        assert events[1].changes == {"end_date": {"before": None, "after": "2025-02-01"}}


def test_a_refused_change_leaves_nothing_half_written(db: Database) -> None:
    child_id = make_child(db)
    add(db, child_id, entry(D(2025, 1, 1)))
    refused(db, child_id, entry(D(2025, 2, 1)))
    with db.session() as s:
        assert len(list(s.scalars(select(AuditEvent).where(AuditEvent.entity == "care_period")))) == 1


def test_a_period_or_child_that_is_gone_is_reported(session: Session) -> None:
    with pytest.raises(NotFound, match="refresh the list"):
        add_care_period(session, uuid.uuid4(), entry(D(2025, 1, 1)), today=TODAY)
    with pytest.raises(NotFound, match="Reopen the child's page"):
        remove_care_period(session, uuid.uuid4())


# --- SSDA903 re-import ---------------------------------------------------------------------------

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST,URN\n"


def episodes_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "episodes.csv"
    path.write_text(EPISODES + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_reimport_neither_replaces_nor_duplicates_typed_periods(db: Database, tmp_path: Path) -> None:
    child_id = make_child(db)
    add(db, child_id, entry(D(2025, 1, 1), None, "C2", "U6"))
    source = episodes_file(tmp_path, "C100,01/06/2024,S,V2,N1,U6,PR1,01/01/2025,X1,,,",
                           "C100,01/01/2025,P,C2,N1,K2,PR2,,,,,")
    for _ in range(2):
        with db.session_scope() as s:
            report = import_903(s, source)
        assert [p.line for p in report.problems] == [3]
        assert "overlaps the care period 01/01/2025 to now (open) already in PlaceDesk" in str(report.problems[0])
    assert periods(db, child_id) == [(D(2024, 6, 1), D(2025, 1, 1), "V2", "U6", "ssda903"),
                                     (D(2025, 1, 1), None, "C2", "U6", "manual")]


def test_a_changed_imported_period_becomes_typed_so_a_reimport_keeps_the_change(db: Database, tmp_path: Path) -> None:
    child_id = make_child(db)
    source = episodes_file(tmp_path, "C100,01/06/2024,S,V2,N1,U6,PR1,01/01/2025,X1,,,")
    with db.session_scope() as s:
        import_903(s, source)
    with db.session() as s:
        imported = s.scalars(select(CarePeriod.id)).one()
    with db.session_scope() as s:
        change_care_period(s, imported, entry(D(2024, 6, 1), D(2025, 1, 1), "V2", "U6"), today=TODAY)
    assert periods(db, child_id)[0][4] == "ssda903"  # nothing changed, so still the import's
    with db.session_scope() as s:
        change_care_period(s, imported, entry(D(2024, 6, 1), D(2025, 1, 1), "V2", "K2"), today=TODAY)
    with db.session_scope() as s:
        report = import_903(s, source)
    assert report.episodes_updated == 0 and len(report.problems) == 1
    assert periods(db, child_id) == [(D(2024, 6, 1), D(2025, 1, 1), "V2", "K2", "manual")]
