"""Every insert, update and delete writes an audit event in the same transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.db import Database
from placedesk.models import AuditEvent, Child
from placedesk.models.enums import AuditAction


def _events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.occurred_at, AuditEvent.action)))


def test_insert_update_delete_are_audited_with_officer_and_fields(db: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="C7", first_name="Lena", last_name="Hart", date_of_birth=dt.date(2011, 2, 2)))
    with db.session_scope() as s:
        child = s.scalars(select(Child)).one()
        child.known_as = "Len"
        child_id = child.id
    with db.session_scope() as s:
        s.delete(s.get(Child, child_id))
    with db.session_scope() as s:
        events = [e for e in _events(s) if e.entity == "child"]
    assert [e.action for e in events] == [AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE]
    insert, update, delete = events
    assert {e.entity_id for e in events} == {child_id}
    assert all(e.officer == "Test Officer" for e in events)
    assert insert.changes["case_reference"] == {"after": "C7"}
    assert insert.changes["known_as"] == {"after": ""}
    assert update.changes == {"known_as": {"before": "", "after": "Len"}}
    assert delete.changes["first_name"] == {"before": "Lena"}
    assert all(e.occurred_at.tzinfo is not None for e in events)


def test_update_bumps_version_and_updated_at(db: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="C8", first_name="Ola", last_name="Nowak", date_of_birth=dt.date(2012, 4, 4)))
    with db.session_scope() as s:
        child = s.scalars(select(Child)).one()
        first_update = child.updated_at
        assert child.version == 1
        child.religion = "Catholic"
    with db.session_scope() as s:
        child = s.scalars(select(Child)).one()
        assert child.version == 2
        assert child.updated_at >= first_update


def test_unchanged_save_writes_no_event(db: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="C9", first_name="Ali", last_name="Khan", date_of_birth=dt.date(2010, 1, 1)))
    with db.session_scope() as s:
        child = s.scalars(select(Child)).one()
        child.known_as = child.known_as
    with db.session_scope() as s:
        assert [e.action for e in _events(s)] == [AuditAction.INSERT]


def test_rolled_back_change_leaves_no_event(db: Database) -> None:
    with db.session() as s:
        s.add(Child(case_reference="C10", first_name="Io", last_name="Ng", date_of_birth=dt.date(2010, 1, 1)))
        s.flush()
        s.rollback()
    with db.session_scope() as s:
        assert _events(s) == []
