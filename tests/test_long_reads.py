"""Long reads never block writers: a report's read transaction stays open while a colleague saves."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import func, select

from placedesk.db import Database, open_database
from placedesk.models import Child


def test_a_save_completes_while_a_long_read_is_open_and_the_read_keeps_its_snapshot(db: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="C1", first_name="Amy", last_name="Stone", date_of_birth=dt.date(2012, 5, 1)))
    colleague = open_database(db.path)
    colleague.officer = "A. Khan"
    try:
        reader = db.session()
        # The long read (a report, the dashboard): its transaction is open from this first query on.
        assert reader.scalar(select(func.count()).select_from(Child)) == 1
        saved = threading.Event()

        def save() -> None:
            with colleague.session_scope() as s:
                s.add(Child(case_reference="C2", first_name="Ben", last_name="Ray", date_of_birth=dt.date(2013, 1, 2)))
            saved.set()

        started = time.monotonic()
        writer = threading.Thread(target=save)
        writer.start()
        assert saved.wait(10), "the save waited for the read to finish"
        writer.join()
        # Well under the busy timeout: the writer never waited on the reader's lock.
        assert time.monotonic() - started < 2
        # The read still sees the database as it was when it began (a consistent report) ...
        assert reader.scalar(select(func.count()).select_from(Child)) == 1
        reader.close()
        # ... and the next read sees the colleague's child.
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Child)) == 2
    finally:
        colleague.close()
