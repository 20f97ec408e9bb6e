"""Optimistic locking: two officers editing one record, the second save refused with the first's name and time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import EditConflict
from placedesk.models import AuditEvent, Baseline, Child

# Two officers on one file or one team server: the same rules on both engines.
pytestmark = pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])


def _child(db: Database) -> Child:
    with db.session_scope() as s:
        child = Child(case_reference="C100", first_name="Amy", last_name="Stone", date_of_birth=dt.date(2012, 5, 1))
        s.add(child)
    return child


def _screen(db: Database, child: Child) -> Baseline:
    """What a screen does when it shows the child: read it, remembering the version it saw."""
    baseline = Baseline()
    with db.session() as s:
        baseline.watch(s)
        s.get(Child, child.id)
    return baseline


def _save(db: Database, child: Child, screen: Baseline, **fields: str) -> None:
    """Save ``fields`` of the child from a screen that showed ``screen``, checked against it."""
    with db.session_scope() as s:
        screen.enforce(s)
        record = s.get(Child, child.id)
        for name, value in fields.items():
            setattr(record, name, value)


def _colleague_saves(db: Database, child: Child, theirs: Baseline, **fields: str) -> None:
    """A. Khan saves the child from their own screen (which showed ``theirs``)."""
    db.officer = "A. Khan"
    _save(db, child, theirs, **fields)


def test_second_save_is_refused_with_the_colleagues_name_time_and_both_values(db: Database) -> None:
    child = _child(db)
    mine, theirs = _screen(db, child), _screen(db, child)
    _colleague_saves(db, child, theirs, first_name="Amelia")
    db.officer = "B. Jones"
    with pytest.raises(EditConflict) as caught:
        _save(db, child, mine, first_name="Aimee", known_as="Aims")
    conflict = caught.value
    assert conflict.changed_by == "A. Khan"
    assert conflict.changed_at is not None
    assert "A. Khan changed this child" in str(conflict)
    clash = {c.field: c for c in conflict.clashes}
    assert (clash["first_name"].yours, clash["first_name"].theirs) == ("Aimee", "Amelia")
    assert clash["first_name"].theirs_changed and not clash["known_as"].theirs_changed
    # Nothing of the refused save was written: the data is A. Khan's.
    with db.session() as s:
        stored = s.get(Child, child.id)
        assert (stored.first_name, stored.known_as, stored.version) == ("Amelia", "", 2)


def test_applying_mine_deliberately_saves_over_theirs_against_their_version(db: Database) -> None:
    child = _child(db)
    mine, theirs = _screen(db, child), _screen(db, child)
    _colleague_saves(db, child, theirs, first_name="Amelia")
    db.officer = "B. Jones"
    with pytest.raises(EditConflict) as caught:
        _save(db, child, mine, first_name="Aimee")
    mine.accept(caught.value)
    _save(db, child, mine, first_name="Aimee")
    with db.session() as s:
        assert s.get(Child, child.id).first_name == "Aimee"
        officers = s.scalars(select(AuditEvent.officer).where(AuditEvent.entity_id == child.id)
                             .order_by(AuditEvent.occurred_at)).all()
    assert officers == ["Test Officer", "A. Khan", "B. Jones"]
    # The screen's own save moved its baseline on: its next save is not taken for a colleague's.
    _save(db, child, mine, known_as="Aims")


def test_an_update_that_finds_the_version_moved_at_the_last_instant_changes_nothing(db: Database) -> None:
    child = _child(db)
    first, second = db.session(), db.session()
    loaded = second.get(Child, child.id)
    # End the read (SQLite would refuse to write from an old snapshot anyway); the object keeps its values.
    second.commit()
    with first:
        first.get(Child, child.id).first_name = "Amelia"
        first.commit()
    loaded.first_name = "Aimee"
    with pytest.raises(Exception) as caught:
        second.commit()
    assert type(caught.value).__name__ == "StaleDataError"
    second.close()
    with db.session() as s:
        assert s.get(Child, child.id).first_name == "Amelia"


def test_a_save_that_flushes_twice_is_not_its_own_colleague(db: Database) -> None:
    child = _child(db)
    screen = _screen(db, child)
    with db.session_scope() as s:
        screen.enforce(s)
        record = s.get(Child, child.id)
        record.first_name = "Amelia"
        s.flush()
        record.known_as = "Mia"
    with db.session() as s:
        assert (s.get(Child, child.id).known_as, s.get(Child, child.id).version) == ("Mia", 3)


def test_a_refused_save_leaves_the_screen_checking_against_what_it_showed(db: Database) -> None:
    child = _child(db)
    mine, theirs = _screen(db, child), _screen(db, child)
    with pytest.raises(RuntimeError), db.session_scope() as s:
        mine.enforce(s)
        s.get(Child, child.id).first_name = "Aimee"
        s.flush()
        raise RuntimeError("the officer's save failed after its flush")
    _colleague_saves(db, child, theirs, first_name="Amelia")
    with pytest.raises(EditConflict):
        _save(db, child, mine, first_name="Aimee")


def test_a_field_only_the_colleague_changed_shows_what_my_screen_had_beside_theirs(db: Database) -> None:
    child = _child(db)
    mine, theirs = _screen(db, child), _screen(db, child)
    _colleague_saves(db, child, theirs, known_as="Mia")
    db.officer = "B. Jones"
    with pytest.raises(EditConflict) as caught:
        _save(db, child, mine, first_name="Aimee")
    clash = {c.field: (c.yours, c.theirs, c.theirs_changed) for c in caught.value.clashes}
    assert clash == {"first_name": ("Aimee", "Amy", False), "known_as": ("(empty)", "Mia", True)}


def _plan(db: Database, statement: str, parameters: object) -> str:
    """How the database would run ``statement``: SQLite's query plan, or PostgreSQL's with its table
    scans priced out (a test's few rows would otherwise be read whole, index or not)."""
    with db.engine.connect() as conn:
        if db.dialect_name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()  # type: ignore[arg-type]
        else:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()  # type: ignore[arg-type]
    return "\n".join(str(row[-1]) for row in rows)


def test_the_colleagues_name_is_found_through_the_trails_index_of_the_record(db: Database) -> None:
    from sqlalchemy import event

    child = _child(db)
    mine, theirs = _screen(db, child), _screen(db, child)
    _colleague_saves(db, child, theirs, first_name="Amelia")
    reads: list[tuple[str, object]] = []

    def seen(conn: object, cursor: object, statement: str, parameters: object, context: object, many: bool) -> None:
        if "FROM audit_event" in statement:
            reads.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with pytest.raises(EditConflict) as caught:
            _save(db, child, mine, first_name="Aimee")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert caught.value.changed_by == "A. Khan"
    assert len(reads) == 1
    plan = _plan(db, *reads[0])
    # Both columns of ix_audit_event_entity are searched, not the whole trail for the id.
    if db.dialect_name == "postgresql":
        assert "ix_audit_event_entity" in plan and "Index Cond: (((entity)::text = " in plan, plan
        assert "entity_id = " in plan.split("Index Cond:")[1], plan
    else:
        assert "USING INDEX ix_audit_event_entity (entity=? AND entity_id=?)" in plan, plan


def test_a_last_instant_refusal_that_cannot_name_the_record_is_still_a_clear_message(db: Database) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    from placedesk.errors import PlaceDeskError

    child = _child(db)
    with pytest.raises(PlaceDeskError) as caught, db.session_scope() as s:
        s.get(Child, child.id).first_name = "Aimee"
        # As the flush reports a row matched by nothing when the moved record cannot be found again.
        raise StaleDataError("UPDATE statement on table 'child' expected to update 1 row(s); 0 were matched.")
    assert str(caught.value).startswith("A colleague changed or deleted a record this step changes, at the same "
                                        "moment. Nothing was saved")
    with db.session() as s:
        assert s.get(Child, child.id).first_name == "Amy"
