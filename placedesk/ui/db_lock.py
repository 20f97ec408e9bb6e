"""One window per database: a lock file beside the database while a window has it open.

Two windows on one file would each show, and save over, what the other no
longer has. ``QLockFile`` writes the holder's process id into
``<database>.lock``; a lock left by a crashed PlaceDesk (its process is gone)
is recognised as stale and taken over. The command line does not take the
lock: commands run beside the window, and the window notices what they
change (see ``MainWindow.check_outside_changes``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

from placedesk.db import Database, open_database
from placedesk.errors import DatabaseRefused


def lock_path(database: Path) -> Path:
    """Where the lock for ``database`` lives: beside it, so every user of the file sees it."""
    return Path(f"{database}.lock")


def lock_database(database: Path) -> QLockFile:
    """Take the window lock for ``database``, or refuse with what to do instead."""
    database = Path(database).expanduser().resolve()
    database.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(lock_path(database)))
    # Held for as long as the window is open: only a dead holder makes it stale, never its age.
    lock.setStaleLockTime(0)
    if lock.tryLock(0):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        # PySide answers (pid, hostname, application name); a pid of 0 when the file could not be read.
        pid, host, _app = lock.getLockInfo()
        holder = f" (process {pid} on {host})" if pid else ""
        raise DatabaseRefused(
            f"{database.name} is already open in another PlaceDesk window{holder}. Switch to that window, "
            "or close it and try again; the command line can still be used beside it."
        )
    raise DatabaseRefused(
        f"PlaceDesk could not create its lock file {lock_path(database)} beside the database. "
        "Check that the folder can be written to."
    )


def open_locked(path: Path) -> tuple[Database, QLockFile]:
    """Take the window lock on ``path`` (refused if another window has it), then open the file."""
    lock = lock_database(path)
    try:
        return open_database(path), lock
    except BaseException:
        lock.unlock()
        raise
