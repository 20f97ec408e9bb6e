"""SSDA903 import: episodes into care history, reported problems, idempotent re-import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.db import Database
from placedesk.errors import PlaceDeskError
from placedesk.models import AuditEvent, CarePeriod, Child
from placedesk.services.care.ssda903 import RowError, import_903, parse_episode
from placedesk.services.care.ssda903_codes import LEGAL_STATUSES, PLACEMENT_TYPES

EPISODE_HEADER = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST,URN\n"
HEADER_HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def write(tmp_path: Path, name: str, header: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def add_child(session: Session, ref: str, dob: dt.date = dt.date(2009, 6, 15)) -> Child:
    child = Child(case_reference=ref, first_name="Ava", last_name="Brown", date_of_birth=dob)
    session.add(child)
    session.commit()
    return child


def periods_of(session: Session, ref: str) -> list[CarePeriod]:
    child = session.scalars(select(Child).where(Child.case_reference == ref)).one()
    session.refresh(child)
    return list(child.care_periods)


def test_episodes_fill_care_history_and_open_episode_stays_open(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        add_child(s, "C100")
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, [
        "C100,01/02/2024,S,C1,N1,U6,PR1,15/03/2024,X1,AB1 2,AB3 4,",
        "C100,15/03/2024,P,C2,N1,K2,PR2,,,AB1 2,CD5 6,SC123456",
    ])
    with db.session_scope() as s:
        report = import_903(s, episodes)
    assert (report.episodes_added, report.problems) == (2, [])
    with db.session() as s:
        first, second = periods_of(s, "C100")
        assert (first.start_date, first.end_date, first.legal_status) == (dt.date(2024, 2, 1), dt.date(2024, 3, 15), "C1")
        assert (second.end_date, second.placement_code, second.urn, second.source) == (None, "K2", "SC123456", "ssda903")
        # The latest open episode sets the child's current legal status.
        assert s.scalars(select(Child.legal_status)).one() == "C2"


def test_unreadable_rows_are_reported_by_line_and_the_rest_import(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        add_child(s, "C100")
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, [
        "C100,31/02/2024,S,C1,N1,U6,PR1,,,,,",     # line 2: no 31 February
        "C100,2024/13/01,S,C1,N1,U6,PR1,,,,,",     # line 3: malformed
        "C100,01/01/2024,S,Q9,N1,U6,PR1,,,,,",     # line 4: unknown LS
        "C100,01/01/2024,S,C2,N1,ZZ,PR1,,,,,",     # line 5: unknown PLACE
        "C100,01/05/2024,S,C2,N1,U6,PR1,01/04/2024,,,,",  # line 6: DEC before DECOM
        "C999,01/01/2024,S,C2,N1,U6,PR1,,,,,",     # line 7: unknown child
        "C100,01/06/2024,S,C2,N1,U6,PR1,,,,,",     # line 8: fine
    ])
    with db.session_scope() as s:
        report = import_903(s, episodes)
    reasons = {p.line: p.reason for p in report.problems}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "not a real date" in reasons[2]
    assert "DECOM" in reasons[3] and "dd/mm/yyyy" in reasons[3]
    assert "LS 'Q9'" in reasons[4]
    assert "PLACE 'ZZ'" in reasons[5]
    assert "before DECOM" in reasons[6]
    assert "no child with case reference 'C999'" in reasons[7]
    assert str(report.problems[0]).startswith("episodes.csv line 2:")
    assert report.episodes_added == 1


def test_reimporting_the_same_file_changes_nothing(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        add_child(s, "C100")
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, [
        "C100,01/02/2024,S,C1,N1,U6,PR1,15/03/2024,X1,,,",
        "C100,15/03/2024,P,C2,N1,K2,PR2,,,,,",
    ])
    with db.session_scope() as s:
        import_903(s, episodes)
    with db.session() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEvent))
    with db.session_scope() as s:
        again = import_903(s, episodes)
    assert (again.episodes_added, again.episodes_updated, again.episodes_unchanged) == (0, 0, 2)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CarePeriod)) == 2
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_later_export_closes_the_open_episode_in_place(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        add_child(s, "C100")
    first = write(tmp_path, "first.csv", EPISODE_HEADER, ["C100,15/03/2024,P,C2,N1,K2,PR2,,,,,"])
    later = write(tmp_path, "later.csv", EPISODE_HEADER, [
        "C100,15/03/2024,P,C2,N1,K2,PR2,01/09/2024,E11,,,",
        "C100,01/09/2024,P,C2,N1,U4,PR2,,,,,",
    ])
    with db.session_scope() as s:
        import_903(s, first)
    with db.session_scope() as s:
        report = import_903(s, later)
    assert (report.episodes_added, report.episodes_updated, report.problems) == (1, 1, [])
    with db.session() as s:
        closed, current = periods_of(s, "C100")
        assert closed.end_date == dt.date(2024, 9, 1) and closed.reason_ended == "E11"
        assert current.placement_code == "U4" and current.end_date is None


def test_overlapping_episodes_are_reported_not_imported(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        child = add_child(s, "C100")
        s.add(CarePeriod(child_id=child.id, start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 6, 1),
                         legal_status="V2"))
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, [
        "C100,01/02/2024,S,C1,N1,U6,PR1,01/05/2024,X1,,,",   # line 2: kept
        "C100,01/04/2024,S,C2,N1,U6,PR1,,,,,",               # line 3: overlaps line 2
        "C100,01/05/2023,S,C2,N1,U6,PR1,01/07/2023,,,,",     # line 4: overlaps the manual period
        "C100,01/05/2024,S,C2,N1,U6,PR1,,,,,",               # line 5: starts on line 2's DEC: no overlap
    ])
    with db.session_scope() as s:
        report = import_903(s, episodes)
    reasons = {p.line: p.reason for p in report.problems}
    assert sorted(reasons) == [3, 4]
    assert "overlaps the episode on line 2" in reasons[3]
    assert "already in PlaceDesk" in reasons[4]
    assert report.episodes_added == 2


def test_header_creates_children_only_when_asked(db: Database, tmp_path: Path) -> None:
    header = write(tmp_path, "header.csv", HEADER_HEADER, ["C200,2,15/06/2009,BAFR,,,", "C201,1,01/01/2010,WBRI,,,"])
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, ["C200,01/07/2025,S,V2,N1,U6,PR1,,,,,"])
    with db.session_scope() as s:
        refused = import_903(s, episodes, header)
    assert refused.children_created == 0 and refused.children_not_created == 2
    assert [p.line for p in refused.problems] == [2]
    with db.session_scope() as s:
        report = import_903(s, episodes, header, create_children=True)
    assert (report.children_created, report.episodes_added, report.problems) == (2, 1, [])
    with db.session() as s:
        child = s.scalars(select(Child).where(Child.case_reference == "C200")).one()
        assert (child.date_of_birth, child.gender, child.ethnicity) == (dt.date(2009, 6, 15), "Female", "Black African")
        assert child.legal_status == "V2"


def test_header_date_of_birth_conflict_is_reported_not_applied(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        add_child(s, "C100", dob=dt.date(2009, 6, 15))
    header = write(tmp_path, "header.csv", HEADER_HEADER, ["C100,1,16/06/2009,WBRI,,,"])
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, [])
    with db.session_scope() as s:
        report = import_903(s, episodes, header)
    assert "differs from the date of birth in PlaceDesk (15/06/2009)" in report.problems[0].reason
    assert report.children_updated == 1  # sex and ethnicity were empty, so they are filled
    with db.session() as s:
        assert s.scalars(select(Child.date_of_birth)).one() == dt.date(2009, 6, 15)


def test_file_without_the_needed_columns_is_refused(db: Database, tmp_path: Path) -> None:
    wrong = write(tmp_path, "providers.csv", "URN,Name\n", ["SC1,Home"])
    with db.session_scope() as s, pytest.raises(PlaceDeskError, match="missing the column"):
        import_903(s, wrong)


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))


@given(
    start=dates,
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=4000)),
    legal=st.sampled_from(sorted(LEGAL_STATUSES)),
    place=st.sampled_from(sorted(PLACEMENT_TYPES)),
    child=st.text(alphabet="ABCDEFGHJK0123456789", min_size=1, max_size=12),
)
def test_parser_reads_every_valid_row(start: dt.date, length: int | None, legal: str, place: str, child: str) -> None:
    end = start + dt.timedelta(days=length) if length is not None else None
    row = {"CHILD": child, "DECOM": start.strftime("%d/%m/%Y"), "LS": legal.lower(), "PLACE": place,
           "DEC": end.strftime("%d/%m/%Y") if end else "", "RNE": "S", "URN": ""}
    episode = parse_episode(row, 7)
    assert (episode.child, episode.start_date, episode.end_date) == (child, start, end)
    assert (episode.legal_status, episode.placement_code, episode.line) == (legal, place, 7)


@given(decom=st.text(max_size=20), dec=st.text(max_size=20), ls=st.text(max_size=4), place=st.text(max_size=4))
def test_parser_never_fails_with_anything_but_a_row_error(decom: str, dec: str, ls: str, place: str) -> None:
    row = {"CHILD": "C1", "DECOM": decom, "DEC": dec, "LS": ls, "PLACE": place}
    try:
        episode = parse_episode(row, 2)
    except RowError as exc:
        assert str(exc)
    else:
        assert episode.end_date is None or episode.end_date >= episode.start_date
