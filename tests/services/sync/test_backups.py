"""Daily backups keep the newest N, and a restore backs up the current file first."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from placedesk.config import backups_dir
from placedesk.db import Database, open_database
from placedesk.errors import DatabaseRefused, ValidationError
from placedesk.models import Child
from placedesk.services.sync.backups import daily_backup, list_backups, restore_backup
from tests.services.sync.helpers import fill

DAY = dt.date(2026, 3, 2)

# Daily backups and restores are copies of the database file.
pytestmark = pytest.mark.sqlite_only


def _children(path: Path) -> int:
    database = open_database(path, create=False)
    try:
        with database.session() as s:
            return int(s.scalar(select(func.count(Child.id))))
    finally:
        database.close()


def test_one_backup_a_day_and_only_the_newest_are_kept(db: Database) -> None:
    with db.session_scope() as s:
        fill(s)
    made = [daily_backup(db.path, today=DAY + dt.timedelta(days=n), keep=3) for n in range(5)]
    assert all(made) and daily_backup(db.path, today=DAY + dt.timedelta(days=4), keep=3) is None
    names = sorted(p.name for p in backups_dir().iterdir())
    assert names == [f"test-daily-2026-03-0{d}.sqlite" for d in (4, 5, 6)]
    assert _children(made[-1]) == 1


def test_daily_backups_can_be_turned_off_and_other_backups_are_never_pruned(db: Database) -> None:
    assert daily_backup(db.path, today=DAY, keep=0) is None
    backups_dir().mkdir(parents=True)
    keep_me = backups_dir() / "test-before-schema-2.sqlite"
    keep_me.write_bytes(b"")
    daily_backup(db.path, today=DAY, keep=1)
    daily_backup(db.path, today=DAY + dt.timedelta(days=1), keep=1)
    assert keep_me.exists()
    kinds = [b.kind for b in list_backups()]
    assert kinds.count("daily backup") == 1 and "taken before an upgrade" in kinds
    with pytest.raises(ValidationError, match="0 or more"):
        daily_backup(db.path, today=DAY, keep=-1)


def test_restore_puts_the_backup_back_and_keeps_a_copy_of_the_current_file(db: Database) -> None:
    with db.session_scope() as s:
        fill(s)
    backup = daily_backup(db.path, today=DAY, keep=5)
    with db.session_scope() as s:
        fill(s)
    db.close()
    safety = restore_backup(backup, db.path)
    assert _children(db.path) == 1
    assert safety is not None and _children(safety) == 2
    newest = list_backups()[0]
    assert newest.kind == "taken before a restore" and "MB" in newest.label()


def test_a_file_that_is_not_a_placedesk_backup_is_refused_and_nothing_changes(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        fill(s)
    db.close()
    bogus = tmp_path / "holiday.sqlite"
    bogus.write_bytes(b"not a database at all")
    before = db.path.read_bytes()
    with pytest.raises(DatabaseRefused, match="not a PlaceDesk database"):
        restore_backup(bogus, db.path)
    with pytest.raises(ValidationError, match="no backup file"):
        restore_backup(tmp_path / "missing.sqlite", db.path)
    with pytest.raises(ValidationError, match="open database itself"):
        restore_backup(db.path, db.path)
    assert db.path.read_bytes() == before
    assert not os.path.exists(backups_dir()) or list_backups() == []
