"""Inserting many new records at once, with the audit events the ORM's flush hook would write.

Importing 100,000 providers through the ORM costs minutes: each object is
built, tracked, flushed and snapshotted one by one. Here new rows go to
SQLite with one ``executemany`` per table, in exactly the storage forms
SQLAlchemy's SQLite types use (UUID as 32 hex digits, dates ISO, datetimes
naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, JSON text, enums by value), so the
ORM reads them back as if it had written them; and each gets the INSERT
audit event :mod:`placedesk.models.audit` would have written: every audited
column's value, defaults filled in, by the same officer at the same time.
:func:`update_audited` does the same for changes to known records, with the
UPDATE events (each changed field before and after) the hook writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Boolean, LargeBinary
from sqlalchemy.orm import Session

from placedesk.db.dialect import driver_sql, insert_rows, is_sqlite
from placedesk.errors import PlaceDeskError
from placedesk.models import AuditEvent
from placedesk.models.audit import check_officer_named, to_jsonable
from placedesk.models.base import utcnow
from placedesk.models.enums import AuditAction

_BOOKKEEPING = {"created_at", "updated_at", "version"}


@functools.cache
def _audited_defaults(table: Any) -> tuple[tuple[str, Any], ...]:
    """(column, scalar default) of every audited column, as the audit hook snapshots a new record."""
    out = []
    for column in table.columns:
        if column.key in _BOOKKEEPING or isinstance(column.type, LargeBinary):
            continue
        default = column.default.arg if column.default is not None and column.default.is_scalar else None
        out.append((column.key, default))
    return tuple(out)


@functools.cache
def _column_defaults(table: Any) -> dict[str, Any]:
    """Every column's value when a new row leaves it out: its scalar default, else NULL."""
    return {column.key: column.default.arg if column.default is not None and column.default.is_scalar else None
            for column in table.columns}


def _with_defaults(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A new row with every column's scalar default filled in, as an ORM insert would write it."""
    return {**_column_defaults(table), **values}


_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def _json_default(value: Any) -> Any:
    # Enums are StrEnums and reach JSON as their value without this; dates and ids come here.
    return to_jsonable(value)


def _datetime_text(value: Any) -> Any:
    if value is None or type(value) is str:
        return value
    return value.astimezone(dt.UTC).strftime(_DATETIME_FORMAT)


def _converter(column: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy's SQLite types store a value of ``column`` (UUID hex, ISO dates, naive UTC, JSON text)."""
    from sqlalchemy import JSON, Boolean, Date, Uuid

    from placedesk.models.base import UTCDateTime

    kind = column.type
    if isinstance(kind, Uuid):
        return lambda v: None if v is None else v.hex
    if isinstance(kind, UTCDateTime):
        return _datetime_text
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, JSON):
        return lambda v: v if v is None or type(v) is str else json.dumps(v, default=_json_default)
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    # PlaceDesk's enums are StrEnums, which sqlite3 stores as their value; text and numbers go as they are.
    return None


@functools.cache
def _insert_plan(table: Any) -> tuple[list[str], Callable[[dict[str, Any]], tuple[Any, ...]],
                                      tuple[tuple[int, Callable[[Any], Any]], ...]]:
    names = [column.name for column in table.columns]
    keys = [column.key for column in table.columns]
    converters = tuple((index, convert) for index, column in enumerate(table.columns)
                       if (convert := _converter(column)) is not None)
    return names, operator.itemgetter(*keys), converters


def _bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany of stored values: SQLAlchemy's per-value bind processing would double the import's time.

    Every row has every column (see :func:`_with_defaults`); only the few typed ones are converted.
    """
    names, get, converters = _insert_plan(table)
    stored = []
    for row in rows:
        values = list(get(row))
        for index, convert in converters:
            values[index] = convert(values[index])
        stored.append(tuple(values))
    insert_rows(session.connection(), table.name, names, stored)


def insert_audited(session: Session, model: Any, rows: list[dict[str, Any]], *, officer: str) -> None:
    """Insert new ``model`` records (each with its ``id``) and their audit events, as the ORM and its hook would."""
    if not rows:
        return
    check_officer_named(session, officer)
    table = model.__table__
    now = _datetime_text(utcnow())
    full = [_with_defaults(table, {**row, "created_at": now, "updated_at": now, "version": 1}) for row in rows]
    audited = _audited_defaults(table)
    dumps = json.JSONEncoder(default=_json_default).encode
    event_defaults = _column_defaults(AuditEvent.__table__)
    events = [{
        **event_defaults, "id": uuid.uuid4(), "occurred_at": now, "created_at": now, "updated_at": now, "version": 1,
        "officer": officer, "entity": table.name, "entity_id": row["id"], "action": AuditAction.INSERT,
        "changes": dumps({key: {"after": default if row.get(key) is None else row[key]} for key, default in audited}),
    } for row in full]
    _bulk_insert(session, table, full)
    _bulk_insert(session, AuditEvent.__table__, events)


class RecordChange(NamedTuple):
    """A change to one known record: its id, the ``version`` it was read at, and its fields before and after."""

    record_id: uuid.UUID
    version: int
    before: dict[str, Any]
    after: dict[str, Any]


def update_audited(session: Session, model: Any, changes: list[RecordChange], *, officer: str) -> None:
    """Apply ``changes`` to ``model`` records, with the UPDATE audit events the hook would write.

    Rows setting the same columns share one ``executemany``; ``updated_at`` and
    the row ``version`` move on as the hook moves them. Each row is updated only
    if it still has the version it was read at, as the ORM's ``version_id_col``
    does: a record a colleague changed (or deleted) since is never overwritten.
    The first such record is reported as an :class:`~placedesk.errors.EditConflict`
    naming them, and the caller's transaction must roll back (nothing of the
    action is kept). Records of these ids already loaded in the session are
    expired, so they read the new values.
    """
    if not changes:
        return
    check_officer_named(session, officer)
    table = model.__table__
    moment = utcnow()
    now = _datetime_text(moment)
    connection = session.connection()
    sqlite = is_sqlite(connection)
    # PostgreSQL takes a boolean parameter as true/false, not SQLite's 1/0.
    converters = {column.key: _converter(column) if sqlite or not isinstance(column.type, Boolean) else None
                  for column in table.columns}
    audited = [key for key, _ in _audited_defaults(table)]
    dumps = json.JSONEncoder(default=_json_default).encode
    event_defaults = _column_defaults(AuditEvent.__table__)
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    events: list[dict[str, Any]] = []
    for record_id, version, before, after in changes:
        keys = tuple(sorted(after))
        values = [after[k] if converters[k] is None else converters[k](after[k]) for k in keys]  # type: ignore[misc]
        groups.setdefault(keys, []).append((*values, now, record_id.hex, version))
        diff = {k: {"before": before.get(k), "after": after[k]} for k in audited
                if k in after and before.get(k) != after[k]}
        if diff:
            events.append({
                **event_defaults, "id": uuid.uuid4(), "occurred_at": now, "created_at": now, "updated_at": now,
                "version": 1, "officer": officer, "entity": table.name, "entity_id": record_id,
                "action": AuditAction.UPDATE, "changes": dumps(diff)})
    ids = {change.record_id for change in changes}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and obj.id in ids:
            session.expire(obj)
    updated = 0
    for keys, rows in groups.items():
        sets = ", ".join(f'"{table.c[k].name}" = ?' for k in keys)
        result = connection.exec_driver_sql(driver_sql(
            connection, f'UPDATE "{table.name}" SET {sets}, "updated_at" = ?, "version" = "version" + 1 '
                        'WHERE "id" = ? AND "version" = ?'), rows)
        updated += result.rowcount
    if updated != len(changes):
        _refuse_changed_meanwhile(session, model, changes, moment)
    _bulk_insert(session, AuditEvent.__table__, events)


def _refuse_changed_meanwhile(session: Session, model: Any, changes: list[RecordChange], now: dt.datetime) -> None:
    """Name the first record a colleague changed or deleted after it was read (its UPDATE matched nothing)."""
    from sqlalchemy import select

    from placedesk.models.concurrency import conflict_after_stale

    table = model.__table__
    stored = {row.id: (row.version, row.updated_at) for row in session.execute(
        select(table.c.id, table.c.version, table.c.updated_at)
        .where(table.c.id.in_([change.record_id for change in changes])))}
    for change in changes:
        # This action's own row carries its version and its very timestamp; anything else is a colleague's.
        if stored.get(change.record_id) != (change.version + 1, now):
            conflict = conflict_after_stale(session, [(model, change.record_id, change.version, change.after)])
            if conflict is not None:
                raise conflict
    # rowcount is the one sign the driver gave: without a record to name, still nothing is kept.
    raise PlaceDeskError(f"Some {table.name.replace('_', ' ')} records changed while this action ran, so nothing "
                         "was saved. Do it again: it will start from what is stored now.")


__all__ = ["RecordChange", "insert_audited", "update_audited"]
