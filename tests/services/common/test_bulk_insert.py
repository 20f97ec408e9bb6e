"""Bulk inserts read back as the ORM wrote them, with the same audit events its hook writes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.db import Database
from placedesk.errors import EditConflict
from placedesk.models import AuditEvent, Inspection, Provider
from placedesk.models.enums import AuditAction, OfstedJudgement, ProviderType, RiskLevel
from placedesk.services.common.bulk_insert import (
    RecordChange,
    insert_audited,
    update_audited,
)

VALUES = {"ref": "PRV-T-0001", "urn": "SC100001", "name": "Oak House", "provider_type": ProviderType.CHILDRENS_HOME,
          "places": 4, "capabilities": ["autism"], "ofsted_judgement": OfstedJudgement.GOOD,
          "last_inspection_date": dt.date(2026, 1, 12), "risk_level": RiskLevel.LOW, "town": "Leeds"}


def test_bulk_rows_match_orm_rows_and_their_audit_events(session: Session) -> None:
    session.info["officer"] = "Test Officer"
    orm = Provider(id=uuid.uuid4(), **{**VALUES, "ref": "PRV-T-0002", "urn": "SC100002"})
    session.add(orm)
    session.flush()
    bulk_id = uuid.uuid4()
    insert_audited(session, Provider, [{**VALUES, "id": bulk_id}], officer="Test Officer")
    insert_audited(session, Inspection, [{"id": uuid.uuid4(), "provider_id": bulk_id,
                                          "inspection_date": dt.date(2026, 1, 12), "judgement": OfstedJudgement.GOOD}],
                   officer="Test Officer")
    session.expire_all()
    bulk = session.get(Provider, bulk_id)
    assert bulk is not None and bulk.name == "Oak House" and bulk.capabilities == ["autism"]
    assert bulk.last_inspection_date == dt.date(2026, 1, 12) and bulk.provider_type is ProviderType.CHILDRENS_HOME
    assert bulk.created_at.tzinfo is not None and bulk.version == 1 and bulk.suspended is False
    assert [i.judgement for i in bulk.inspections] == [OfstedJudgement.GOOD]
    events = {e.entity_id: e for e in session.scalars(select(AuditEvent).where(AuditEvent.entity == "provider"))}
    made_by_orm, made_in_bulk = events[orm.id], events[bulk_id]
    assert (made_in_bulk.action, made_in_bulk.officer) == (AuditAction.INSERT, "Test Officer")
    differing = {k for k in made_by_orm.changes if made_by_orm.changes[k] != made_in_bulk.changes.get(k)}
    assert set(made_in_bulk.changes) == set(made_by_orm.changes)
    assert differing == {"id", "ref", "urn"}


def test_nothing_to_insert_writes_nothing(session: Session) -> None:
    insert_audited(session, Provider, [], officer="")
    assert session.scalars(select(AuditEvent)).first() is None


def test_bulk_updates_match_the_orm_hooks_update_events(session: Session) -> None:
    session.info["officer"] = "Test Officer"
    by_orm = Provider(id=uuid.uuid4(), **{**VALUES, "ref": "PRV-T-0002", "urn": "SC100002"})
    in_bulk = Provider(id=uuid.uuid4(), **VALUES)
    session.add_all([by_orm, in_bulk])
    session.flush()
    change = {"places": 2, "ofsted_judgement": OfstedJudgement.INADEQUATE, "last_inspection_date": dt.date(2026, 2, 1)}
    for key, value in change.items():
        setattr(by_orm, key, value)
    session.flush()
    before = {key: getattr(in_bulk, key) for key in change}
    update_audited(session, Provider, [RecordChange(in_bulk.id, 1, before, change)], officer="Test Officer")
    # The loaded record was expired: it reads what was written.
    assert (in_bulk.places, in_bulk.ofsted_judgement, in_bulk.version) == (2, OfstedJudgement.INADEQUATE, 2)
    assert in_bulk.updated_at >= in_bulk.created_at
    updates = {e.entity_id: e for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE))}
    assert updates[in_bulk.id].changes == updates[by_orm.id].changes == {
        "places": {"before": 4, "after": 2}, "ofsted_judgement": {"before": "good", "after": "inadequate"},
        "last_inspection_date": {"before": "2026-01-12", "after": "2026-02-01"}}
    assert updates[in_bulk.id].officer == "Test Officer"


def _two_providers(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    oak, elm = uuid.uuid4(), uuid.uuid4()
    with db.session_scope() as s:
        insert_audited(s, Provider, [{**VALUES, "id": oak}, {**VALUES, "id": elm, "ref": "PRV-T-0002",
                                                                "urn": "SC100002", "name": "Elm Lodge"}],
                       officer="Test Officer")
    return oak, elm


def test_a_bulk_update_refuses_a_record_a_colleague_changed_after_it_was_read(db: Database,
                                                                                colleague: Database) -> None:
    oak, elm = _two_providers(db)
    with db.session() as s:
        read = {p.id: p.version for p in s.scalars(select(Provider))}
    # A. Khan renames Oak House after the bulk action read it and before it writes.
    with colleague.session_scope() as theirs:
        theirs.get(Provider, oak).name = "Oak House (Sheffield)"
    changes = [RecordChange(elm, read[elm], {"places": 4}, {"places": 3}),
               RecordChange(oak, read[oak], {"name": "Oak House", "places": 4}, {"name": "Oak Hall", "places": 3})]
    with pytest.raises(EditConflict) as caught, db.session_scope() as s:
        update_audited(s, Provider, changes, officer="Test Officer")
    conflict = caught.value
    assert (conflict.entity_id, conflict.changed_by) == (oak, "A. Khan")
    assert "A. Khan changed this provider (name, places)" in str(conflict)
    assert {c.field: (c.yours, c.theirs) for c in conflict.clashes} == {
        "name": ("Oak Hall", "Oak House (Sheffield)"), "places": ("3", "4")}
    # The whole action was refused: her change is kept, and Elm Lodge (not hers) was not changed either.
    with db.session() as s:
        assert s.get(Provider, oak).name == "Oak House (Sheffield)"
        assert (s.get(Provider, elm).places, s.get(Provider, elm).version) == (4, 1)
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == AuditAction.UPDATE, AuditEvent.officer == "Test Officer")) == 0


def test_a_bulk_update_refuses_a_record_a_colleague_deleted(db: Database, colleague: Database) -> None:
    oak, _ = _two_providers(db)
    with colleague.session_scope() as theirs:
        theirs.delete(theirs.get(Provider, oak))
    with pytest.raises(EditConflict) as caught, db.session_scope() as s:
        update_audited(s, Provider, [RecordChange(oak, 1, {"places": 4}, {"places": 3})], officer="Test Officer")
    assert caught.value.deleted and "A. Khan deleted this provider" in str(caught.value)


def test_a_bulk_update_at_the_version_read_moves_it_on(db: Database) -> None:
    oak, elm = _two_providers(db)
    with db.session_scope() as s:
        update_audited(s, Provider, [RecordChange(oak, 1, {"places": 4}, {"places": 3}),
                                     RecordChange(elm, 1, {"town": "Leeds"}, {"town": "York"})], officer="Test Officer")
        update_audited(s, Provider, [RecordChange(oak, 2, {"places": 3}, {"places": 2})], officer="Test Officer")
    with db.session() as s:
        assert (s.get(Provider, oak).places, s.get(Provider, oak).version) == (2, 3)
        assert (s.get(Provider, elm).town, s.get(Provider, elm).version) == ("York", 2)
