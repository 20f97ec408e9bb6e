"""SSDA903 files as they really come: impossible dates, huge files read in pieces, cancelling, and junk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from placedesk.db import Database
from placedesk.errors import Cancelled
from placedesk.models import CarePeriod, Child
from placedesk.services.care.ssda903 import import_903
from tests.robustness import snapshot, succeeds_or_refuses_cleanly
from tests.services.care.test_ssda903 import EPISODE_HEADER, HEADER_HEADER, add_child, write

IMPORT_DATE = dt.date(2026, 3, 2)


def test_episodes_before_birth_or_after_the_import_date_are_refused_by_line(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        add_child(s, "C100", dt.date(2009, 6, 15))
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, [
        "C100,01/01/1900,S,C1,N1,U6,,01/02/1900,X1,,,",
        "C100,15/06/2009,S,C1,N1,U6,,01/02/2010,X1,,,",
        "C100,01/02/2024,S,C2,N1,U6,,01/02/2099,X1,,,",
        "C100,01/01/2099,S,C2,N1,U6,,,,,,",
        "C100,01/03/2025,P,C2,N1,K2,,,,,,",
    ])
    with db.session_scope() as s:
        report = import_903(s, episodes, today=IMPORT_DATE)
    problems = {p.line: p.reason for p in report.problems}
    assert report.episodes_added == 2  # born that day, and the open episode from 2025
    assert sorted(problems) == [2, 4, 5]
    assert "DECOM 01/01/1900 is before the child's date of birth (15/06/2009)" in problems[2]
    assert "DEC 01/02/2099 is after the import date (02/03/2026)" in problems[4]
    assert "DECOM 01/01/2099 is after the import date" in problems[5]


def test_a_child_created_from_the_header_is_checked_against_its_header_birth_date(
        db: Database, tmp_path: Path) -> None:
    header = write(tmp_path, "header.csv", HEADER_HEADER, ["C7,1,01/09/2015,WBRI,,,"])
    episodes = write(tmp_path, "episodes.csv", EPISODE_HEADER, ["C7,01/01/2014,S,C1,N1,U6,,,,,,"])
    with db.session_scope() as s:
        report = import_903(s, episodes, header, create_children=True, today=IMPORT_DATE)
    assert report.children_created == 1 and report.episodes_added == 0
    assert "before the child's date of birth (01/09/2015)" in report.problems[0].reason


def _big_file(tmp_path: Path, children: int) -> Path:
    rows = [f"C{n:05d},01/02/2024,S,C1,N1,U6,,15/03/2024,X1,,,\nC{n:05d},15/03/2024,P,C2,N1,K2,,,,,,"
            for n in range(children)]
    return write(tmp_path, "episodes.csv", EPISODE_HEADER, rows)


def test_a_long_import_tells_its_progress_and_cancelling_changes_nothing(db: Database, tmp_path: Path) -> None:
    header = write(tmp_path, "header.csv", HEADER_HEADER, [f"C{n:05d},1,01/09/2010,WBRI,,," for n in range(3000)])
    episodes = _big_file(tmp_path, 3000)
    seen: list[tuple[int, int]] = []
    with db.session_scope() as s:
        report = import_903(s, episodes, header, create_children=True, today=IMPORT_DATE,
                            progress=lambda done, total: seen.append((done, total)))
    assert report.episodes_added == 6000 and report.problems == []
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    # The officer presses Cancel half-way through another import: it stops and rolls back.
    more = write(tmp_path, "more.csv", EPISODE_HEADER,
                 [f"C{n:05d},01/01/2025,S,C2,N1,U6,,,,,," for n in range(3000)])
    before = snapshot(db)

    def cancel_half_way(done: int, total: int) -> None:
        if done > total // 2:
            raise Cancelled("Import cancelled: nothing was changed.")

    with pytest.raises(Cancelled), db.session_scope() as s:
        import_903(s, more, today=IMPORT_DATE, progress=cancel_half_way)
    assert snapshot(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CarePeriod)) == 6000


# --- fuzz: whatever the file holds, the import succeeds or says what is wrong, and changes nothing then ---

_CELLS = st.one_of(
    st.sampled_from(["C100", "C200", "01/02/2024", "2024-02-01", "31/02/2024", "01/01/1900", "01/01/2099",
                     "C1", "C2", "V2", "U1", "K2", "S", "P", "X1", "", " ", "SC123456"]),
    st.text(max_size=12),
    st.text(alphabet=',"\n\r\x00;\t\ufeff', max_size=6),
)
_COLUMNS = st.lists(st.sampled_from(["CHILD", "DECOM", "LS", "PLACE", "DEC", "RNE", "URN", "child", " DECOM ",
                                     "", "X"]), min_size=0, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=_COLUMNS, rows=st.lists(st.lists(_CELLS, max_size=9), max_size=6),
       raw=st.one_of(st.none(), st.binary(max_size=80)))
def test_any_episodes_file_imports_or_is_refused_cleanly(
        db: Database, tmp_path: Path, columns: list[str], rows: list[list[str]], raw: bytes | None) -> None:
    with db.session_scope() as s:
        if s.scalar(select(func.count()).select_from(Child)) == 0:
            add_child(s, "C100")
    path = tmp_path / "fuzz.csv"
    if raw is not None:
        path.write_bytes(raw)
    else:
        text = ",".join(columns) + "\n" + "".join(",".join(r) + "\n" for r in rows)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    succeeds_or_refuses_cleanly(db, lambda s: import_903(s, path, today=IMPORT_DATE))
