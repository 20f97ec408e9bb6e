"""The audit log: recording what left PlaceDesk, and reading who changed or exported what.

Changes to records are written by the flush hook in :mod:`placedesk.models.audit`.
An export changes no record, so the code that writes the file calls
:func:`record_export` in the same action: what went out, to where, how many
records and whether people were pseudonymised, against the officer. Reading
filters by record (its reference or case reference), officer, dates and kind,
the same for the Audit log window and ``placedesk audit``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, PlaceDeskError, ValidationError
from placedesk.models import AuditEvent, Base, Child
from placedesk.models.audit import check_officer_named
from placedesk.models.base import utcnow
from placedesk.models.enums import AuditAction

EXPORT_ENTITY = "export"
# The most events one listing returns; narrow the filters to see older ones.
LIST_LIMIT = 2000


def record_export(session: Session, *, what: str, target: Path | str, records: int, pseudonymised: bool = False,
                  entity: str = EXPORT_ENTITY, entity_id: uuid.UUID | None = None) -> AuditEvent:
    """Add an export event to the session (the caller's action commits it).

    ``entity``/``entity_id`` name the record exported when there is one (a
    referral's pack, a placement's agreement), so it shows in that record's history.
    """
    officer = str(session.info.get("officer", ""))
    check_officer_named(session, officer)
    now = utcnow()
    event = AuditEvent(
        id=uuid.uuid4(), occurred_at=now, created_at=now, updated_at=now, version=1, officer=officer,
        entity=entity, entity_id=entity_id or uuid.uuid4(), action=AuditAction.EXPORT,
        changes={"what": what, "to": str(target), "records": int(records), "pseudonymised": bool(pseudonymised)},
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditFilter:
    """What to list: any of a record reference, an officer, a date range (inclusive) and a kind."""

    record: str = ""
    officer: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    action: AuditAction | None = None


@dataclass(frozen=True)
class AuditRow:
    """One event as listed: when, who, what kind, which record, and a one-line summary."""

    event_id: uuid.UUID
    occurred_at: dt.datetime
    officer: str
    action: AuditAction
    entity: str
    entity_id: uuid.UUID
    summary: str
    changes: dict[str, Any]
    # The PostgreSQL login that wrote the event on a team server; None on a laptop.
    login: str | None = None


def _referenced_classes() -> list[type]:
    return [m.class_ for m in Base.registry.mappers if "ref" in m.columns]


def find_record(session: Session, ref: str) -> tuple[str, uuid.UUID]:
    """The table and id of the record with reference ``ref`` (or a child by case reference)."""
    wanted = ref.strip()
    if not wanted:
        raise ValidationError("Give a record's reference, e.g. REF-7F3A-0042 or a case reference.", "record")
    for cls in _referenced_classes():
        found = session.scalars(select(cls.id).where(cls.ref == wanted.upper())).first()  # type: ignore[attr-defined]
        if found is not None:
            return cls.__tablename__, found  # type: ignore[attr-defined]
    child = session.scalars(select(Child.id).where(Child.case_reference == wanted)).first()
    if child is not None:
        return Child.__tablename__, child
    raise NotFound(f"No record has the reference {wanted!r}: check it in the Referrals, Placements or "
                   "Monitoring tab.")


def summarise(action: AuditAction, changes: dict[str, Any]) -> str:
    """One line for a list: the export's details, or the fields that changed."""
    if action is AuditAction.EXPORT:
        kind = "pseudonymised" if changes.get("pseudonymised") else "identifiable"
        return f"{changes.get('what', '')} ({changes.get('records', 0)} records, {kind}) to {changes.get('to', '')}"
    fields = sorted(changes)
    shown = ", ".join(fields[:6]) + (f" and {len(fields) - 6} more" if len(fields) > 6 else "")
    return shown


def list_events(session: Session, filters: AuditFilter, *, limit: int = LIST_LIMIT) -> list[AuditRow]:
    """The events matching ``filters``, newest first (at most ``limit``)."""
    if filters.start and filters.end and filters.end < filters.start:
        raise ValidationError("The 'to' date is before the 'from' date: swap them.", "end")
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id).limit(limit)
    if filters.record.strip():
        _, record_id = find_record(session, filters.record)
        query = query.where(AuditEvent.entity_id == record_id)
    if filters.officer.strip():
        wanted = filters.officer.strip()
        # On a team server an officer can also be found by their login.
        query = query.where(or_(AuditEvent.officer.icontains(wanted, autoescape=True), AuditEvent.login == wanted))
    if filters.start:
        query = query.where(AuditEvent.occurred_at >= _midnight(filters.start))
    if filters.end:
        query = query.where(AuditEvent.occurred_at < _midnight(filters.end + dt.timedelta(days=1)))
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    return [AuditRow(e.id, e.occurred_at, e.officer, e.action, e.entity, e.entity_id,
                     summarise(e.action, e.changes), dict(e.changes), e.login)
            for e in session.scalars(query)]


def _midnight(day: dt.date) -> dt.datetime:
    # Dates are the officer's (UK) days; events are stored in UTC.
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.timezone.utc)


def change_lines(row: AuditRow) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field of one event, for the history pane and CSV."""
    if row.action is AuditAction.EXPORT:
        return [(key, "", str(value)) for key, value in row.changes.items()]
    lines = []
    for key in sorted(row.changes):
        value = row.changes[key]
        if isinstance(value, dict):
            lines.append((key, _shown(value.get("before")), _shown(value.get("after"))))
    return lines


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


AUDIT_CSV_HEADERS = ("occurred_at_utc", "officer", "kind", "record_type", "record_id", "field", "before", "after")


def audit_table(rows: list[AuditRow]) -> list[tuple[Any, ...]]:
    """One line per changed field (an export is one line per detail), oldest first, for a CSV."""
    out: list[tuple[Any, ...]] = []
    for row in reversed(rows):
        for field, before, after in change_lines(row) or [("", "", "")]:
            out.append((row.occurred_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds"), row.officer,
                        row.action.value, row.entity, str(row.entity_id), field, before, after))
    return out


def write_audit_csv(session: Session, filters: AuditFilter, target: Path) -> int:
    """Write the matching events as CSV to ``target`` and record that export; returns how many events."""
    from placedesk.fileio import atomic_write_bytes
    from placedesk.services.common.tabular import csv_bytes

    rows = list_events(session, filters)
    try:
        atomic_write_bytes(target, csv_bytes(AUDIT_CSV_HEADERS, audit_table(rows)))
    except OSError as exc:
        raise PlaceDeskError(f"The audit log could not be written to {target} ({exc.strerror or exc}).") from None
    record_export(session, what="Audit log (CSV)", target=Path(target).resolve(), records=len(rows))
    return len(rows)


__all__ = [
    "AUDIT_CSV_HEADERS",
    "AuditFilter",
    "AuditRow",
    "EXPORT_ENTITY",
    "LIST_LIMIT",
    "audit_table",
    "change_lines",
    "find_record",
    "list_events",
    "record_export",
    "summarise",
    "write_audit_csv",
]
