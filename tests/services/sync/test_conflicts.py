"""Resolving sync conflicts: the officer's choice is applied, audited, and carried to the other laptop."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import EditConflict, NotFound, WorkflowError
from placedesk.models import AuditEvent, Provider, SyncConflict
from placedesk.models.base import utcnow
from placedesk.models.enums import ConflictResolution
from placedesk.services.sync.conflicts import count_open_conflicts, list_conflicts, resolve_conflict, shown_fields
from placedesk.services.sync.export_bundle import export_bundle
from placedesk.services.sync.import_bundle import import_bundle
from tests.services.sync.helpers import fill, new_db, signer_for, team_trust


def _send(source: Database, laptop: str, target: Database, target_laptop: str, folder: Path):
    with source.session_scope() as s:
        path = export_bundle(s, folder, laptop_id=laptop, signer=signer_for(source.officer), now=utcnow()).path
    with target.session_scope() as s:
        return import_bundle(s, path, own_laptop_id=target_laptop, trust=team_trust(), now=utcnow())


@pytest.fixture
def pair(tmp_path: Path):
    """Two laptops that share a provider and then both change its notes: one conflict on each."""
    a, b = new_db(tmp_path / "a.sqlite", "Officer A"), new_db(tmp_path / "b.sqlite", "Officer B")
    with a.session_scope() as s:
        provider_id = fill(s).provider.id
    _send(a, "AAAA", b, "BBBB", tmp_path / "x1")
    with a.session_scope() as s:
        s.get(Provider, provider_id).notes = "A: phoned the manager"
    with b.session_scope() as s:
        s.get(Provider, provider_id).notes = "B: visit booked"
    _send(a, "AAAA", b, "BBBB", tmp_path / "x2")
    _send(b, "BBBB", a, "AAAA", tmp_path / "x3")
    yield a, b, provider_id
    a.close()
    b.close()


def test_the_conflict_lists_both_versions_with_the_differing_field_first(pair) -> None:
    a, _, provider_id = pair
    with a.session() as s:
        (view,) = list_conflicts(s)
        assert count_open_conflicts(s) == 1
    assert view.entity == "provider" and view.entity_id == provider_id and view.label.startswith("PRV-")
    assert [(f.field, f.local, f.remote) for f in view.differing] == [
        ("notes", "A: phoned the manager", "B: visit booked")]
    assert shown_fields(view)[0] == "notes"


def test_taking_the_other_version_changes_the_record_audited_and_both_laptops_converge(pair, tmp_path: Path) -> None:
    a, b, provider_id = pair
    with a.session() as s:
        conflict_id = list_conflicts(s)[0].id
    with a.session_scope() as s:
        resolve_conflict(s, conflict_id, ConflictResolution.TAKE_REMOTE, officer="Officer A", now=utcnow(),
                         note="B visited more recently")
    with a.session() as s:
        assert s.get(Provider, provider_id).notes == "B: visit booked"
        conflict = s.get(SyncConflict, conflict_id)
        assert conflict.resolution is ConflictResolution.TAKE_REMOTE and conflict.resolved_by == "Officer A"
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == provider_id)
                           .order_by(AuditEvent.occurred_at)).all()
        assert events[-1].changes["notes"] == {"before": "A: phoned the manager", "after": "B: visit booked"}
        assert s.scalar(select(AuditEvent).where(AuditEvent.entity_id == conflict_id,
                                                 AuditEvent.action == "update")) is not None
        assert count_open_conflicts(s) == 0
    # B resolves its side the same way (keeps its own); then one more exchange converges.
    with b.session() as s:
        b_conflict = list_conflicts(s)[0].id
    with b.session_scope() as s:
        resolve_conflict(s, b_conflict, ConflictResolution.KEEP_LOCAL, officer="Officer B", now=utcnow())
    _send(a, "AAAA", b, "BBBB", tmp_path / "y1")
    _send(b, "BBBB", a, "AAAA", tmp_path / "y2")
    with a.session() as s, b.session() as t:
        pa, pb = s.get(Provider, provider_id), t.get(Provider, provider_id)
        assert pa.notes == pb.notes == "B: visit booked"
        assert count_open_conflicts(s) == 0 and count_open_conflicts(t) == 0


def test_keeping_this_laptops_version_sends_it_to_the_other_laptop(pair, tmp_path: Path) -> None:
    a, b, provider_id = pair
    with a.session() as s:
        conflict_id = list_conflicts(s)[0].id
    with a.session_scope() as s:
        view = resolve_conflict(s, conflict_id, ConflictResolution.KEEP_LOCAL, officer="Officer A", now=utcnow())
    assert view.resolution is ConflictResolution.KEEP_LOCAL
    with a.session() as s:
        provider = s.get(Provider, provider_id)
        assert provider.notes == "A: phoned the manager" and provider.version == 3
    with b.session() as s:
        s_conflict = list_conflicts(s)[0].id
    with b.session_scope() as s:
        resolve_conflict(s, s_conflict, ConflictResolution.TAKE_REMOTE, officer="Officer B", now=utcnow())
    _send(a, "AAAA", b, "BBBB", tmp_path / "z1")
    with b.session() as s:
        assert s.get(Provider, provider_id).notes == "A: phoned the manager"
        assert count_open_conflicts(s) == 0


def test_a_conflict_cannot_be_resolved_twice_or_when_unknown(pair) -> None:
    a, _, _ = pair
    with a.session() as s:
        conflict_id = list_conflicts(s)[0].id
    with a.session_scope() as s:
        resolve_conflict(s, conflict_id, ConflictResolution.KEEP_LOCAL, officer="Officer A", now=utcnow())
    with a.session_scope() as s, pytest.raises(WorkflowError, match="already resolved"):
        resolve_conflict(s, conflict_id, ConflictResolution.TAKE_REMOTE, officer="Officer A", now=utcnow())
    with a.session_scope() as s, pytest.raises(NotFound, match="no longer exists"):
        resolve_conflict(s, uuid.uuid4(), ConflictResolution.TAKE_REMOTE, officer="Officer A", now=utcnow())
    with a.session() as s:
        assert len(list_conflicts(s, include_resolved=True)) == 1 and list_conflicts(s) == []


def test_taking_the_other_version_never_overwrites_a_colleagues_later_change_unseen(
        db: Database, colleague: Database, tmp_path: Path) -> None:
    """On the team server a colleague may edit the record after the conflict was listed: it is shown, not lost."""
    laptop = new_db(tmp_path / "b.sqlite", "Officer B")
    try:
        with db.session_scope() as s:
            provider_id = fill(s).provider.id
        _send(db, "TEAM", laptop, "BBBB", tmp_path / "x1")
        with db.session_scope() as s:
            s.get(Provider, provider_id).notes = "Team: phoned the manager"
        with laptop.session_scope() as s:
            s.get(Provider, provider_id).notes = "B: visit booked"
        _send(laptop, "BBBB", db, "TEAM", tmp_path / "x2")
    finally:
        laptop.close()
    with db.session() as s:
        conflict_id = list_conflicts(s)[0].id
    with colleague.session_scope() as theirs:
        theirs.get(Provider, provider_id).notes = "Team: phoned the manager; placement confirmed"
    with pytest.raises(EditConflict) as caught, db.session_scope() as s:
        resolve_conflict(s, conflict_id, ConflictResolution.TAKE_REMOTE, officer="Test Officer", now=utcnow())
    conflict = caught.value
    assert conflict.changed_by == "A. Khan" and str(conflict).startswith("A. Khan changed this provider (notes) at ")
    assert [(c.yours, c.theirs) for c in conflict.clashes] == [
        ("B: visit booked", "Team: phoned the manager; placement confirmed")]
    with db.session() as s:
        assert s.get(Provider, provider_id).notes == "Team: phoned the manager; placement confirmed"
        assert count_open_conflicts(s) == 1
    # Taken over her change on purpose, against her version: then it applies.
    with db.session_scope() as s:
        resolve_conflict(s, conflict_id, ConflictResolution.TAKE_REMOTE, officer="Test Officer", now=utcnow(),
                         seen_version=conflict.their_version)
    with db.session() as s:
        assert s.get(Provider, provider_id).notes == "B: visit booked" and count_open_conflicts(s) == 0
