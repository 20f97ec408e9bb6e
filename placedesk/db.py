"""The database file: opening, checking, migrating, backing up, and the session scope.

Start-up is kept cheap: the schema version is read with two PRAGMAs through the
standard library, and Alembic is imported only when a file must be created or
upgraded. A file that is not PlaceDesk's, or was written by a newer PlaceDesk,
is refused and left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from placedesk.errors import DatabaseRefused
from placedesk.fileio import fsync_dir
from placedesk.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

# "PDK1": marks a SQLite file as PlaceDesk's (PRAGMA application_id).
APPLICATION_ID = 0x50444B31
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FileState:
    """What a database file on disk is, read without changing it."""

    exists: bool
    schema_version: int = 0


def inspect_file(path: Path) -> FileState:
    """Classify ``path``; raise :class:`DatabaseRefused` for anything not ours or too new."""
    if not path.exists() or path.stat().st_size == 0:
        return FileState(exists=False)
    if path.is_dir():
        raise DatabaseRefused(f"{path} is a folder, not a database file. Choose a .sqlite file.")
    with open(path, "rb") as handle:
        header = handle.read(16)
    if header != SQLITE_HEADER:
        raise DatabaseRefused(
            f"{path} is not a PlaceDesk database (it is not an SQLite file). It was left untouched."
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefused(f"{path} could not be read as a database ({exc}). It was left untouched.") from exc
    if app_id != APPLICATION_ID:
        raise DatabaseRefused(
            f"{path} is an SQLite file but not a PlaceDesk database. It was left untouched; "
            "open a PlaceDesk file or give a new file name to start one."
        )
    if user_version > SCHEMA_VERSION:
        raise DatabaseRefused(
            f"{path} was written by a newer version of PlaceDesk (schema {user_version}; this version "
            f"reads up to {SCHEMA_VERSION}). Update PlaceDesk to open it. The file was left untouched."
        )
    return FileState(exists=True, schema_version=user_version)


def _set_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off in SQLite unless asked for on every connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(path: Path) -> Engine:
    # SQLAlchemy is imported on first use, so the window can appear before it has loaded.
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _set_pragmas)
    return engine


class Database:
    """An open PlaceDesk database: its path, engine and session factory."""

    def __init__(self, path: Path, *, created: bool = False, upgraded_from: int | None = None,
                 backup_path: Path | None = None) -> None:
        self.path = path
        self.created = created
        self.upgraded_from = upgraded_from
        self.backup_path = backup_path
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self.officer = ""
        # The app and the command line set this: no change is written without an officer to record.
        self.require_officer = False

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (importing SQLAlchemy then)."""
        if self._engine is None:
            from sqlalchemy.orm import sessionmaker

            self._engine = make_engine(self.path)
            self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        return self._engine

    def session(self) -> Session:
        """A plain session; prefer :meth:`session_scope` for a user action."""
        self.engine  # noqa: B018 - makes the session factory on first use
        assert self._sessions is not None
        session = self._sessions()
        session.info["officer"] = self.officer
        session.info["require_officer"] = self.require_officer
        return session

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One user action: commit if it finishes, roll back everything if it raises."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def open_database(path: Path, *, backup_dir: Path | None = None, create: bool = True) -> Database:
    """Open ``path``, creating an empty database or upgrading an older one as needed.

    An upgrade first copies the file to ``backup_dir`` (default: the user's
    backups folder) with SQLite's online backup API.
    """
    path = Path(path).expanduser().resolve()
    state = inspect_file(path)
    if not state.exists:
        if not create:
            raise DatabaseRefused(f"There is no database at {path}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        _migrate(path, fresh=True)
        return Database(path, created=True)
    if state.schema_version < SCHEMA_VERSION:
        from placedesk.config import backups_dir

        target_dir = backup_dir or backups_dir()
        backup = backup_database(path, target_dir / f"{path.stem}-before-schema-{SCHEMA_VERSION}.sqlite")
        _migrate(path, fresh=False)
        return Database(path, upgraded_from=state.schema_version, backup_path=backup)
    return Database(path)


def _migrate(path: Path, *, fresh: bool) -> None:
    # Imported here so an up-to-date file never pays for Alembic at start-up.
    from placedesk.migrations.runner import upgrade

    engine = make_engine(path)
    try:
        with engine.begin() as conn:
            if fresh:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            upgrade(conn)
            conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
    finally:
        engine.dispose()


def backup_database(source: Path, dest: Path) -> Path:
    """Copy a live database with SQLite's online backup API, written atomically to ``dest``."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            # A backup is a single self-contained file: no WAL beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dest.parent)
    return dest


def restore_database(backup: Path, target: Path, *, backup_dir: Path | None = None) -> Path | None:
    """Replace ``target`` with ``backup`` after backing up the current file; returns that safety copy.

    The backup is checked first (must be a PlaceDesk file no newer than this
    version), so a bad choice never costs the current data.
    """
    inspect_file(backup)
    safety: Path | None = None
    if target.exists():
        from placedesk.config import backups_dir

        from placedesk.models.base import utcnow

        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        safety = backup_database(target, (backup_dir or backups_dir()) / f"{target.stem}-before-restore-{stamp}.sqlite")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    backup_database(backup, target)
    return safety
