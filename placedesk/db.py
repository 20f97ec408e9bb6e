"""The database file: opening, checking, migrating, backing up, and the session scope.

Start-up is kept cheap: the schema version is read with two PRAGMAs through the
standard library, and Alembic is imported only when a file must be created or
upgraded. A file that is not PlaceDesk's, or was written by a newer PlaceDesk,
is refused and left exactly as it was.

A database may be encrypted with SQLCipher 4 (:mod:`placedesk.dbkey` holds the
keys). A file without SQLite's plain header is tried with the keys this process
knows: one given by the caller, those from passphrases remembered with
:func:`remember_passphrase`, and the keystore's. Backups of an encrypted file are
encrypted with the same key. The file and its ``-wal`` and ``-shm`` are
owner-only (0600) on POSIX; SQLite gives its side files the main file's mode.
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

# DatabaseLocked, remember_passphrase and forget_passphrases are also offered here, beside open_database.
from placedesk.dbkey import cipher_connect, forget_passphrases, remember_passphrase, unlock  # noqa: F401
from placedesk.errors import DatabaseLocked, DatabaseRefused  # noqa: F401
from placedesk.fileio import PRIVATE_MODE, fsync_dir, make_private
from placedesk.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

# "PDK1": marks a SQLite file as PlaceDesk's (PRAGMA application_id).
APPLICATION_ID = 0x50444B31
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FileState:
    """What a database file on disk is, read without changing it; ``key`` opens it when encrypted."""

    exists: bool
    schema_version: int = 0
    key: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.key is not None


def inspect_file(path: Path, key: str | None = None) -> FileState:
    """Classify ``path``; raise :class:`DatabaseRefused` for anything not ours or too new."""
    if not path.exists() or path.stat().st_size == 0:
        return FileState(exists=False)
    if path.is_dir():
        raise DatabaseRefused(f"{path} is a folder, not a database file. Choose a .sqlite file.")
    with open(path, "rb") as handle:
        header = handle.read(16)
    found: str | None = None
    try:
        if header == SQLITE_HEADER:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                user_version = conn.execute("PRAGMA user_version").fetchone()[0]
            finally:
                conn.close()
        else:
            found, app_id, user_version = unlock(path, key)
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
    return FileState(exists=True, schema_version=user_version, key=found)


def _set_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off in SQLite unless asked for on every connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(path: Path, key: str | None = None) -> Engine:
    # SQLAlchemy is imported on first use, so the window can appear before it has loaded.
    from sqlalchemy import create_engine, event

    secure_files(path)
    if key is None:
        engine = create_engine(f"sqlite:///{path}", future=True)
    else:
        from sqlalchemy.engine import URL
        from sqlalchemy.pool import QueuePool

        # SQLCipher's dialect keys each new connection. The most recently used connection is handed
        # out first (LIFO), so work lands on the one whose decrypted pages are already cached.
        engine = create_engine(URL.create("sqlite+pysqlcipher", password=key, database=str(path)), future=True,
                               poolclass=QueuePool, pool_use_lifo=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _set_cipher_pragmas)
    event.listen(engine, "connect", _set_pragmas)
    return engine


# Decrypted pages kept per connection, in KiB (SQLite takes a negative cache_size as KiB), allocated only as
# pages are read. A plain file's pages stay in the system's file cache between queries; an encrypted file's
# would be decrypted again on every read, so the large demo's dashboard ran 2.6 times slower without it.
CIPHER_CACHE_KIB = 262_144


def _set_cipher_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{CIPHER_CACHE_KIB}")
    cursor.close()


def secure_files(path: Path) -> None:
    """Make the database file owner-only before SQLite opens it, and any side files already there."""
    if os.name != "posix":
        return
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # SQLite creates -wal and -shm with the main file's mode, so these follow.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(Path(f"{path}{suffix}"))


class Database:
    """An open PlaceDesk database: its path, engine and session factory."""

    def __init__(self, path: Path, *, created: bool = False, upgraded_from: int | None = None,
                 backup_path: Path | None = None, key: str | None = None) -> None:
        self.path = path
        # The SQLCipher key when the file is encrypted; never shown or logged.
        self.key = key
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

            self._engine = make_engine(self.path, self.key)
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

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def open_database(path: Path, *, backup_dir: Path | None = None, create: bool = True,
                  key: str | None = None) -> Database:
    """Open ``path``, creating an empty database or upgrading an older one as needed.

    An upgrade first copies the file to ``backup_dir`` (default: the user's
    backups folder) with SQLite's online backup API. ``key`` opens an encrypted
    file, or encrypts a new one (see :mod:`placedesk.dbkey`).
    """
    path = Path(path).expanduser().resolve()
    state = inspect_file(path, key)
    if not state.exists:
        if not create:
            raise DatabaseRefused(f"There is no database at {path}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        _migrate(path, fresh=True, key=key)
        return Database(path, created=True, key=key)
    if state.schema_version < SCHEMA_VERSION:
        from placedesk.config import backups_dir

        target_dir = backup_dir or backups_dir()
        backup = backup_database(path, target_dir / f"{path.stem}-before-schema-{SCHEMA_VERSION}.sqlite",
                                 key=state.key)
        _migrate(path, fresh=False, key=state.key)
        return Database(path, upgraded_from=state.schema_version, backup_path=backup, key=state.key)
    secure_files(path)
    return Database(path, key=state.key)


def _migrate(path: Path, *, fresh: bool, key: str | None = None) -> None:
    # Imported here so an up-to-date file never pays for Alembic at start-up.
    from placedesk.migrations.runner import upgrade

    engine = make_engine(path, key)
    try:
        with engine.begin() as conn:
            if fresh:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            upgrade(conn)
            conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
    finally:
        engine.dispose()


def backup_database(source: Path, dest: Path, *, key: str | None = None) -> Path:
    """Copy a live database with SQLite's online backup API, written atomically to ``dest``.

    An encrypted source (its ``key`` given, or found as :func:`inspect_file`
    finds it) gives a backup encrypted with the same key.
    """
    dest = Path(dest)
    if key is None:
        key = inspect_file(Path(source)).key
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if key is None:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dst = sqlite3.connect(tmp)
        else:
            src = cipher_connect(f"file:{source}?mode=ro", key, uri=True)
            dst = cipher_connect(str(tmp), key)
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


def encrypt_database(path: Path, key: str) -> Path:
    """Encrypt the plain database at ``path`` in place with ``key``; the plain file goes only once checked.

    The encrypted copy is written beside it under a temporary name, checked
    (opens with the key, passes SQLite's integrity check, holds as many rows in
    every table as the plain file), and only then replaces it. Any failure
    leaves the plain file exactly as it was. Close every connection first.
    """
    path = Path(path).expanduser().resolve()
    state = inspect_file(path)
    if not state.exists:
        raise DatabaseRefused(f"There is no database at {path} to encrypt.")
    if state.encrypted:
        raise DatabaseRefused(f"{path} is already encrypted.")
    plain = sqlite3.connect(path)
    try:
        # Everything in the write-ahead log goes into the main file before it is copied.
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = [r[0] for r in plain.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")]
        counts = {t: plain.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        app_id = plain.execute("PRAGMA application_id").fetchone()[0]
        user_version = plain.execute("PRAGMA user_version").fetchone()[0]
    finally:
        plain.close()
    tmp = path.with_name(f".{path.name}.encrypting")
    tmp.unlink(missing_ok=True)
    secure_files(tmp)
    try:
        conn = cipher_connect(str(path), "")
        try:
            conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"{key}\"", (str(tmp),))
            conn.execute("SELECT sqlcipher_export('encrypted')")
            # sqlcipher_export copies schema and rows but not the header fields PlaceDesk relies on.
            conn.execute(f"PRAGMA encrypted.application_id = {int(app_id)}")
            conn.execute(f"PRAGMA encrypted.user_version = {int(user_version)}")
            conn.commit()
            conn.execute("DETACH DATABASE encrypted")
        finally:
            conn.close()
        _check_copy(tmp, key, counts)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    fsync_dir(path.parent)
    return path


def _check_copy(copy: Path, key: str, counts: dict[str, int]) -> None:
    import sqlcipher3

    try:
        conn = cipher_connect(str(copy), key)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            copied = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in counts}
        finally:
            conn.close()
    except sqlcipher3.DatabaseError as exc:
        raise DatabaseRefused(f"The encrypted copy could not be read back ({exc}); the database was left plain "
                              "and unchanged.") from None
    if ok != "ok" or copied != counts:
        raise DatabaseRefused("The encrypted copy did not match the database; it was left plain and unchanged.")


def restore_database(backup: Path, target: Path, *, backup_dir: Path | None = None) -> Path | None:
    """Replace ``target`` with ``backup`` after backing up the current file; returns that safety copy.

    The backup is checked first (must be a PlaceDesk file no newer than this
    version), so a bad choice never costs the current data.
    """
    chosen = inspect_file(backup)
    safety: Path | None = None
    if target.exists():
        from placedesk.config import backups_dir

        from placedesk.models.base import utcnow

        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        safety = backup_database(target, (backup_dir or backups_dir()) / f"{target.stem}-before-restore-{stamp}.sqlite")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    backup_database(backup, target, key=chosen.key)
    return safety
