"""The audit trail: every insert, update and delete of a record, written in the same flush.

A ``before_flush`` hook on every ORM session does this, so no service has to
remember to. It also keeps ``updated_at`` and the row ``version`` current.
Sync imports set ``session.info["preserve_versions"]`` so records arriving from
another laptop keep the version and time they were given there. A session with
``session.info["require_officer"]`` set (the app's and the command line's)
refuses to write any change while no officer is named to record it against.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import Index, LargeBinary, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import NO_VALUE

from placedesk.errors import PROFILE_HOW_TO, ProfileIncomplete
from placedesk.models.base import Base, Record, enum_column, utcnow
from placedesk.models.enums import AuditAction


class AuditEvent(Base, Record):
    """Who changed what, when: entity, id, action and the fields before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_received", "received_bundle_id"),
    )
    __audited__ = False

    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    officer: Mapped[str] = mapped_column(String(200), default="")
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID]
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    # {"field": {"before": ..., "after": ...}}; inserts have no "before", deletes no "after".
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set only on events received in a colleague's signed bundle: the SHA-256 fingerprint of the
    # certificate that signed it and the bundle's id. Events made here leave both empty, and only
    # those travel in this laptop's own bundles, so every event is vouched for by its officer's key.
    signer_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    received_bundle_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The PostgreSQL login (``session_user``) that wrote the event on a team server, filled in by the
    # server itself (migration 0006's trigger) so no client can claim another login; empty on a laptop.
    login: Mapped[str | None] = mapped_column(String(63), default=None)


def to_jsonable(value: Any) -> Any:
    """A column value as JSON-friendly data (also used by export bundles)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


_BOOKKEEPING = {"created_at", "updated_at", "version"}
# Per mapped class: (attribute key, scalar default) of every audited column, worked out once.
_COLUMNS: dict[type, list[tuple[str, Any]]] = {}


def _audited_columns(obj: Record) -> list[tuple[str, Any]]:
    cls = type(obj)
    columns = _COLUMNS.get(cls)
    if columns is None:
        columns = []
        for attr in inspect(cls).column_attrs:
            column = attr.columns[0]
            if attr.key in _BOOKKEEPING or isinstance(column.type, LargeBinary):
                continue
            default = column.default.arg if column.default is not None and column.default.is_scalar else None
            columns.append((attr.key, default))
        _COLUMNS[cls] = columns
    return columns


def _snapshot(obj: Record) -> dict[str, Any]:
    """Every audited column's value; a new object's unset columns show their default,
    since defaults are applied only at INSERT."""
    values = inspect(obj).dict
    out: dict[str, Any] = {}
    for key, default in _audited_columns(obj):
        value = values.get(key)
        out[key] = to_jsonable(default if value is None else value)
    return out


def _is_audited(obj: object) -> bool:
    return isinstance(obj, Record) and getattr(obj, "__audited__", True)


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    officer = str(session.info.get("officer", ""))
    preserve = bool(session.info.get("preserve_versions", False))
    now = utcnow()
    events: list[AuditEvent] = []

    for obj in list(session.new):
        if not _is_audited(obj):
            continue
        if obj.id is None:
            obj.id = uuid.uuid4()
        if not preserve or obj.created_at is None:
            obj.created_at = obj.created_at or now
            obj.updated_at = obj.updated_at or now
            obj.version = obj.version or 1
        after = {k: v for k, v in _snapshot(obj).items()}
        events.append(_event(obj, AuditAction.INSERT, {k: {"after": v} for k, v in after.items()}, officer, now))

    for obj in list(session.dirty):
        if not _is_audited(obj):
            continue
        state = inspect(obj)
        # committed_state holds the old value of exactly the attributes changed since load.
        changes: dict[str, Any] = {}
        for key, _ in _audited_columns(obj):
            if key not in state.committed_state:
                continue
            before = state.committed_state[key]
            before = None if before is NO_VALUE else before
            after = state.dict.get(key)
            if before != after:
                changes[key] = {"before": to_jsonable(before), "after": to_jsonable(after)}
        if not changes:
            continue
        if not preserve:
            obj.updated_at = now
            obj.version = (obj.version or 0) + 1
        events.append(_event(obj, AuditAction.UPDATE, changes, officer, now))

    for obj in list(session.deleted):
        if not _is_audited(obj):
            continue
        before = _snapshot(obj)
        events.append(_event(obj, AuditAction.DELETE, {k: {"before": v} for k, v in before.items()}, officer, now))

    if events:
        check_officer_named(session, officer)
    session.add_all(events)


def check_officer_named(session: Session, officer: str) -> None:
    """Refuse a change no officer can be recorded against, in a session that requires one.

    The flush hook, bulk imports and export records all call this, so no path
    writes an audit event with an empty officer from the app or the command line.
    """
    if not officer.strip() and session.info.get("require_officer"):
        raise ProfileIncomplete(
            "Records cannot be changed until your name is set in the officer profile: every change is recorded "
            f"against the officer who made it. {PROFILE_HOW_TO}", ("officer name",))


def _event(obj: Record, action: AuditAction, changes: dict[str, Any], officer: str, now: dt.datetime) -> AuditEvent:
    return AuditEvent(
        id=uuid.uuid4(),
        occurred_at=now,
        created_at=now,
        updated_at=now,
        version=1,
        officer=officer,
        entity=type(obj).__tablename__,
        entity_id=obj.id,
        action=action,
        changes=changes,
    )


event.listen(Session, "before_flush", _before_flush)
