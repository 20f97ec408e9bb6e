"""On the team server, a colleague's save can land between an officer's read and write: still never overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import EditConflict
from placedesk.models import Child

# SQLite cannot interleave like this: a write action holds the file's write lock from its start.
pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"])


def test_a_save_between_my_read_and_my_write_refuses_mine_with_their_name(db: Database, colleague: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="C1", first_name="Amy", last_name="Stone", date_of_birth=dt.date(2012, 5, 1)))
    with pytest.raises(EditConflict) as caught, db.session_scope() as s:
        mine = s.scalars(select(Child)).one()
        # A. Khan saves after my action read the row and before it writes (READ COMMITTED lets her).
        with colleague.session_scope() as theirs:
            theirs.scalars(select(Child)).one().first_name = "Amelia"
        mine.first_name = "Aimee"
    assert caught.value.changed_by == "A. Khan"
    assert [(c.field, c.yours, c.theirs) for c in caught.value.clashes] == [("first_name", "Aimee", "Amelia")]
    with db.session() as s:
        assert s.scalars(select(Child.first_name)).one() == "Amelia"
