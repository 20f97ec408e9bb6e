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


# --- restore that cannot lose data, and two processes on one file --------------------------------


def _children(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT case_reference FROM child"))
    finally:
        conn.close()


def test_restore_under_an_open_connection_is_seen_by_it_and_keeps_its_files(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    db = open_database(path)
    _add_child(db, "C1")
    copy = backup_database(path, tmp_path / "copy.sqlite")
    _add_child(db, "C2")
    wal = Path(f"{path}-wal")
    inode = (path.stat().st_ino, wal.stat().st_ino)
    try:
        restore_database(copy, path, backup_dir=tmp_path / "safety")
        # The open connection reads the restored data at once: nothing was replaced underneath it.
        with db.session_scope() as s:
            assert s.scalars(select(Child.case_reference)).all() == ["C1"]
            assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert (path.stat().st_ino, wal.stat().st_ino) == inode
        _add_child(db, "C3")
    finally:
        db.close()
    assert _children(path) == ["C1", "C3"]


@pytest.mark.parametrize("kind", ["empty", "damaged", "orphans", "newer"])
def test_restore_refuses_a_file_that_fails_any_check_and_changes_nothing(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "live.sqlite"
    db = open_database(path)
    _add_child(db, "C1")
    db.close()
    bad = backup_database(path, tmp_path / "bad.sqlite")
    conn = sqlite3.connect(bad)
    if kind == "empty":
        conn.close()
        bad.write_bytes(b"")
        expected = "empty file \\(0 bytes\\)"
    elif kind == "damaged":
        conn.close()
        data = bytearray(bad.read_bytes())
        page = 4096
        data[page * 3: page * 6] = b"\xff" * (page * 3)
        bad.write_bytes(bytes(data))
        expected = "damaged"
    elif kind == "orphans":
        # A care period whose child does not exist: every required column filled, the child id made up.
        columns = [row[1] for row in conn.execute("PRAGMA table_info(care_period)") if row[3] or row[5]]
        values = ["x'00'" if c == "child_id" else ("x'01'" if c == "id" else "'2020-01-01'") for c in columns]
        conn.execute(f"INSERT INTO care_period ({', '.join(columns)}) VALUES ({', '.join(values)})")
        conn.commit()
        conn.close()
        expected = "foreign keys"
    else:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
        expected = "newer version"
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match=expected):
        restore_database(bad, path, backup_dir=tmp_path / "safety")
    assert _digest(path) == before
    assert not (tmp_path / "safety").exists()


def test_check_names_an_empty_file_for_what_it_is(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(DatabaseRefused, match="empty file \\(0 bytes\\)"):
        open_database(empty, create=False)
    assert empty.read_bytes() == b""


def test_a_writer_held_up_by_another_process_gets_one_clear_message(db) -> None:  # type: ignore[no-untyped-def]
    from placedesk.db import BUSY_TIMEOUT_MS
    from placedesk.errors import DatabaseBusy

    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        import placedesk.db.sqlite as db_module

        db_module.BUSY_TIMEOUT_MS = 200  # only this test's new connections wait less
        db.close()
        db._engine = None
        with pytest.raises(DatabaseBusy, match="Another PlaceDesk is writing to this database; try again"):
            _add_child(db, "C7")
    finally:
        db_module.BUSY_TIMEOUT_MS = BUSY_TIMEOUT_MS
        other.execute("ROLLBACK")
        other.close()
    db.close()
    db._engine = None
    _add_child(db, "C8")
    assert _children(db.path) == ["C8"]


def _other_page_size(path: Path, dest: Path) -> Path:
    backup = backup_database(path, dest)
    conn = sqlite3.connect(backup)
    conn.execute("PRAGMA page_size=8192")
    conn.execute("VACUUM")
    conn.close()
    return backup


def test_a_backup_with_another_page_size_is_restored_when_the_file_is_free(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    db = open_database(path)
    _add_child(db, "C1")
    backup = _other_page_size(path, tmp_path / "copy.sqlite")
    _add_child(db, "C2")
    db.close()
    restore_database(backup, path, backup_dir=tmp_path / "safety")
    assert _children(path) == ["C1"]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_backup_with_another_page_size_is_refused_while_the_file_is_in_use(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    db = open_database(path)
    _add_child(db, "C1")
    backup = _other_page_size(path, tmp_path / "copy.sqlite")
    _add_child(db, "C2")
    try:
        with db.engine.connect() as held:  # another window reading the file
            held.exec_driver_sql("SELECT count(*) FROM child").scalar_one()
            with pytest.raises(DatabaseRefused, match="close other PlaceDesk windows"):
                restore_database(backup, path, backup_dir=tmp_path / "safety")
    finally:
        db.close()
    assert _children(path) == ["C1", "C2"]
