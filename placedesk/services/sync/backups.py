"""Automatic daily backups of the database file, the list to restore from, and restoring one.

Once a day (the first time PlaceDesk opens the file that day) the database is
copied with SQLite's online backup API into the user's backups folder as
``<name>-daily-YYYY-MM-DD.sqlite``; only the newest N daily copies are kept
(``Settings.backup_keep``; 0 turns daily backups off). Copies taken before a
schema upgrade or a restore are never pruned. Restoring first backs up the
current file (``placedesk.db.restore_database``), so a wrong choice costs nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from placedesk.config import backups_dir
from placedesk.db import backup_database, restore_database
from placedesk.errors import PlaceDeskError, ValidationError

_DAILY = re.compile(r"^(?P<stem>.+)-daily-(?P<day>\d{4}-\d{2}-\d{2})\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file, as the restore list shows it."""

    path: Path
    taken_at: dt.datetime
    size: int
    kind: str

    def label(self) -> str:
        when = self.taken_at.astimezone().strftime("%d/%m/%Y %H:%M")
        return f"{when}  ·  {self.kind}  ·  {self.size / 1_048_576:.1f} MB  ·  {self.path.name}"


def _kind(name: str) -> str:
    if _DAILY.match(name):
        return "daily backup"
    if "-before-restore-" in name:
        return "taken before a restore"
    if "-before-schema-" in name:
        return "taken before an upgrade"
    return "backup"


def daily_backup_path(db_path: Path, day: dt.date, folder: Path | None = None) -> Path:
    return (folder or backups_dir()) / f"{Path(db_path).stem}-daily-{day.isoformat()}.sqlite"


def daily_backup(db_path: Path, *, today: dt.date, keep: int, folder: Path | None = None) -> Path | None:
    """Take today's backup of ``db_path`` unless there is one; prune to the newest ``keep``.

    Returns the new backup, or None when today's already exists, the file is
    new and empty, or daily backups are off (``keep`` is 0).
    """
    if keep < 0:
        raise ValidationError("The number of daily backups to keep must be 0 or more.", field="backup_keep")
    db_path = Path(db_path)
    if keep == 0 or not db_path.exists():
        return None
    target = daily_backup_path(db_path, today, folder)
    if target.exists():
        return None
    try:
        backup_database(db_path, target)
    except OSError as exc:
        raise PlaceDeskError(f"Today's backup could not be written to {target.parent} ({exc.strerror or exc}). "
                             "Check there is space, or change the backups setting.") from None
    prune_daily(db_path, keep, folder)
    return target


def prune_daily(db_path: Path, keep: int, folder: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` daily backups of ``db_path``; returns what was deleted."""
    folder = folder or backups_dir()
    stem = Path(db_path).stem
    daily = sorted(p for p in folder.glob(f"{stem}-daily-*.sqlite")
                   if (m := _DAILY.match(p.name)) and m.group("stem") == stem)
    doomed = daily[:-keep] if keep > 0 else daily
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def list_backups(folder: Path | None = None) -> list[BackupInfo]:
    """Every backup in the backups folder, newest first."""
    folder = folder or backups_dir()
    if not folder.is_dir():
        return []
    found: list[BackupInfo] = []
    for path in folder.glob("*.sqlite"):
        if path.name.startswith("."):
            continue
        info = path.stat()
        taken = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.timezone.utc)
        found.append(BackupInfo(path, taken, info.st_size, _kind(path.name)))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def restore_backup(backup: Path, target: Path, *, folder: Path | None = None) -> Path | None:
    """Replace ``target`` with ``backup``; the current file is backed up first (returned).

    The chosen backup is checked before anything is touched: a file that is
    not a PlaceDesk database, or is from a newer version, is refused.
    """
    backup, target = Path(backup), Path(target)
    if not backup.is_file():
        raise ValidationError(f"There is no backup file at {backup}.", field="backup")
    if backup.resolve() == target.resolve():
        raise ValidationError("That is the open database itself; choose a backup file.", field="backup")
    return restore_database(backup, target, backup_dir=folder)
