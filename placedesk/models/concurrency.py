"""Optimistic locking: a save never overwrites a colleague's change it did not see.

Two guards work together. Every record's ``version`` is the mapper's
``version_id_col``, so each UPDATE and DELETE carries ``WHERE version = <the
version this session loaded>`` and changes nothing when another connection
moved it meanwhile (SQLAlchemy raises ``StaleDataError``, turned into an
:class:`~placedesk.errors.EditConflict` by :func:`conflict_after_stale`).
That alone only covers the instant between loading and saving; a screen
shows a record for minutes. So a screen keeps a :class:`Baseline`, the
versions of the records it loaded, and passes it to its save
(:meth:`Baseline.enforce`): before the flush, any record the save changes
whose stored version is no longer the one the screen showed is refused with
an :class:`EditConflict` naming who changed it and when (from the audit
trail), with both versions of the fields in question.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import NO_VALUE

from placedesk.errors import EditConflict, FieldClash
from placedesk.models.audit import AuditEvent, _audited_columns, _is_audited, to_jsonable
from placedesk.models.base import Record
from placedesk.models.enums import AuditAction

# session.info keys: the versions a save must find ({(table, id): version}), and what it was changing
# (for explaining a StaleDataError after the flush failed).
EXPECTED = "expected_versions"
PENDING = "pending_edits"

Key = tuple[str, uuid.UUID]


def record_key(record: Record) -> Key:
    return (type(record).__tablename__, record.id)


class Baseline:
    """The row versions one screen showed, so its save is refused if a colleague changed them since."""

    def __init__(self) -> None:
        self.versions: dict[Key, int] = {}

    def copy(self) -> Baseline:
        """A snapshot for a form opened from this screen (the screen may reload while the form is open)."""
        twin = Baseline()
        twin.versions = dict(self.versions)
        return twin

    def clear(self) -> None:
        self.versions.clear()

    def note(self, record: Record) -> None:
        """Remember the version of ``record`` as shown (only if it was loaded with its version)."""
        version = inspect(record).dict.get("version")
        if isinstance(version, int) and _is_audited(record):
            self.versions[record_key(record)] = version

    def note_all(self, records: Iterable[Record]) -> None:
        for record in records:
            self.note(record)

    def watch(self, session: Session) -> None:
        """Note every record ``session`` loads from now on (call on a screen's read session)."""
        def loaded(session: Session, instance: object) -> None:
            if isinstance(instance, Record):
                self.note(instance)

        event.listen(session, "loaded_as_persistent", loaded)

    def enforce(self, session: Session) -> None:
        """Make ``session`` (one save) refuse to change any record whose version moved since it was shown.

        When the save commits, the screen's versions move on to what it wrote, so
        its next save from the same screen is not taken for a colleague's.
        """
        # A copy: the session's own flushes move it on (a save may flush more than once), and a save
        # that rolls back must leave the screen's versions as they were.
        session.info[EXPECTED] = dict(self.versions)
        written = track_writes(session)
        event.listen(session, "after_commit", lambda session: self.move_on(written))

    def move_on(self, written: dict[Key, int]) -> None:
        """Take the versions this window's own committed action wrote as seen (only records shown here)."""
        self.versions.update({k: v for k, v in written.items() if k in self.versions})

    def accept(self, conflict: EditConflict) -> None:
        """Deliberately save over the colleague's change: the next save checks against their version."""
        key = (conflict.entity, conflict.entity_id)
        if conflict.their_version is None:
            self.versions.pop(key, None)
        else:
            self.versions[key] = conflict.their_version


def track_writes(session: Session) -> dict[Key, int]:
    """The versions of the records ``session`` changes, filled in as it flushes.

    A sync import (``preserve_versions``) brings colleagues' changes, never this
    window's own, so it reports none: a screen open meanwhile still meets them as conflicts.
    """
    written: dict[Key, int] = {}

    def after_flush(session: Session, flush_context: Any) -> None:
        if session.info.get("preserve_versions"):
            return
        for obj in [*session.dirty, *session.new]:
            if _is_audited(obj) and isinstance(inspect(obj).dict.get("version"), int):
                written[record_key(obj)] = obj.version

    event.listen(session, "after_flush", after_flush)
    return written


def _label(field: str) -> str:
    return field.replace("_id", "").replace("_", " ").capitalize()


def _shown(value: Any) -> str:
    value = to_jsonable(value)
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def record_label(entity: str) -> str:
    """The table's name in the officer's words ("monitoring_visit" → "monitoring visit")."""
    return entity.replace("_", " ")


def _last_change(session: Session, entity: str, entity_id: uuid.UUID, since: int
                 ) -> tuple[str, dt.datetime | None, dict[str, Any]]:
    """Who last changed the row of table ``entity`` and when, and each field the last ``since`` changes
    touched, with the value it had before them (what the officer's screen showed)."""
    with session.no_autoflush:
        # Both columns, so the read goes through ix_audit_event_entity (entity, entity_id): by the
        # id alone it would scan a council's whole trail while the officer waits on the save.
        rows = session.execute(
            select(AuditEvent.officer, AuditEvent.occurred_at, AuditEvent.changes, AuditEvent.action)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.occurred_at.desc()).limit(max(since, 1))).all()
    if not rows:
        return "", None, {}
    before: dict[str, Any] = {}
    for row in rows:  # newest first, so the oldest change's "before" is kept
        if row.action is AuditAction.UPDATE:
            before.update({key: change.get("before") for key, change in row.changes.items()})
    return rows[0].officer, rows[0].occurred_at, before


def _conflict(session: Session, obj: Record, expected: int, stored: int | None,
              yours: dict[str, Any], theirs: dict[str, Any]) -> EditConflict:
    since = (stored - expected) if stored is not None else 1
    officer, when, seen_before = _last_change(session, type(obj).__tablename__, obj.id, since)
    clashes: list[FieldClash] = []
    for key, _ in _audited_columns(obj):
        if key in yours:
            if yours[key] == theirs.get(key):
                continue
            mine = yours[key]
        elif key in seen_before:
            # A field only they changed: your screen showed its earlier value.
            mine = seen_before[key]
        else:
            continue
        clashes.append(FieldClash(key, _label(key), _shown(mine), _shown(theirs.get(key)), key in seen_before))
    return EditConflict(entity=type(obj).__tablename__, entity_id=obj.id,
                        record_label=record_label(type(obj).__tablename__), changed_by=officer, changed_at=when,
                        clashes=tuple(clashes), your_version=expected, their_version=stored)


def _changed_fields(obj: Record) -> dict[str, Any]:
    """The officer's values of every field this save changes (attribute key → new value)."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for key, _ in _audited_columns(obj):
        if key in state.committed_state:
            before = state.committed_state[key]
            after = state.dict.get(key)
            if (None if before is NO_VALUE else before) != after:
                out[key] = after
    return out


def _stored_fields(obj: Record, changed: dict[str, Any]) -> dict[str, Any]:
    """What is stored now (as this session loaded it) for every audited field."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for key, _ in _audited_columns(obj):
        value = state.committed_state.get(key, state.dict.get(key)) if key in changed else state.dict.get(key)
        out[key] = None if value is NO_VALUE else value
    return out


def _check_versions(session: Session, flush_context: Any, instances: Any) -> None:
    expected_versions: dict[Key, int] = session.info.get(EXPECTED) or {}
    pending: list[tuple[type[Record], uuid.UUID, int, dict[str, Any]]] = []
    for obj in [*session.dirty, *session.deleted]:
        if not _is_audited(obj):
            continue
        deleting = obj in session.deleted
        changed = {} if deleting else _changed_fields(obj)
        if not deleting and not changed:
            continue
        state = inspect(obj)
        loaded = state.committed_state.get("version", state.dict.get("version"))
        if not isinstance(loaded, int):
            continue
        pending.append((type(obj), obj.id, loaded, changed))
        expected = expected_versions.get(record_key(obj))
        if expected is not None and expected != loaded:
            raise _conflict(session, obj, expected, loaded, changed, _stored_fields(obj, changed))
    session.info[PENDING] = pending


def _own_flush_moves_expected(session: Session, flush_context: Any) -> None:
    """A save that flushes twice finds its own first flush's versions the second time: not a colleague's."""
    expected_versions: dict[Key, int] | None = session.info.get(EXPECTED)
    if not expected_versions:
        return
    for obj in session.dirty:
        key = record_key(obj) if _is_audited(obj) else None
        if key in expected_versions and isinstance(inspect(obj).dict.get("version"), int):
            expected_versions[key] = obj.version


def conflict_after_stale(session: Session, pending: list[tuple[type[Record], uuid.UUID, int, dict[str, Any]]]
                         ) -> EditConflict | None:
    """Explain a flush that found a version moved at the last instant, from a fresh ``session``."""
    for cls, record_id, loaded, changed in pending:
        current = session.get(cls, record_id)
        if current is None:
            stub = cls(id=record_id)
            return _conflict(session, stub, loaded, None, changed, {})
        if current.version != loaded:
            return _conflict(session, current, loaded, current.version, changed,
                             {key: getattr(current, key) for key, _ in _audited_columns(current)})
    return None


# First among the flush hooks: the check must see the version as loaded, before the audit hook bumps it.
event.listen(Session, "before_flush", _check_versions, insert=True)
event.listen(Session, "after_flush", _own_flush_moves_expected)
