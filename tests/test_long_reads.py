"""Long reads never block writers: a report's read stays open while a colleague saves, on both engines."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select, text

from placedesk.db import Database
from placedesk.models import Child

def _child(ref: str) -> Child:
    return Child(case_reference=ref, first_name="Amy", last_name="Stone", date_of_birth=dt.date(2012, 5, 1))


def _save_in_background(colleague: Database) -> tuple[threading.Thread, threading.Event]:
    saved = threading.Event()

    def save() -> None:
        with colleague.session_scope() as s:
            s.add(_child("C2"))
            s.scalars(select(Child).where(Child.case_reference == "C1")).one().first_name = "Amelia"
        saved.set()

    writer = threading.Thread(target=save)
    writer.start()
    return writer, saved


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_save_completes_while_a_long_read_transaction_is_open(db: Database, colleague: Database,
                                                                engine_name: str) -> None:
    with db.session_scope() as s:
        s.add(_child("C1"))
    reader = db.session()
    try:
        # The long read (a report, the dashboard): its transaction is open from this first query on,
        # and it has read the very row the colleague is about to change.
        assert reader.scalar(select(func.count()).select_from(Child)) == 1
        assert reader.scalars(select(Child.first_name)).one() == "Amy"
        started = time.monotonic()
        writer, saved = _save_in_background(colleague)
        assert saved.wait(10), "the save waited for the read to finish"
        writer.join()
        # Well under any lock or busy timeout: the writer never waited on the reader.
        assert time.monotonic() - started < 2
        if engine_name == "sqlite":
            # WAL: the read keeps its snapshot to the end, a consistent report.
            assert reader.scalar(select(func.count()).select_from(Child)) == 1
    finally:
        reader.close()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 2


# SQLite has no slow statement to run for seconds; the open read transaction above shows it there.
@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_save_completes_while_a_slow_query_is_still_running_on_the_server(db: Database,
                                                                            colleague: Database) -> None:
    with db.session_scope() as s:
        s.add(_child("C1"))
    done = threading.Event()

    def slow_report() -> None:
        with db.session() as s:
            # Three seconds reading the child table, as a report over a million rows would.
            s.execute(text("SELECT count(*), pg_sleep(3) FROM child")).one()
        done.set()

    report = threading.Thread(target=slow_report)
    report.start()
    time.sleep(0.5)
    started = time.monotonic()
    writer, saved = _save_in_background(colleague)
    assert saved.wait(10)
    writer.join()
    assert time.monotonic() - started < 1.5 and not done.is_set(), "the save waited for the report"
    report.join()
