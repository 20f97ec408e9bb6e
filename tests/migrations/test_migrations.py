"""Migrations build exactly the schema the ORM describes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from placedesk.db import open_database
from placedesk.migrations import SCHEMA_VERSION
from placedesk.migrations.runner import alembic_config
from placedesk.models import Base


def test_upgraded_empty_file_matches_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.sqlite")
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.close()


def test_schema_version_counts_the_revisions() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    # Revision ids are the schema numbers; each engineer's is assigned, so the chain may skip one
    # until the branches are merged and re-chained.
    revisions = list(script.walk_revisions())
    assert int(script.get_current_head()) == SCHEMA_VERSION
    assert len(revisions) <= SCHEMA_VERSION
    assert len(script.get_heads()) == 1, "migrations have branched: merge them"


def test_a_version_1_file_is_backed_up_and_gains_the_read_path_indexes(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    db = open_database(path)
    db.close()
    # Take the file back to revision 0001, as a laptop still on the first release left it.
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX ix_placement_open")
    conn.execute("DROP INDEX ix_placement_end_date")
    conn.execute("DROP INDEX ix_provider_type")
    # ... and without what revision 0004 adds (signed sync).
    conn.execute("DROP INDEX ix_audit_event_received")
    conn.execute("ALTER TABLE audit_event DROP COLUMN received_bundle_id")
    conn.execute("ALTER TABLE audit_event DROP COLUMN signer_fingerprint")
    conn.execute("ALTER TABLE sync_record DROP COLUMN signer_fingerprint")
    conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    db = open_database(path, backup_dir=tmp_path / "backups")
    try:
        assert db.upgraded_from == 1 and db.backup_path is not None and db.backup_path.exists()
        with db.engine.connect() as conn2:
            indexes = dict(conn2.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all())
        assert "WHERE end_date IS NULL" in indexes["ix_placement_open"]
        assert "WHERE end_date IS NOT NULL" in indexes["ix_placement_end_date"]
        assert "provider_type, name, ref, id" in indexes["ix_provider_type"]
    finally:
        db.close()
