"""Opening, refusing, upgrading, backing up and restoring database files (placedesk/db.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from placedesk.db import APPLICATION_ID, open_database, backup_database, restore_database
from placedesk.errors import DatabaseRefused
from placedesk.migrations import SCHEMA_VERSION
from placedesk.models import Child


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add_child(db, ref: str = "C100") -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as s:
        s.add(Child(case_reference=ref, first_name="Ava", last_name="Stone", date_of_birth=dt.date(2010, 5, 1)))


def test_new_path_becomes_empty_current_database(tmp_path: Path) -> None:
    db = open_database(tmp_path / "sub" / "new.sqlite")
    try:
        assert db.created
        conn = sqlite3.connect(db.path)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.close()
    finally:
        db.close()


def test_existing_database_is_opened_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite"
    db = open_database(path)
    _add_child(db)
    db.close()
    again = open_database(path)
    try:
        assert not again.created
        with again.session_scope() as s:
            assert s.scalars(select(Child.case_reference)).all() == ["C100"]
    finally:
        again.close()


def test_connections_enforce_foreign_keys_and_use_wal(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match="not a PlaceDesk database"):
        open_database(path)
    assert _digest(path) == before


def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("shopping list\n" * 10)
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match="not an SQLite file"):
        open_database(path)
    assert _digest(path) == before


def test_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match="newer version of PlaceDesk"):
        open_database(path)
    assert _digest(path) == before


def test_older_database_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    # A PlaceDesk file from before the first revision: marked as ours, no tables yet.
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("CREATE TABLE placeholder (x)")
    conn.commit()
    conn.close()
    db = open_database(path, backup_dir=tmp_path / "backups")
    try:
        assert db.upgraded_from == 0
        assert db.backup_path is not None and db.backup_path.exists()
        _add_child(db)
    finally:
        db.close()


def test_backup_restores_to_identical_data(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    db = open_database(path)
    _add_child(db, "C1")
    copy = backup_database(path, tmp_path / "copy.sqlite")
    _add_child(db, "C2")
    db.close()
    safety = restore_database(copy, path, backup_dir=tmp_path / "safety")
    assert safety is not None and safety.exists()
    restored = open_database(path)
    try:
        with restored.session_scope() as s:
            assert s.scalars(select(Child.case_reference)).all() == ["C1"]
    finally:
        restored.close()
    # The safety copy still holds what was there before the restore.
    kept = open_database(safety)
    try:
        with kept.session_scope() as s:
            assert sorted(s.scalars(select(Child.case_reference))) == ["C1", "C2"]
    finally:
        kept.close()


def test_restore_refuses_a_foreign_backup_and_keeps_current(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    db = open_database(path)
    _add_child(db)
    db.close()
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"not a database")
    with pytest.raises(DatabaseRefused):
        restore_database(bogus, path)
    again = open_database(path)
    try:
        with again.session_scope() as s:
            assert s.scalars(select(Child.case_reference)).all() == ["C100"]
    finally:
        again.close()


def test_session_scope_rolls_back_a_failed_action(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):
        with db.session_scope() as s:
            s.add(Child(case_reference="C9", first_name="A", last_name="B", date_of_birth=dt.date(2012, 1, 1)))
            s.flush()
            raise RuntimeError("interrupted")
    with db.session_scope() as s:
        assert s.scalars(select(Child)).all() == []
