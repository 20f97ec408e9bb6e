"""The SQLite side of the dialect layer: the database file, its pragmas, locks, backups and encryption.

Start-up is kept cheap: the schema version is read with two PRAGMAs through the
standard library, and Alembic is imported only when a file must be created or
upgraded. A file that is not PlaceDesk's, or was written by a newer PlaceDesk,
is refused and left exactly as it was.

The file is shared with other processes (the window and commands beside it):
every connection waits for another writer up to a busy timeout, a user
action takes the write lock when it begins, and a lock held too long becomes
one clear message (:class:`~placedesk.errors.DatabaseBusy`). A restore never
deletes or replaces files under another process: a fully checked backup is
copied into the live file page by page through SQLite. :class:`ChangeWatcher`
tells the window when another process has committed.

A database may be encrypted with SQLCipher 4 (:mod:`placedesk.dbkey` holds the
keys). A file without SQLite's plain header is tried with the keys this process
knows: one given by the caller, those from passphrases remembered with
:func:`remember_passphrase`, and the keystore's. Backups of an encrypted file are
encrypted with the same key. The file and its ``-wal`` and ``-shm`` are
owner-only (0600) on POSIX; SQLite gives its side files the main file's mode.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# DatabaseLocked, remember_passphrase and forget_passphrases are also offered here, beside open_database.
from placedesk.dbkey import cipher_connect, forget_passphrases, remember_passphrase, unlock  # noqa: F401
from placedesk.errors import DatabaseBusy, DatabaseLocked, DatabaseRefused  # noqa: F401
from placedesk.fileio import PRIVATE_MODE, fsync_dir, make_private
from placedesk.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Engine

# "PDK1": marks a SQLite file as PlaceDesk's (PRAGMA application_id).
APPLICATION_ID = 0x50444B31
SQLITE_HEADER = b"SQLite format 3\x00"
# How long a connection waits for another process's write to finish before giving up.
BUSY_TIMEOUT_MS = 5000
BUSY_MESSAGE = ("Another PlaceDesk is writing to this database; try again in a moment. "
                "Nothing was changed by this step.")


@dataclass(frozen=True)
class FileState:
    """What a database file on disk is, read without changing it; ``key`` opens it when encrypted."""

    exists: bool
    schema_version: int = 0
    # A file is there but holds nothing (0 bytes): new to SQLite, but no PlaceDesk database.
    empty: bool = False
    key: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.key is not None


def connect_raw(path: Path, *, read_only: bool = False, key: str | None = None) -> sqlite3.Connection:
    """A driver connection that waits for other writers like the engine's do (SQLCipher's when ``key``)."""
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    if key is not None:
        conn = cipher_connect(target, key, uri=True, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn  # type: ignore[no-any-return]
    return sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)


def inspect_file(path: Path, key: str | None = None) -> FileState:
    """Classify ``path``; raise :class:`DatabaseRefused` for anything not ours or too new."""
    if not path.exists():
        return FileState(exists=False)
    if path.is_file() and path.stat().st_size == 0:
        return FileState(exists=False, empty=True)
    if path.is_dir():
        raise DatabaseRefused(f"{path} is a folder, not a database file. Choose a .sqlite file.")
    with open(path, "rb") as handle:
        header = handle.read(16)
    found: str | None = None
    try:
        if header == SQLITE_HEADER:
            conn = connect_raw(path, read_only=True)
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
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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
    _take_write_lock_at_begin(engine)
    return engine


# Decrypted pages kept per connection, in KiB (SQLite takes a negative cache_size as KiB), allocated only as
# pages are read. A plain file's pages stay in the system's file cache between queries; an encrypted file's
# would be decrypted again on every read.
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


def _take_write_lock_at_begin(engine: Engine) -> None:
    """Begin each write action with ``BEGIN IMMEDIATE``, so a second writer waits its turn.

    With SQLite's default deferred transactions, an action that reads and then
    writes while another process has committed meanwhile fails at once with
    "database is locked" (the busy timeout cannot help it). Taking the write
    lock at the start makes it wait up to the busy timeout instead. Sessions
    for reading only (``Database.session``) still begin a plain deferred
    transaction. The driver's own transaction handling is switched off so the
    ``BEGIN`` below is the only one (SQLAlchemy's documented pysqlite recipe).
    """
    from sqlalchemy import event

    def no_driver_transactions(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None

    def begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("placedesk_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    event.listen(engine, "connect", no_driver_transactions)
    event.listen(engine, "begin", begin)


def _operational_errors() -> tuple[type[BaseException], ...]:
    # SQLCipher's driver has its own exception classes; counted once it is in use.
    import sys

    cipher = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.OperationalError, cipher.OperationalError) if cipher else (sqlite3.OperationalError,)


def is_locked_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is SQLite giving up on another process's lock."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        if isinstance(seen, _operational_errors()) and "database is locked" in str(seen):
            return True
        visited.add(id(seen))
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


class ChangeWatcher:
    """Notices commits to a database file made through any other connection (``PRAGMA data_version``).

    It keeps one idle connection open for the purpose; the pragma reads a
    counter SQLite already keeps, so asking is cheap enough for a timer.
    Commits by this process are absorbed right after they happen: changes made
    elsewhere before the action took the write lock are noted first, and one by
    another process landing between the commit and the absorbing is noticed
    with the next change instead.
    """

    def __init__(self, path: Path, key: str | None = None) -> None:
        import threading

        self._conn = connect_raw(path, read_only=True, key=key)
        self._conn.isolation_level = None
        # Background tasks commit on worker threads and absorb from there.
        self._guard = threading.Lock()
        self._seen = self._version()
        self._pending = False

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        with self._guard:
            now = self._version()
            changed = self._pending or now != self._seen
            self._seen, self._pending = now, False
        return changed

    def note_outside_changes(self) -> None:
        with self._guard:
            now = self._version()
            self._pending = self._pending or now != self._seen
            self._seen = now

    def absorb(self) -> None:
        with self._guard:
            self._seen = self._version()

    def close(self) -> None:
        with self._guard:
            self._conn.close()


def migrate_file(path: Path, *, fresh: bool, key: str | None = None) -> None:
    """Bring the file at ``path`` to the current schema, marking it as PlaceDesk's when ``fresh``."""
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
        src = connect_raw(source, read_only=True, key=key)
        dst = connect_raw(tmp, key=key)
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


def _database_errors() -> tuple[type[BaseException], ...]:
    import sys

    cipher = sys.modules.get("sqlcipher3.dbapi2")
    return (cipher.DatabaseError,) if cipher else ()


def check_restorable(backup: Path) -> FileState:
    """Check a file completely before it may replace the live data; refuse it with the reason.

    It must be a non-empty PlaceDesk file no newer than this version, and both
    SQLite's ``integrity_check`` and ``foreign_key_check`` must be clean.
    """
    backup = Path(backup)
    if not backup.is_file():
        raise DatabaseRefused(f"There is no backup file at {backup}. Nothing was changed.")
    state = inspect_file(backup)
    if state.empty:
        raise DatabaseRefused(f"{backup} is an empty file (0 bytes), not a PlaceDesk backup. Nothing was changed.")
    conn = connect_raw(backup, read_only=True, key=state.key)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        fk_problems = conn.execute("PRAGMA foreign_key_check").fetchmany(1)
    except (sqlite3.DatabaseError, *_database_errors()) as exc:
        raise DatabaseRefused(f"{backup} could not be read completely ({exc}); it is damaged. "
                              "Nothing was changed; choose another backup.") from exc
    finally:
        conn.close()
    if integrity != ["ok"]:
        raise DatabaseRefused(f"{backup} is damaged (SQLite integrity check: {integrity[0]}). "
                              "Nothing was changed; choose another backup.")
    if fk_problems:
        raise DatabaseRefused(f"{backup} has records pointing at records that do not exist (foreign keys). "
                              "Nothing was changed; choose another backup.")
    return state


def copy_pages_into(backup: Path, target: Path, *, key: str | None = None) -> None:
    """Copy every page of ``backup`` into the live file ``target`` in one SQLite transaction.

    SQLite's backup API writes through the target's own locking and journal, so
    any other connection (an open window, a command) sees the old database or
    the restored one, never a mix, and no file is deleted or replaced under it.
    """
    src = connect_raw(backup, read_only=True, key=key)
    dst = connect_raw(target, key=key)
    dst.isolation_level = None
    try:
        page_sizes_differ = (src.execute("PRAGMA page_size").fetchone()[0]
                             != dst.execute("PRAGMA page_size").fetchone()[0])
        in_wal = dst.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        if page_sizes_differ and in_wal:
            # SQLite copies into a file in WAL mode only pages of the file's own size. Leaving WAL
            # mode for the copy needs the file to itself: with another window or command on it,
            # SQLite says it is locked, and the restore is refused before anything is written.
            try:
                dst.execute("PRAGMA busy_timeout=0")
                dst.execute("PRAGMA journal_mode=DELETE")
            except _operational_errors() as exc:
                raise DatabaseRefused(_different_page_size(backup, target, "the database is open elsewhere")) from exc
            dst.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        src.backup(dst)
        if page_sizes_differ and in_wal:
            dst.execute("PRAGMA journal_mode=WAL")
    except _operational_errors() as exc:
        if is_locked_error(exc):
            raise DatabaseBusy(BUSY_MESSAGE) from exc
        raise DatabaseRefused(_different_page_size(backup, target, str(exc))) from exc
    finally:
        dst.close()
        src.close()


def _different_page_size(backup: Path, target: Path, detail: str) -> str:
    return (f"{backup} could not be copied into {target} ({detail}): its pages are a different size, which "
            "needs the database to itself. Nothing was changed; close other PlaceDesk windows and commands "
            "on this database and try again.")


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
    plain = connect_raw(path)
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
    """Put ``backup``'s data into ``target`` after backing up the current file; returns that safety copy.

    The backup is checked completely first (:func:`check_restorable`), so a bad
    choice never costs the current data. An existing target must itself be a
    PlaceDesk database (a foreign file is never overwritten); its pages are
    replaced in place through SQLite (:func:`copy_pages_into`). A backup from an
    older version is upgraded the next time the file is opened.
    """
    backup, target = Path(backup), Path(target)
    chosen = check_restorable(backup)
    if not target.exists():
        backup_database(backup, target, key=chosen.key)
        return None
    current = inspect_file(target)
    if chosen.key != current.key:
        # SQLCipher copies pages only between files encrypted alike.
        raise DatabaseRefused(
            f"{backup} and the database are not encrypted alike (one is encrypted and the other not, or they "
            "use different keys): a backup can be restored only into a database encrypted the same way. "
            "Nothing was changed.")
    from placedesk.config import backups_dir

    from placedesk.models.base import utcnow

    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    safety = backup_database(target, (backup_dir or backups_dir()) / f"{target.stem}-before-restore-{stamp}.sqlite",
                             key=current.key)
    copy_pages_into(backup, target, key=chosen.key)
    return safety
