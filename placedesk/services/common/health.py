"""``placedesk check``: is the database file sound, current, and are its documents intact?"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from placedesk.db.dialect import is_sqlite
from placedesk.db.postgres import META_TABLE
from placedesk.migrations import SCHEMA_VERSION
from placedesk.models import Base


@dataclass
class HealthReport:
    """What ``check`` found: problems (any means failure) and the record counts."""

    schema_version: int
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    documents_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(session: Session) -> HealthReport:
    """Integrity check, foreign keys, schema version, stored PDF hashes, and counts."""
    conn = session.connection()
    if is_sqlite(conn):
        version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    else:
        # The server keeps its version in placedesk_meta, and checks pages and foreign keys itself as it writes.
        version = conn.execute(text(f"SELECT schema_version FROM {META_TABLE}")).scalar_one()
    report = HealthReport(schema_version=int(version))
    if version != SCHEMA_VERSION:
        report.problems.append(f"Schema version is {version}; this PlaceDesk expects {SCHEMA_VERSION}.")
    if is_sqlite(conn):
        integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            report.problems.extend(f"SQLite integrity: {line}" for line in integrity[:20])
        fk_errors = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if fk_errors:
            report.problems.append(f"{len(fk_errors)} rows point at records that do not exist (foreign keys).")
    for table in Base.metadata.sorted_tables:
        report.counts[table.name] = session.execute(select(func.count()).select_from(table)).scalar_one()

    # Stream the documents one at a time: the table can hold many large PDFs.
    rows = session.execute(text("SELECT id, filename, sha256, content FROM stored_document")).yield_per(20)
    for doc_id, filename, sha256, content in rows:
        report.documents_checked += 1
        if not isinstance(content, bytes | None):
            # SQLite stores whatever it is given: text here means the file's bytes were never stored.
            report.problems.append(f"Stored document {filename} ({doc_id}) holds text, not the file's bytes.")
            continue
        if hashlib.sha256(content or b"").hexdigest() != sha256:
            report.problems.append(f"Stored document {filename} ({doc_id}) no longer matches its SHA-256.")
    return report


__all__ = ["HealthReport", "check_database"]
