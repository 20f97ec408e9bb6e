"""Importing a colleague's export bundle: verify everything first, then apply it in one go.

Order of work, so a bad bundle never changes the database:

1. read and verify the bundle (manifest, every checksum and size);
2. decode every record against the schema, and check each stored document's bytes;
3. only then read the database, classify each record, and write.

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
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Table

from placedesk.errors import ValidationError
from placedesk.migrations import SCHEMA_VERSION
from placedesk.models import SyncConflict, SyncRecord
from placedesk.models.enums import ExportStatus, SyncDirection
from placedesk.services.sync.bundle_format import BundleError, Progress, VerifiedBundle, read_bundle
from placedesk.services.sync.bundle_records import (
    AUDIT_TABLE,
    BOOKKEEPING,
    DOCUMENT_TABLE,
    data_columns,
    decode_record,
    encode_row,
    exported_tables,
    label_of,
    storage_rows,
    table_named,
)

_CHUNK = 500


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


def _decode_bundle(bundle: VerifiedBundle) -> list[_Decoded]:
    """Every record of the bundle decoded and checked, in the order tables must be written."""
    by_table: dict[str, _Decoded] = {}
    for path, data in bundle.files.items():
        if not path.startswith("records/"):
            continue
        name = path[len("records/"):-len(".json")]
        table = table_named(name)
        try:
            payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BundleError(f"{path} in the bundle is not valid JSON ({exc}). It was rejected; nothing was imported.") from None
        raw = _rows_as_records(payload, name, path)
        records = [decode_record(table, r, f"Record {i + 1} in {path}") for i, r in enumerate(raw)]
        ids = {r["id"] for r in records}
        if len(ids) != len(records):
            raise BundleError(f"{path} in the bundle holds the same record twice. It was rejected; nothing was imported.")
        declared = bundle.manifest.record_counts.get(name)
        if declared is not None and declared != len(records):
            raise BundleError(f"{path} holds {len(records)} records but the manifest says {declared}. "
                              "It was rejected; nothing was imported.")
        by_table[name] = _Decoded(table, records)
    for decoded in by_table.values():
        if decoded.table.name == DOCUMENT_TABLE:
            for record in decoded.records:
                _attach_content(bundle, record)
    return [by_table[t.name] for t in exported_tables() if t.name in by_table]


def _rows_as_records(payload: Any, name: str, path: str) -> list[dict[str, Any]]:
    """The columnar file (``columns`` once, then ``rows``) as one mapping per record."""
    malformed = BundleError(f"{path} in the bundle is malformed. It was rejected; nothing was imported.")
    if not isinstance(payload, dict) or payload.get("table") != name:
        raise malformed
    columns, rows = payload.get("columns"), payload.get("rows")
    if (not isinstance(columns, list) or not all(isinstance(c, str) for c in columns)
            or len(set(columns)) != len(columns) or not isinstance(rows, list)):
        raise malformed
    width = len(columns)
    records: list[dict[str, Any]] = []
    for row in rows:
        if not isinstance(row, list) or len(row) != width:
            raise malformed
        records.append(dict(zip(columns, row)))
    return records


def _attach_content(bundle: VerifiedBundle, record: dict[str, Any]) -> None:
    sha = record["sha256"]
    for ext in ("pdf", "bin"):
        content = bundle.files.get(f"documents/{sha}.{ext}")
        if content is not None:
            break
    else:
        raise BundleError(f"The bundle is missing the document file for {record['filename']!r}. "
                          "It was rejected; nothing was imported.")
    if hashlib.sha256(content).hexdigest() != sha or len(content) != record["size"]:
        raise BundleError(f"The document {record['filename']!r} in the bundle does not match its recorded checksum. "
                          "It was rejected; nothing was imported.")
    record["content"] = content


def _sync_point(session: Session, laptop_id: str, own_laptop_id: str, bundle: VerifiedBundle) -> dt.datetime | None:
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
        if len(key) == 1:
            col = table.c[key[0]]
            values = [k[0] for k in wanted]
            for start in range(0, len(values), _CHUNK):
                chunk = values[start:start + _CHUNK]
                for row in session.execute(select(table.c.id, col).where(col.in_(chunk))):
                    remote = wanted[(row[1],)]
                    if row[0] != remote["id"] and row[0] not in incoming_ids:
                        problems.append(f"{table.name} {key[0]} {row[1]!r} is already used here by a different record")
        else:
            for values, remote in wanted.items():
                clause = [table.c[c] == v for c, v in zip(key, values)]
                other = session.scalar(select(table.c.id).where(*clause))
                if other is not None and other != remote["id"] and other not in incoming_ids:
                    problems.append(f"{table.name} {'/'.join(key)} {label_of(remote)} is already used here by a "
                                    "different record")
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
    now: dt.datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Verify and apply the bundle at ``path`` (folder or zip) in the caller's transaction."""
    if now.tzinfo is None:
        raise ValidationError("The import time must be in UTC.", field="now")
    bundle = read_bundle(Path(path), schema_version=SCHEMA_VERSION, progress=None)
    manifest = bundle.manifest
    if manifest.laptop_id == own_laptop_id:
        raise BundleError(f"This bundle was exported from this laptop (id {own_laptop_id}), so there is nothing in it "
                          "to import. Import bundles from colleagues' laptops.")
    decoded = _decode_bundle(bundle)
    # Everything needed is decoded now; let a large bundle's raw bytes go before writing.
    bundle.files.clear()
    result = ImportResult(manifest.bundle_id, manifest.laptop_id, manifest.officer, manifest.created_at)
    already = session.scalar(select(SyncRecord.id).where(
        SyncRecord.direction == SyncDirection.IMPORT, SyncRecord.bundle_id == manifest.bundle_id).limit(1))
    if already is not None:
        result.already_imported = True
        return result
    _adopt_local_identities(session, decoded)
    sync_point = _sync_point(session, manifest.laptop_id, own_laptop_id, bundle)
    total = sum(len(d.records) for d in decoded) or 1
    done = 0
    previous = session.info.get("preserve_versions")
    session.info["preserve_versions"] = True
    try:
        session.flush()
        clashes: list[str] = []
        plans: list[tuple[Table, list[dict[str, Any]], list[dict[str, Any]]]] = []
        for item in decoded:
            inserts, updates, local_rows = _classify(session, item, sync_point, manifest.bundle_id, result)
            key_columns = {c for key in _unique_keys(item.table) for c in key}
            # An update that keeps its ref, URN or code cannot clash with anything new.
            rekeyed = [u for u in updates if any(u[c] != local_rows[u["id"]][c] for c in key_columns)]
            clashes += _check_unique_clashes(session, item.table, inserts + rekeyed)
            plans.append((item.table, inserts, updates))
        if clashes:
            raise BundleError("The bundle could not be imported because some of its records clash with different "
                              "records here: " + "; ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
                              + ". Nothing was imported; ask the colleague which is right, correct one of them, "
                              "and export again.")
        for table, inserts, updates in plans:
            connection = session.connection()
            if inserts:
                columns = [c.name for c in table.columns]
                sql = (f"INSERT INTO {_quoted(table.name)} ({', '.join(_quoted(c) for c in columns)}) "
                       f"VALUES ({', '.join('?' for _ in columns)})")
                connection.exec_driver_sql(sql, storage_rows(table, columns, _parents_first(table, inserts)))
                result.inserted[table.name] = len(inserts)
            if updates:
                columns = [c.name for c in table.columns if c.name != "id" and (table.name == DOCUMENT_TABLE
                                                                                  or c.name != "content")]
                sql = (f"UPDATE {_quoted(table.name)} SET {', '.join(_quoted(c) + ' = ?' for c in columns)} "
                       "WHERE id = ?")
                connection.exec_driver_sql(sql, storage_rows(table, [*columns, "id"], updates))
                result.updated[table.name] = len(updates)
            if table.name == DOCUMENT_TABLE:
                result.documents = len(inserts) + len(updates)
            done += len(inserts) + len(updates)
            if progress:
                progress(min(done, total), total)
        session.add(SyncRecord(
            direction=SyncDirection.IMPORT, bundle_id=manifest.bundle_id, laptop_id=manifest.laptop_id,
            officer=manifest.officer, path=str(bundle.source), status=ExportStatus.APPLIED,
            since=manifest.since, record_count=result.changed, bundle_created_at=manifest.created_at,
            created_at=now, updated_at=now, version=1,
        ))
        session.flush()
    except IntegrityError as exc:
        if "FOREIGN KEY" in str(exc.orig):
            raise BundleError("The bundle could not be imported: some of its records refer to records this database "
                              "does not have. Import the colleague's earlier bundles first, or ask them for a full "
                              "export. Nothing was imported.") from None
        raise BundleError(f"The bundle's records could not be stored here ({str(exc.orig)[:200]}). "
                          "Nothing was imported.") from None
    finally:
        session.info["preserve_versions"] = previous
    if progress:
        progress(total, total)
    return result


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


def _adopt_local_identities(session: Session, decoded: list[_Decoded]) -> None:
    """Give incoming records the local id of the same real thing, and repoint references to them."""
    remapped: dict[str, dict[uuid.UUID, uuid.UUID]] = {}
    for item in decoded:
        table = item.table
        key = NATURAL_KEYS.get(table.name)
        if key is not None:
            by_key = {r[key]: r for r in item.records if r[key]}
            local: dict[Any, uuid.UUID] = {}
            values = list(by_key)
            for start in range(0, len(values), _CHUNK):
                for row in session.execute(select(table.c[key], table.c.id).where(
                        table.c[key].in_(values[start:start + _CHUNK]))):
                    local[row[0]] = row[1]
            mapping: dict[uuid.UUID, uuid.UUID] = {}
            for value, record in by_key.items():
                local_id = local.get(value)
                if local_id is not None and local_id != record["id"]:
                    mapping[record["id"]] = local_id
                    record["id"] = local_id
            if mapping:
                remapped[table.name] = mapping
        for fk in table.foreign_keys:
            fk_mapping = remapped.get(fk.column.table.name)
            if not fk_mapping:
                continue
            for record in item.records:
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
