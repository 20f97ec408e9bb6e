"""Export bundles: the records changed since the last export, their PDFs and audit events.

One read transaction sees a consistent database; the export's "as of" time is
taken before reading, so anything changed while it runs goes in the next
bundle. The bundle is written by :class:`BundleWriter` (manifest last, then
one rename), and a ``SyncRecord`` remembers it so the next export starts
where this one ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from placedesk.db.dialect import driver_sql, is_sqlite
from placedesk import __version__
from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.migrations import SCHEMA_VERSION
from placedesk.models import AuditEvent, StoredDocument, SyncRecord
from placedesk.models.enums import ExportStatus, SyncDirection
from placedesk.services.sync.bundle_format import (
    BundleError,
    BundleWriter,
    Manifest,
    Progress,
    bundle_name,
)
from placedesk.services.sync.bundle_signing import BundleSigner, same_officer, sign_manifest
from placedesk.services.sync.bundle_records import (
    AUDIT_TABLE,
    DOCUMENT_TABLE,
    LOCAL_TABLES,
    exported_tables,
    json_line,
    json_line_select,
    stored_datetime,
)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    bundle_id: str
    path: Path
    created_at: dt.datetime
    since: dt.datetime | None
    record_count: int
    document_count: int
    counts: dict[str, int]


SHARE, FOLDER = "share", "folder"


def last_export_time(session: Session, channel: str = FOLDER, *, laptop_id: str | None = None
                     ) -> dt.datetime | None:
    """When the last export of this kind was taken (its "as of" time); None before the first.

    Exports through the shared folder and exports to a chosen folder each follow
    their own chain, so neither leaves a gap in the other. On the team server
    each officer's exports follow their own chain too (``laptop_id``, the sync id
    naming them): a colleague's export leaves no gap in theirs.
    """
    query = select(func.max(SyncRecord.created_at)).where(SyncRecord.direction == SyncDirection.EXPORT,
                                                          SyncRecord.channel == channel)
    if laptop_id is not None:
        query = query.where(SyncRecord.laptop_id == laptop_id)
    return session.scalar(query)


def changes_since_last_export(session: Session, channel: str = SHARE, *, laptop_id: str | None = None) -> int:
    """How many records a new export would carry (0 means there is nothing to send).

    ``laptop_id`` follows one officer's chain on the team server (see :func:`last_export_time`).
    """
    since = last_export_time(session, channel, laptop_id=laptop_id)
    total = 0
    for table in exported_tables():
        if table.name == AUDIT_TABLE:
            continue
        query = select(func.count()).select_from(table)
        if since is not None:
            query = query.where(table.c.updated_at > since)
        total += int(session.scalar(query) or 0)
    return total


def seen_by_us(session: Session) -> dict[str, dt.datetime]:
    """Per other laptop, the creation time of the newest bundle of theirs applied here."""
    rows = session.execute(
        select(SyncRecord.laptop_id, func.max(SyncRecord.bundle_created_at))
        .where(SyncRecord.direction == SyncDirection.IMPORT, SyncRecord.bundle_created_at.is_not(None))
        .group_by(SyncRecord.laptop_id)
    ).all()
    return {laptop: when for laptop, when in rows if laptop and when is not None}


def _doc_path(sha256: str, media_type: str) -> str:
    return f"documents/{sha256}.{'pdf' if media_type == 'application/pdf' else 'bin'}"


def export_bundle(
    session: Session,
    target_dir: Path,
    *,
    laptop_id: str,
    signer: BundleSigner,
    now: dt.datetime,
    since: dt.datetime | None = None,
    full: bool = False,
    as_zip: bool = False,
    status: ExportStatus = ExportStatus.DELIVERED,
    channel: str = FOLDER,
    progress: Progress | None = None,
    shared_database: bool = False,
) -> ExportResult:
    """Write a bundle of records changed since ``since`` (default: since the last export) into ``target_dir``.

    ``full`` exports everything. The manifest names ``signer``'s officer and is
    signed with their key. Returns where the bundle went; records the export so
    the next one of the same ``channel`` continues from ``now``.

    ``shared_database`` is for the team server, where colleagues work directly:
    the export continues from this officer's own last one (``laptop_id`` is
    their sync id there), and of the audit trail only the signer's own events
    travel (a bundle vouches that its signer made every event in it);
    colleagues' events stay on the server with their records.
    """
    if now.tzinfo is None:
        raise ValidationError("The export time must be in UTC.", field="now")
    target_dir = Path(target_dir)
    if target_dir.exists() and not target_dir.is_dir():
        raise ValidationError(f"{target_dir} is a file; choose a folder to export into.", field="to")
    if since is not None and since.tzinfo is None:
        raise ValidationError("The 'since' time must be in UTC.", field="since")
    if full:
        since = None
    elif since is None:
        since = last_export_time(session, channel, laptop_id=laptop_id if shared_database else None)
    officer = signer.name
    events_of = _officers_events(session, officer) if shared_database else None
    if events_of is None:
        _check_events_are_the_signers(session, officer, since)
    bundle_id = uuid.uuid4().hex
    name = bundle_name(laptop_id, now, bundle_id) + (".zip" if as_zip else "")
    try:
        writer = BundleWriter(target_dir / name, as_zip)
    except OSError as exc:
        raise PlaceDeskError(f"Could not write to {target_dir} ({exc.strerror or exc}). Check the folder exists "
                             "and you may write to it.") from None
    counts: dict[str, int] = {}
    documents = 0
    try:
        tables = exported_tables()
        connection = session.connection()
        for index, table in enumerate(tables):
            count = _write_table(connection, writer, table, since, events_of)
            if count:
                counts[table.name] = count
                if table.name == DOCUMENT_TABLE:
                    documents = _write_documents(connection, writer, since)
            if progress:
                progress(index + 1, len(tables) + 1)
        manifest = Manifest(
            bundle_id=bundle_id,
            placedesk_version=__version__,
            schema_version=SCHEMA_VERSION,
            officer=officer,
            laptop_id=laptop_id,
            created_at=now,
            since=since,
            files=tuple(writer.entries),
            record_counts=counts,
            seen=seen_by_us(session),
        )
        path = writer.finish(manifest, lambda data: sign_manifest(signer, data))
    except OSError as exc:
        writer.abort()
        raise PlaceDeskError(f"The bundle could not be written to {target_dir} ({exc.strerror or exc}). "
                             "Nothing was left half-written; check the folder and space, then try again.") from None
    except BaseException:
        writer.abort()
        raise
    total = sum(counts.values())
    session.add(SyncRecord(
        direction=SyncDirection.EXPORT, bundle_id=bundle_id, laptop_id=laptop_id, officer=officer,
        path=str(path), status=status, since=since, record_count=total,
        delivered_at=now if status is ExportStatus.DELIVERED else None, created_at=now, channel=channel,
    ))
    session.flush()
    if progress:
        progress(len(exported_tables()) + 1, len(exported_tables()) + 1)
    return ExportResult(bundle_id, path, now, since, total, documents, counts)


_FETCH = 5000


def _check_events_are_the_signers(session: Session, officer: str, since: dt.datetime | None) -> None:
    """Refuse to sign audit events naming another officer: colleagues' PlaceDesk would refuse them."""
    local = sorted(LOCAL_TABLES)
    sql = ("SELECT DISTINCT officer FROM audit_event WHERE received_bundle_id IS NULL AND officer != '' "
           f"AND entity NOT IN ({', '.join('?' for _ in local)})" + (" AND updated_at > ?" if since is not None else ""))
    params = (*local, *((stored_datetime(since),) if since is not None else ()))
    conn = session.connection()
    others = [name for (name,) in conn.exec_driver_sql(driver_sql(conn, sql), params) if not same_officer(name, officer)]
    if others:
        raise PlaceDeskError(
            f"Changes on this laptop are recorded as made by {', '.join(repr(n) for n in others[:3])}, but your "
            f"signing identity is {officer!r}. A bundle vouches that its signer made every change in it, so "
            "colleagues would refuse it. Use the signing identity of the officer who made the changes (your "
            "officer name in settings and your certificate's name must match).")


def _officers_events(session: Session, officer: str) -> list[str]:
    """The names under which ``officer``'s own events are recorded (spellings ``same_officer`` takes as theirs)."""
    names = session.scalars(select(AuditEvent.officer).distinct().where(AuditEvent.received_bundle_id.is_(None)))
    return [name for name in names if name == "" or same_officer(name, officer)]


def _select_sql(table: Table, columns: list[str], since: dt.datetime | None,
                expressions: list[str] | None = None, events_of: list[str] | None = None) -> tuple[str, list[Any]]:
    # Names come from our own metadata; values are bound.
    selected = ", ".join(expressions or [f'"{c}"' for c in columns])
    sql = f'SELECT {selected} FROM "{table.name}"'
    clauses: list[str] = []
    params: list[Any] = []
    if since is not None:
        clauses.append("updated_at > ?")
        params.append(stored_datetime(since))
    if table.name == AUDIT_TABLE:
        # Conflict bookkeeping stays on this laptop, and so does its trail. Events received from
        # colleagues stay too: each officer's events travel only in bundles their own key signs.
        local = sorted(LOCAL_TABLES)
        clauses.append(f"entity NOT IN ({', '.join('?' for _ in local)}) AND received_bundle_id IS NULL")
        params.extend(local)
        if events_of is not None:
            # On the team server: only the signer's own events (see export_bundle's shared_database).
            clauses.append(f"officer IN ({', '.join('?' for _ in events_of)})" if events_of else "1 = 0")
            params.extend(events_of)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return sql, params


def _write_table(connection: Connection, writer: BundleWriter, table: Table, since: dt.datetime | None,
                 events_of: list[str] | None = None) -> int:
    """Stream one table's changed rows into ``records/<table>.jsonl``; returns how many.

    A header line names the columns, then each record is one line: a JSON array that
    SQLite builds itself (see ``bundle_records``), so a full export of a large file
    stays close to ``.dump`` and neither side ever holds a whole table.
    """
    columns, expressions, reals = json_line_select(table, sqlite=is_sqlite(connection))
    sql, params = _select_sql(table, columns, since, expressions, events_of)
    sql = driver_sql(connection, sql)
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    count = 0
    member = None
    write = None
    try:
        cursor.execute(sql, params)
        while True:
            rows: list[Any] = cursor.fetchmany(_FETCH)
            if not rows:
                break
            if member is None:
                member = writer.member(f"records/{table.name}.jsonl")
                write = member.__enter__()
                write(json.dumps({"table": table.name, "columns": columns}, separators=(",", ":")).encode("utf-8")
                      + b"\n")
            assert write is not None
            lines = [row[0] for row in rows] if not reals else [json_line(row) for row in rows]
            write(("\n".join(lines) + "\n").encode("utf-8"))
            count += len(rows)
        if member is not None:
            member.__exit__(None, None, None)
            member = None
    finally:
        cursor.close()
        if member is not None:
            member.__exit__(BundleError, BundleError("aborted"), None)
    return count


def _write_documents(connection: Connection, writer: BundleWriter, since: dt.datetime | None) -> int:
    table = StoredDocument.__table__
    sql, params = _select_sql(table, ["id", "filename", "sha256", "media_type"], since)  # type: ignore[arg-type]
    written: set[str] = set()
    for doc_id, filename, sha, media_type in connection.exec_driver_sql(driver_sql(connection, sql),
                                                                        tuple(params)).fetchall():
        path = _doc_path(sha, media_type)
        if path in written:
            continue
        row = connection.exec_driver_sql(driver_sql(connection, 'SELECT content FROM "stored_document" WHERE id = ?'),
                                         (doc_id,)).fetchone()
        content = row[0] if row else None
        if content is None or hashlib.sha256(content).hexdigest() != sha:
            raise PlaceDeskError(
                f"The stored document {filename} no longer matches the checksum recorded when it was made, "
                "so it was not exported. Run 'placedesk check' and restore it from a backup."
            )
        writer.add(path, bytes(content))
        written.add(path)
    return len(written)
