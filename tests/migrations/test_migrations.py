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
from placedesk.db import make_engine
from placedesk.models import Base


def test_upgraded_empty_file_matches_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.sqlite")
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        db.close()


def _no_meta(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # placedesk_meta is the server's "application_id": written beside the migrations, not a model.
    return not (type_ == "table" and name == "placedesk_meta")


def test_migrated_empty_server_database_matches_the_models(pg_server: object, _pg_admin: object) -> None:
    _pg_admin.execute("DROP DATABASE IF EXISTS compare_models")  # type: ignore[attr-defined]
    _pg_admin.execute("CREATE DATABASE compare_models")  # type: ignore[attr-defined]
    db = open_database(pg_server.url("compare_models"))  # type: ignore[attr-defined]
    try:
        assert db.created and db.dialect_name == "postgresql"
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _no_meta})
            assert compare_metadata(context, Base.metadata) == []
            meta = conn.exec_driver_sql("SELECT application, schema_version FROM placedesk_meta").all()
        assert meta == [("PlaceDesk", SCHEMA_VERSION)]
    finally:
        db.close()


def test_schema_version_is_the_head_revision() -> None:
    # Revision ids are numbered; parallel work leaves gaps, so the head's number is the version.
    script = ScriptDirectory.from_config(alembic_config())
    # Revision ids are the schema numbers; each engineer's is assigned, so the chain may skip one
    # until the branches are merged and re-chained.
    revisions = list(script.walk_revisions())
    # An id is its number, with a word after it for what it does ("0007_indexes").
    assert int(str(script.get_current_head()).split("_")[0]) == SCHEMA_VERSION
    assert len(revisions) <= SCHEMA_VERSION
    assert len(script.get_heads()) == 1, "migrations have branched: merge them"


def test_a_version_1_file_is_backed_up_and_gains_the_read_path_indexes(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    db = open_database(path)
    db.close()
    # Take the file back to revision 0001, as a laptop still on the first release left it:
    # Alembic undoes every later revision, whatever columns and indexes they added.
    _downgrade(path, "0001")
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


def _downgrade(path: Path, revision: str) -> None:
    from alembic import command

    engine = make_engine(path)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), revision)
            conn.exec_driver_sql(f"PRAGMA user_version={int(revision.split('_')[0])}")
    finally:
        engine.dispose()


def test_a_version_2_file_keeps_every_row_and_its_fee_lines_become_shared(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    open_database(path).close()
    _downgrade(path, "0002")
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(placement_fee_line)")}
    assert "funded_by" not in columns
    # A referral with a funding share, and a fee line: the children a careless table copy would cascade away.
    now = "2026-01-01 00:00:00.000000"
    conn.execute("INSERT INTO child (id, created_at, updated_at, version, case_reference, first_name, last_name, "
                 "known_as, date_of_birth, gender, ethnicity, religion, language, home_local_authority, "
                 "home_postcode, legal_status, social_worker_name, social_worker_email, social_worker_phone, "
                 "has_ehcp, transition_plan, notes) VALUES ('c1', ?, ?, 1, 'CR1', 'A', 'B', '', '2010-01-01', "
                 "'', '', '', '', '', '', '', '', '', '', 0, '', '')", (now, now))
    conn.commit()
    conn.close()
    db = open_database(path, backup_dir=tmp_path / "backups")
    try:
        assert db.upgraded_from == 2
        with db.engine.connect() as conn2:
            columns2 = {row[1]: row for row in conn2.exec_driver_sql("PRAGMA table_info(placement_fee_line)")}
            assert columns2["funded_by"][4] == "'shared'"
            assert conn2.exec_driver_sql("SELECT count(*) FROM child").scalar() == 1
            assert conn2.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
