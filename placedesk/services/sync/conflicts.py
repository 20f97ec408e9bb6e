"""Sync conflicts: records changed on two laptops, listed side by side until the officer chooses.

Resolving one is an ordinary audited change: taking the other laptop's
version edits the record (the audit hook writes the event); keeping ours
changes no field, so the conflict row's own resolution fields carry the audit
event. Either way the record's version is lifted above both sides', so the
next exchange carries the chosen version to the other laptop, which takes it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError, WorkflowError
from placedesk.models import SyncConflict
from placedesk.models.enums import ConflictResolution
from placedesk.services.sync.bundle_records import (BOOKKEEPING, data_columns, decode_record, label_of,
                                                   mapped_class, table_named)


@dataclass(frozen=True)
class FieldDifference:
    """One field of a conflicting record: our value and theirs, as shown to the officer."""

    field: str
    local: Any
    remote: Any

    @property
    def differs(self) -> bool:
        return self.local != self.remote


@dataclass(frozen=True)
class ConflictView:
    """A conflict as the conflicts list shows it."""

    id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    label: str
    local_version: int
    remote_version: int
    local_updated_at: str
    remote_updated_at: str
    fields: tuple[FieldDifference, ...]
    resolution: ConflictResolution | None

    @property
    def differing(self) -> list[FieldDifference]:
        return [f for f in self.fields if f.differs]


def _view(conflict: SyncConflict) -> ConflictView:
    table = table_named(conflict.entity)
    local, remote = conflict.local_data, conflict.remote_data
    fields = tuple(FieldDifference(c, local.get(c), remote.get(c)) for c in data_columns(table) if c != "id")
    return ConflictView(
        id=conflict.id, entity=conflict.entity, entity_id=conflict.entity_id,
        label=label_of(remote) if label_of(remote) != str(conflict.entity_id)[:8] else label_of(local),
        local_version=int(local.get("version", 0)), remote_version=int(remote.get("version", 0)),
        local_updated_at=str(local.get("updated_at", "")), remote_updated_at=str(remote.get("updated_at", "")),
        fields=fields, resolution=conflict.resolution,
    )


def count_open_conflicts(session: Session) -> int:
    return int(session.scalar(select(func.count(SyncConflict.id)).where(SyncConflict.resolution.is_(None))) or 0)


def list_conflicts(session: Session, *, include_resolved: bool = False) -> list[ConflictView]:
    """Conflicts awaiting a choice (oldest first), or all of them."""
    query = select(SyncConflict).order_by(SyncConflict.created_at, SyncConflict.entity)
    if not include_resolved:
        query = query.where(SyncConflict.resolution.is_(None))
    return [_view(c) for c in session.scalars(query)]



def resolve_conflict(
    session: Session,
    conflict_id: uuid.UUID,
    resolution: ConflictResolution,
    *,
    officer: str,
    now: dt.datetime,
    note: str = "",
    seen_version: int | None = None,
) -> ConflictView:
    """Keep this laptop's version or take the other laptop's; the choice is recorded and audited.

    Taking the other laptop's version replaces the record here, so it must still
    be the version the officer compared it with: ``seen_version``, by default the
    one the conflicts list shows. When a colleague has changed the record since,
    an :class:`~placedesk.errors.EditConflict` names them and shows their values
    beside the other laptop's; nothing is changed. Taking it over their change
    on purpose is this call again with ``seen_version`` their version.
    """
    if not isinstance(resolution, ConflictResolution):
        raise ValidationError("Choose 'keep this laptop's version' or 'take the other laptop's version'.",
                              field="resolution")
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None:
        raise NotFound("That conflict no longer exists; refresh the list.")
    if conflict.resolution is not None:
        raise WorkflowError(f"That conflict was already resolved ({conflict.resolution.value.replace('_', ' ')}) "
                            f"by {conflict.resolved_by or 'another officer'}; refresh the list.")
    table = table_named(conflict.entity)
    cls = mapped_class(conflict.entity)
    record = session.get(cls, conflict.entity_id)
    remote = decode_record(table, conflict.remote_data, f"The other laptop's {conflict.entity} record")
    remote_version = int(remote["version"])
    if resolution is ConflictResolution.TAKE_REMOTE:
        if record is None:
            record = cls(**{k: v for k, v in remote.items()})
            session.add(record)
        else:
            shown = int(conflict.local_data.get("version", 0)) if seen_version is None else seen_version
            if record.version != shown:
                _refuse_changed_since_shown(session, cls, record, shown, remote, table)
            changed = False
            for column in data_columns(table):
                if column != "id" and getattr(record, column) != remote[column]:
                    setattr(record, column, remote[column])
                    changed = True
            if changed:
                # The audit hook adds one, leaving it above both laptops' versions.
                record.version = max(record.version, remote_version)
            else:
                record.version = max(record.version, remote_version) + 1
                record.updated_at = now
    elif record is not None:
        # No field changes, so the hook would not bump these: do it so our version travels.
        record.version = max(record.version, remote_version) + 1
        record.updated_at = now
    conflict.resolution = resolution
    conflict.resolved_by = officer
    conflict.resolved_at = now
    conflict.note = note.strip()
    session.flush()
    return _view(conflict)


def _refuse_changed_since_shown(session: Session, cls: type[Any], record: Any, shown: int, remote: dict[str, Any],
                                table: Any) -> None:
    from placedesk.models.concurrency import conflict_after_stale

    taking = {c: remote[c] for c in data_columns(table) if c != "id" and getattr(record, c) != remote[c]}
    conflict = conflict_after_stale(session, [(cls, record.id, shown, taking)])
    if conflict is not None:
        raise conflict


def shown_fields(view: ConflictView) -> list[str]:
    """Field names in display order: differing ones first, then the rest."""
    names = [f.field for f in view.differing] + [f.field for f in view.fields if not f.differs]
    return [n for n in names if n not in BOOKKEEPING]
