"""Importing a colleague's export bundle: verify everything first, then apply it in one go.

Order of work, so a bad bundle never changes the database:

1. open the bundle: the manifest, and no file it does not list;
2. check the signature over the manifest, and that the signer is trusted, in
   date, and the officer and laptop the manifest names;
3. stream every file once against its checksum and size;
4. then, a batch at a time (memory stays flat for the largest bundle): decode
   each record against the schema (re-checking each file as it streams),
   check audit events are the signer's and documents match their checksum,
   classify against the database and write. Any problem raises, and the
   caller's one transaction is rolled back, leaving the file as it was.

For each record from the other laptop:

- unknown id: inserted;
- same content: nothing to do (only a higher version number is taken);
- changed there and not here since we last synced with that laptop, with a
  higher version: updated;
- changed on both sides (the same version with different content, or our copy
  changed after the last point the two laptops agreed): a **conflict**. Our
  copy is left alone and a ``SyncConflict`` keeps both for the officer;
- an older version than ours that we have not touched since: left alone.

"The last point the two laptops agreed" is the later of: the creation time of
the newest bundle from that laptop applied here, and the time of the newest
bundle of ours it says (in its manifest) it had applied.

Records are written with Core statements and keep the version and times they
had on the other laptop (their audit events travel in the bundle with them).
Foreign keys are checked at the end of the import, so records may arrive in
any order within a table. Importing the same bundle again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Table

from placedesk.db.dialect import driver_sql, insert_rows, is_sqlite
from placedesk.errors import ChangedMeanwhile, ValidationError
from placedesk.migrations import SCHEMA_VERSION
from placedesk.models import SyncConflict, SyncRecord
from placedesk.models.enums import ExportStatus, SyncDirection
from placedesk.services.sync.bundle_format import BundleError, BundleReader, Progress, open_bundle
from placedesk.services.sync.bundle_signing import same_officer, spoken_fingerprint, verify_manifest_signature
from placedesk.services.sync.colleagues import TrustedSigner, TrustList
from placedesk.services.sync.bundle_records import (
    AUDIT_TABLE,
    BOOKKEEPING,
    DOCUMENT_TABLE,
    data_columns,
    encode_row,
    exported_tables,
    label_of,
    mapped_class,
    row_decoder,
    storage_rows,
    table_named,
)

# Ids or keys per IN (...) query: well under SQLite's limit of 32,766 bound values, few round trips.
_CHUNK = 5000


@dataclass
class ImportResult:
    """What an import did, per table, for the officer to see."""

    bundle_id: str
    laptop_id: str
    officer: str
    created_at: dt.datetime
    already_imported: bool = False
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    conflicts: int = 0
    documents: int = 0
    signer: str = ""
    fingerprint: str = ""

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())

    def summary(self) -> str:
        if self.already_imported:
            return "This bundle was imported before; nothing changed."
        parts = [f"{sum(self.inserted.values())} new", f"{sum(self.updated.values())} updated",
                 f"{self.unchanged} unchanged"]
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict(s) to resolve in File › Sync conflicts")
        return "Imported: " + ", ".join(parts) + "."


@dataclass
class _Decoded:
    table: Table
    records: list[dict[str, Any]]


# Records are read, checked and written this many at a time, so memory stays flat however
# large the bundle; a table whose records refer to each other is taken whole (parents first).
_BATCH = 5000


def _record_members(bundle: BundleReader) -> list[tuple[Table, str]]:
    """The bundle's record files in the order tables must be written; an unknown table is refused."""
    by_name: dict[str, str] = {}
    for entry in bundle.manifest.files:
        if entry.path.startswith("records/"):
            name = entry.path[len("records/"):].rsplit(".", 1)[0]
            if name in by_name:
                raise BundleError(f"The bundle holds the records of {name} twice. It was rejected; nothing was imported.")
            table_named(name)
            by_name[name] = entry.path
    return [(t, by_name[t.name]) for t in exported_tables() if t.name in by_name]


def _self_referencing(table: Table) -> bool:
    return any(fk.column.table is table for fk in table.foreign_keys)


def _json_value(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"{where} in the bundle is not valid JSON ({str(exc)[:80]}). It was rejected; "
                          "nothing was imported.") from None


def _columns_of(header: Any, name: str, path: str) -> list[str]:
    columns = header.get("columns") if isinstance(header, dict) else None
    if (not isinstance(header, dict) or header.get("table") != name or not isinstance(columns, list)
            or not all(isinstance(c, str) for c in columns) or len(set(columns)) != len(columns)):
        raise BundleError(f"{path} in the bundle is malformed. It was rejected; nothing was imported.")
    return columns


def _rows(bundle: BundleReader, table: Table, path: str) -> Iterator[Callable[[], Iterator[tuple[int, Any]]]]:
    """Open one records file: yields once a function giving (row number, decoded row), streamed."""
    with bundle.member(path) as stream:
        if path.endswith(".json"):
            # Format 1: one JSON document, columns once and then rows.
            payload = _json_value(stream.read_all(), path)
            columns = _columns_of(payload, table.name, path)
            rows = payload.get("rows")
            if not isinstance(rows, list):
                raise BundleError(f"{path} in the bundle is malformed. It was rejected; nothing was imported.")
            decode = row_decoder(table, columns, path)
            yield lambda: ((i + 1, decode(row, i + 1)) for i, row in enumerate(rows))
            return
        lines = stream.lines()
        header = next(lines, None)
        columns = _columns_of(_json_value(header or b"", f"The first line of {path}"), table.name, path)
        decode = row_decoder(table, columns, path)
        yield lambda: ((i + 1, decode(_json_value(line, f"Record {i + 1} in {path}"), i + 1))
                       for i, line in enumerate(lines))


def _batches(bundle: BundleReader, table: Table, path: str) -> Iterator[list[dict[str, Any]]]:
    """Decoded, checked records of one file, a batch at a time (the whole table if it refers to itself)."""
    size = sys.maxsize if _self_referencing(table) else _BATCH
    seen: set[int] = set()
    batch: list[dict[str, Any]] = []
    count = 0
    for records in _rows(bundle, table, path):
        for _, record in records():
            key = record["id"].int
            if key in seen:
                raise BundleError(f"{path} in the bundle holds the same record twice. It was rejected; "
                                  "nothing was imported.")
            seen.add(key)
            batch.append(record)
            count += 1
            if len(batch) >= size:
                yield batch
                batch = []
    declared = bundle.manifest.record_counts.get(table.name)
    if declared is not None and declared != count:
        raise BundleError(f"{path} holds {count} records but the manifest says {declared}. "
                          "It was rejected; nothing was imported.")
    if batch:
        yield batch


def _attach_content(bundle: BundleReader, record: dict[str, Any]) -> None:
    sha = record["sha256"]
    for ext in ("pdf", "bin"):
        path = f"documents/{sha}.{ext}"
        if bundle.manifest.file(path) is not None:
            content = bundle.read_member(path)
            break
    else:
        raise BundleError(f"The bundle is missing the document file for {record['filename']!r}. "
                          "It was rejected; nothing was imported.")
    if hashlib.sha256(content).hexdigest() != sha or len(content) != record["size"]:
        raise BundleError(f"The document {record['filename']!r} in the bundle does not match its recorded checksum. "
                          "It was rejected; nothing was imported.")
    record["content"] = content


def _attribute_events(records: list[dict[str, Any]], signer: TrustedSigner, bundle_id: str) -> None:
    """Audit events in a bundle are the signer's own: one claiming another officer is refused."""
    for record in records:
        claimed = record["officer"]
        if claimed and not same_officer(claimed, signer.name):
            raise BundleError(
                f"The bundle holds an audit event recorded as made by {claimed!r}, but the bundle is signed by "
                f"{signer.name} (fingerprint {spoken_fingerprint(signer.fingerprint)}). Only the signer's own "
                "actions may travel in their bundle. It was rejected; nothing was imported.")
        record["signer_fingerprint"] = signer.fingerprint
        record["received_bundle_id"] = bundle_id


def _sync_point(session: Session, laptop_id: str, own_laptop_id: str, bundle: BundleReader) -> dt.datetime | None:
    ours = session.scalar(
        select(func.max(SyncRecord.bundle_created_at)).where(
            SyncRecord.direction == SyncDirection.IMPORT, SyncRecord.laptop_id == laptop_id)
    )
    theirs = bundle.manifest.seen.get(own_laptop_id)
    points = [p for p in (ours, theirs) if p is not None]
    return max(points) if points else None


def _local_rows(session: Session, table: Table, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    columns = [c for c in table.columns if c.name != "content"]
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in session.execute(select(*columns).where(table.c.id.in_(chunk))).mappings():
            found[row["id"]] = dict(row)
    return found


def _same_content(columns: list[str], local: dict[str, Any], remote: dict[str, Any]) -> bool:
    # Both sides are decoded Python values (UUIDs, dates, enum members), so they compare directly.
    for column in columns:
        if local[column] != remote[column]:
            return False
    return True


def _open_conflicts(session: Session, table: Table, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SyncConflict]:
    id_list = list(ids)
    out: dict[uuid.UUID, SyncConflict] = {}
    for start in range(0, len(id_list), _CHUNK):
        chunk = id_list[start:start + _CHUNK]
        for conflict in session.scalars(select(SyncConflict).where(
                SyncConflict.entity == table.name, SyncConflict.entity_id.in_(chunk),
                SyncConflict.resolution.is_(None))):
            out[conflict.entity_id] = conflict
    return out


def _unique_keys(table: Table) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        cols = tuple(c.name for c in getattr(constraint, "columns", []))
        if cols and cols != ("id",) and type(constraint).__name__ == "UniqueConstraint":
            keys.append(cols)
    for column in table.columns:
        if column.unique and (column.name,) not in keys:
            keys.append((column.name,))
    return keys


def _check_unique_clashes(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[str]:
    """Incoming rows whose unique key (a ref, URN or code) is held here by a different record."""
    problems: list[str] = []
    for key in _unique_keys(table):
        wanted = {tuple(r[c] for c in key): r for r in rows if all(r[c] is not None for c in key)}
        if not wanted:
            continue
        incoming_ids = {r["id"] for r in rows}
        # One query per few thousand incoming rows, looking up whole keys through their unique index
        # ((a, b) IN (VALUES ...) for a key of several columns); a query per record, or one per key
        # column, would make a large import take many minutes.
        columns = [table.c[c] for c in key]
        target = columns[0] if len(key) == 1 else tuple_(*columns)
        keys = [k[0] for k in wanted] if len(key) == 1 else list(wanted)
        step = max(1, _CHUNK // len(key))
        for start in range(0, len(keys), step):
            chunk = keys[start:start + step]
            for row in session.execute(select(table.c.id, *columns).where(target.in_(chunk))):
                remote = wanted.get(tuple(row[1:]))
                if remote is None or row[0] == remote["id"] or row[0] in incoming_ids:
                    continue
                shown = repr(row[1]) if len(key) == 1 else label_of(remote)
                problems.append(f"{table.name} {'/'.join(key)} {shown} is already used here by a different record")
    return problems


def _record_conflict(session: Session, table: Table, local: dict[str, Any], remote: dict[str, Any],
                     existing: SyncConflict | None, bundle_id: str) -> None:
    # Both sides in the same JSON form, so the conflicts list compares like with like.
    local_data = encode_row(table, local)
    remote_raw = encode_row(table, remote)
    if existing is not None:
        if int(remote_raw.get("version", 0)) >= int(existing.remote_data.get("version", 0)):
            existing.remote_data = remote_raw
            existing.bundle_id = bundle_id
        return
    session.add(SyncConflict(entity=table.name, entity_id=local["id"], bundle_id=bundle_id,
                             local_data=local_data, remote_data=remote_raw))


def import_bundle(
    session: Session,
    path: Path,
    *,
    own_laptop_id: str,
    trust: TrustList,
    now: dt.datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the signer and every file of the bundle at ``path`` (folder or zip), then apply it in the caller's transaction.

    The signer must be on ``trust`` and name the manifest's officer and laptop; a
    laptop seen for the first time is bound to the signer in ``trust`` (save it
    once the transaction is committed). Any problem raises :class:`BundleError`
    and, the transaction being rolled back, leaves the database as it was.
    """
    if now.tzinfo is None:
        raise ValidationError("The import time must be in UTC.", field="now")
    with open_bundle(Path(path), schema_version=SCHEMA_VERSION) as bundle:
        manifest = bundle.manifest
        if manifest.laptop_id == own_laptop_id:
            raise BundleError(f"This bundle was exported from this laptop (id {own_laptop_id}), so there is nothing "
                              "in it to import. Import bundles from colleagues' laptops.")
        # Who signed it comes first: nothing of an unsigned, altered or untrusted bundle is read further.
        signature = verify_manifest_signature(bundle.manifest_bytes, bundle.signature)
        signer = trust.check(signature, manifest, now=now)
        members = _record_members(bundle)
        bundle.verify_files()
        result = ImportResult(manifest.bundle_id, manifest.laptop_id, manifest.officer, manifest.created_at,
                              signer=signer.name, fingerprint=signer.fingerprint)
        already = session.scalar(select(SyncRecord.id).where(
            SyncRecord.direction == SyncDirection.IMPORT, SyncRecord.bundle_id == manifest.bundle_id).limit(1))
        if already is not None:
            result.already_imported = True
            return result
        sync_point = _sync_point(session, manifest.laptop_id, own_laptop_id, bundle)
        _apply(session, bundle, members, signer, sync_point, result, progress)
        session.add(SyncRecord(
            direction=SyncDirection.IMPORT, bundle_id=manifest.bundle_id, laptop_id=manifest.laptop_id,
            officer=manifest.officer, path=str(bundle.source), status=ExportStatus.APPLIED,
            since=manifest.since, record_count=result.changed, bundle_created_at=manifest.created_at,
            created_at=now, updated_at=now, version=1, signer_fingerprint=signer.fingerprint,
        ))
        session.flush()
    trust.bind(manifest.laptop_id, signer.fingerprint)
    return result


def _apply(session: Session, bundle: BundleReader, members: list[tuple[Table, str]], signer: TrustedSigner,
           sync_point: dt.datetime | None, result: ImportResult, progress: Progress | None) -> None:
    """Read, check, classify and write every record, a batch at a time, in the caller's transaction."""
    manifest = bundle.manifest
    total = sum(manifest.record_counts.values()) or 1
    done = 0
    remapped: dict[str, dict[uuid.UUID, uuid.UUID]] = {}
    previous = session.info.get("preserve_versions")
    session.info["preserve_versions"] = True
    try:
        session.flush()
        for table, member in members:
            key_columns = {c for key in _unique_keys(table) for c in key}
            # A table empty before this import (a new laptop's) holds nothing to compare with or clash
            # with: every record is new, and two records of the bundle sharing a key are caught by the
            # unique index itself.
            was_empty = session.connection().exec_driver_sql(
                f"SELECT 1 FROM {_quoted(table.name)} LIMIT 1").first() is None
            for records in _batches(bundle, table, member):
                if table.name == AUDIT_TABLE:
                    _attribute_events(records, signer, manifest.bundle_id)
                elif table.name == DOCUMENT_TABLE:
                    for record in records:
                        _attach_content(bundle, record)
                # Always: a record here may refer to a parent that took a local id earlier in this import.
                _adopt_local_identities(session, table, records, remapped)
                if was_empty:
                    _write(session, table, records, [], result, read_versions={})
                    done += len(records)
                    if progress:
                        progress(min(done, total), total)
                    continue
                inserts, updates, local_rows = _classify(session, _Decoded(table, records), sync_point,
                                                         manifest.bundle_id, result)
                # An update that keeps its ref, URN or code cannot clash with anything new.
                rekeyed = [u for u in updates if any(u[c] != local_rows[u["id"]][c] for c in key_columns)]
                clashes = _check_unique_clashes(session, table, inserts + rekeyed)
                if clashes:
                    raise BundleError("The bundle could not be imported because some of its records clash with "
                                      "different records here: " + "; ".join(clashes[:5])
                                      + (" …" if len(clashes) > 5 else "") + ". Nothing was imported; ask the "
                                      "colleague which is right, correct one of them, and export again.")
                _write(session, table, inserts, updates, result,
                       read_versions={u["id"]: local_rows[u["id"]]["version"] for u in updates})
                done += len(records)
                if progress:
                    progress(min(done, total), total)
    except IntegrityError as exc:
        if "FOREIGN KEY" in str(exc.orig).upper():
            raise BundleError("The bundle could not be imported: some of its records refer to records this database "
                              "does not have. Import the colleague's earlier bundles first, or ask them for a full "
                              "export. Nothing was imported.") from None
        raise BundleError(f"The bundle's records could not be stored here ({str(exc.orig)[:200]}). "
                          "Nothing was imported.") from None
    finally:
        session.info["preserve_versions"] = previous


def _write(session: Session, table: Table, inserts: list[dict[str, Any]], updates: list[dict[str, Any]],
           result: ImportResult, *, read_versions: dict[uuid.UUID, int]) -> None:
    """Insert new records and update known ones, each update only over the version ``read_versions`` holds for it.

    On the team server a colleague may save a record between this import
    reading it (to compare) and writing it; the ``WHERE version`` then matches
    nothing, and the import is refused whole rather than overwrite their change.
    """
    connection = session.connection()
    if inserts:
        columns = [c.name for c in table.columns]
        insert_rows(connection, table.name, columns, storage_rows(table, columns, _parents_first(table, inserts)))
        result.inserted[table.name] = result.inserted.get(table.name, 0) + len(inserts)
    if updates:
        columns = [c.name for c in table.columns if c.name != "id" and (table.name == DOCUMENT_TABLE
                                                                          or c.name != "content")]
        sql = (f"UPDATE {_quoted(table.name)} SET {', '.join(_quoted(c) + ' = ?' for c in columns)} "
               "WHERE id = ? AND version = ?")
        rows = storage_rows(table, [*columns, "id"], updates, sqlite=is_sqlite(connection))
        written = connection.exec_driver_sql(driver_sql(connection, sql), [
            (*row, read_versions[update["id"]]) for row, update in zip(rows, updates, strict=True)]).rowcount
        if written != len(updates):
            _refuse_changed_meanwhile(session, table, updates, read_versions)
        result.updated[table.name] = result.updated.get(table.name, 0) + len(updates)
    if table.name == DOCUMENT_TABLE:
        result.documents += len(inserts) + len(updates)


def _same_moment(stored: dt.datetime | None, sent: dt.datetime | None) -> bool:
    def utc(value: dt.datetime | None) -> dt.datetime | None:
        return value if value is None or value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)

    return utc(stored) == utc(sent)


def _refuse_changed_meanwhile(session: Session, table: Table, updates: list[dict[str, Any]],
                              read_versions: dict[uuid.UUID, int]) -> None:
    """Name the record a colleague saved (or deleted) after this import read it: its UPDATE matched nothing."""
    from placedesk.models.concurrency import conflict_after_stale

    stored = {row.id: (row.version, row.updated_at) for row in session.execute(
        select(table.c.id, table.c.version, table.c.updated_at)
        .where(table.c.id.in_([update["id"] for update in updates])))}
    for update in updates:
        # This import's own row carries the bundle's version and time; anything else is a colleague's.
        version, updated_at = stored.get(update["id"], (None, None))
        if version == update["version"] and _same_moment(updated_at, update["updated_at"]):
            continue
        cls = mapped_class(table.name)
        changed = {c: update[c] for c in data_columns(table) if c not in ("id", *BOOKKEEPING)}
        conflict = conflict_after_stale(session, [(cls, update["id"], read_versions[update["id"]], changed)])
        if conflict is not None:
            raise ChangedMeanwhile(conflict, f"the {conflict.record_label} {label_of(update)} here", "this import",
                                   "Nothing of the bundle was imported: import it again (the next pick-up does), "
                                   "and their change is compared with the bundle's as usual.")
    raise BundleError(f"Some {table.name.replace('_', ' ')} records here changed while this bundle was being "
                      "imported, so nothing of it was imported. Import it again: the next pick-up does.")


def _classify(session: Session, item: _Decoded, sync_point: dt.datetime | None, bundle_id: str,
              result: ImportResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[uuid.UUID, dict[str, Any]]]:
    table = item.table
    ids = [r["id"] for r in item.records]
    local_rows = _local_rows(session, table, ids)
    immutable = table.name == AUDIT_TABLE
    conflicts_open = {} if immutable else _open_conflicts(session, table, local_rows.keys())
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    columns = data_columns(table)
    for remote in item.records:
        local = local_rows.get(remote["id"])
        if local is None:
            inserts.append(remote)
            continue
        if immutable:
            result.unchanged += 1
            continue
        existing = conflicts_open.get(remote["id"])
        same = _same_content(columns, local, remote)
        if existing is None and same:
            if remote["version"] > local["version"]:
                updates.append(remote)
            else:
                result.unchanged += 1
            continue
        changed_here = sync_point is None or local["updated_at"] > sync_point
        # Documents are written once and never edited, so the later version simply wins.
        if table.name != DOCUMENT_TABLE and (
                existing is not None or remote["version"] == local["version"] or changed_here):
            _record_conflict(session, table, local, remote, existing, bundle_id)
            result.conflicts += 1
        elif remote["version"] > local["version"]:
            updates.append(remote)
        else:
            result.unchanged += 1
    return inserts, updates, local_rows


# Records that each laptop may create on its own for the same real thing: the same KPI
# from the default set, the same Ofsted-registered provider imported from Ofsted's list.
# An incoming one is taken to be ours when this key matches, instead of clashing.
NATURAL_KEYS: dict[str, str] = {"kpi_definition": "code", "star_scale": "name", "provider": "urn"}


def _adopt_local_identities(session: Session, table: Table, records: list[dict[str, Any]],
                            remapped: dict[str, dict[uuid.UUID, uuid.UUID]]) -> None:
    """Give incoming records the local id of the same real thing, and repoint references to them.

    ``remapped`` carries the ids changed so far from table to table (parents come first).
    """
    key = NATURAL_KEYS.get(table.name)
    if key is not None:
        by_key = {r[key]: r for r in records if r[key]}
        local: dict[Any, uuid.UUID] = {}
        values = list(by_key)
        for start in range(0, len(values), _CHUNK):
            for row in session.execute(select(table.c[key], table.c.id).where(
                    table.c[key].in_(values[start:start + _CHUNK]))):
                local[row[0]] = row[1]
        mapping = remapped.setdefault(table.name, {})
        for value, record in by_key.items():
            local_id = local.get(value)
            if local_id is not None and local_id != record["id"]:
                mapping[record["id"]] = local_id
                record["id"] = local_id
    for fk in table.foreign_keys:
        fk_mapping = remapped.get(fk.column.table.name)
        if not fk_mapping:
            continue
        for record in records:
            target = record.get(fk.parent.name)
            if target in fk_mapping:
                record[fk.parent.name] = fk_mapping[target]


def _quoted(name: str) -> str:
    # Table and column names come from our own metadata, never from the bundle.
    return f'"{name}"'


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order rows so one that refers to another row of the same table comes after it (foreign keys are checked per row)."""
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not self_refs:
        return rows
    pending = {r["id"]: r for r in rows}
    ordered: list[dict[str, Any]] = []
    while pending:
        ready = [r for r in pending.values() if all(r[c] is None or r[c] not in pending or r[c] == r["id"]
                                                    for c in self_refs)]
        if not ready:
            ordered.extend(pending.values())
            break
        for r in ready:
            ordered.append(r)
            del pending[r["id"]]
    return ordered


def conflict_columns(table_name: str) -> list[str]:
    """The columns shown side by side for a conflict on ``table_name`` (bookkeeping last)."""
    table = table_named(table_name)
    return data_columns(table) + [c for c in BOOKKEEPING]
