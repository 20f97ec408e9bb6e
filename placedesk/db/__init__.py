"""Opening a PlaceDesk database, a SQLite file or a team's PostgreSQL server, and the session scope.

:func:`open_database` takes a file path or a SQLAlchemy URL
(``postgresql+psycopg://officer@host/placedesk``); :func:`parse_target` tells them
apart as ``--db`` and the settings give them. Everything that differs between
the engines lives in this package's dialect layer: :mod:`placedesk.db.sqlite`
(the file: pragmas, locks, backups, encryption), :mod:`placedesk.db.postgres`
(the server: its metadata table, lock timeout and busy errors),
:mod:`placedesk.db.server_watch` (colleagues' commits noticed through
``LISTEN/NOTIFY``) and
:mod:`placedesk.db.dialect` (the few statements services write differently per
engine). Services hold no engine-specific SQL.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from placedesk.db.sqlite import (  # noqa: F401 - today's names, offered here as always
    APPLICATION_ID,
    BUSY_MESSAGE,
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    ChangeWatcher,
    FileState,
    backup_database,
    check_restorable,
    connect_raw,
    copy_pages_into,
    encrypt_database,
    inspect_file,
    is_locked_error,
    make_engine,
    migrate_file,
    restore_database,
    secure_files,
)
from placedesk.dbkey import forget_passphrases, remember_passphrase  # noqa: F401
from placedesk.errors import DatabaseBusy, DatabaseLocked, DatabaseRefused, EditConflict, PlaceDeskError  # noqa: F401
from placedesk.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from placedesk.db.server_watch import ServerChangeWatcher
    from placedesk.models.concurrency import Baseline

SERVER_BUSY_MESSAGE = ("A colleague is changing the same records on the team server; try again in a moment. "
                       "Nothing was changed by this step.")
SAME_MOMENT_MESSAGE = ("A colleague saved the same record at the same moment, so this would have made a second one "
                       "with the same reference. Nothing was saved: reload to see theirs, and do it again if it "
                       "is still needed.")
# A save whose ``WHERE version`` found a row moved, where the audit trail cannot say by whom (see _explain_stale).
STALE_MESSAGE = ("A colleague changed or deleted a record this step changes, at the same moment. Nothing was "
                 "saved: reload, check their change, and do it again.")


def parse_target(text: str) -> Path | str:
    """What ``--db`` or the settings give: a SQLAlchemy URL (it holds ``://``) stays text, else a file path."""
    text = text.strip()
    if "://" in text:
        return text
    return Path(text).expanduser()


def _sqlite_url_path(url: str) -> Path | None:
    """The file of a ``sqlite:///path`` URL, which PlaceDesk opens as the file itself."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise DatabaseRefused(f"{url} names no database file; give a file path.")
    return Path(parsed.database)


class Database:
    """An open PlaceDesk database: a file (``path``) or a server (``url``), its engine and session factory."""

    def __init__(self, path: Path | None = None, *, url: str | None = None, created: bool = False,
                 upgraded_from: int | None = None, backup_path: Path | None = None, key: str | None = None,
                 engine: Engine | None = None) -> None:
        if (path is None) == (url is None):
            raise ValueError("a Database is either a file (path) or a server (url)")
        self.path = path
        self._url = url
        # The SQLCipher key when the file is encrypted; never shown or logged.
        self.key = key
        self.created = created
        self.upgraded_from = upgraded_from
        self.backup_path = backup_path
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        if engine is not None:
            self._adopt(engine)
        self.officer = ""
        # The app and the command line set this: no change is written without an officer to record.
        self.require_officer = False
        self._watcher: ChangeWatcher | ServerChangeWatcher | None = None
        # The record versions each open screen showed (placedesk.models.concurrency.Baseline), moved on by
        # this process's own actions so that only a colleague's change counts as a conflict.
        self.baselines: weakref.WeakSet[Baseline] = weakref.WeakSet()

    @property
    def is_server(self) -> bool:
        """Whether this is a team server (PostgreSQL) rather than a file on this computer."""
        return self.path is None

    @property
    def dialect_name(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "postgresql" if self.is_server else "sqlite"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL, any password masked: fit to show."""
        if self._url is None:
            return f"sqlite:///{self.path}"
        from placedesk.db.postgres import masked

        return masked(self._url)

    @property
    def location(self) -> str:
        """Where the data is, for messages: the file path or the masked server URL."""
        return str(self.path) if self.path is not None else self.url

    def _adopt(self, engine: Engine) -> None:
        from sqlalchemy.orm import sessionmaker

        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        if engine.dialect.name == "postgresql":
            from placedesk.db.server_watch import send_notifications

            # Each commit that changed something tells colleagues' open windows (LISTEN/NOTIFY).
            send_notifications(self._sessions)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (importing SQLAlchemy then)."""
        if self._engine is None:
            if self.path is not None:
                self._adopt(make_engine(self.path, self.key))
            else:
                from placedesk.db.postgres import make_server_engine

                assert self._url is not None
                self._adopt(make_server_engine(self._url))
        assert self._engine is not None
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
        """One user action: commit if it finishes, roll back everything if it raises.

        On a file the action holds the write lock from its start (see
        :func:`placedesk.db.sqlite._take_write_lock_at_begin`); when another process
        holds it longer than the busy timeout, the action is refused with
        :data:`BUSY_MESSAGE`. On a server a lock wait past the lock timeout, a
        deadlock or a serialization failure is refused the same way. An UPDATE that
        finds its row's version moved by a colleague (at the last instant, between
        this action's read and its write) is refused with an
        :class:`~placedesk.errors.EditConflict` naming them.
        """
        from placedesk.models.concurrency import track_writes

        session = self.session()
        try:
            session.connection(execution_options={"placedesk_write": True})
            watcher = self._watcher
            if watcher is not None:
                # This action holds the write lock now: whatever changed before it was someone else.
                watcher.note_outside_changes()
            written = track_writes(session)
            yield session
            session.commit()
            # This process's own changes are not a colleague's: its screens' baselines move on with them.
            for baseline in list(self.baselines):
                baseline.move_on(written)
            if watcher is not None:
                watcher.absorb()
        except BaseException as exc:
            session.rollback()
            if not isinstance(exc, DatabaseBusy):
                if self.is_server:
                    from placedesk.db.postgres import is_busy_error, is_unique_clash, permission_refusal

                    if is_busy_error(exc):
                        raise DatabaseBusy(SERVER_BUSY_MESSAGE) from exc
                    if is_unique_clash(exc):
                        # The step checked its key was free; a colleague's save took it before this one committed.
                        raise PlaceDeskError(SAME_MOMENT_MESSAGE) from exc
                    refused = permission_refusal(exc)
                    if refused is not None:
                        raise refused from exc
                elif is_locked_error(exc):
                    raise DatabaseBusy(BUSY_MESSAGE) from exc
                conflict = self._explain_stale(session, exc)
                if conflict is not None:
                    raise conflict from exc
            raise
        finally:
            session.close()

    def _explain_stale(self, failed: Session, exc: BaseException) -> PlaceDeskError | None:
        """The colleague's change an UPDATE found at the last instant (its ``WHERE version`` matched nothing)."""
        from sqlalchemy.orm.exc import StaleDataError

        from placedesk.models.concurrency import PENDING, conflict_after_stale

        if not isinstance(exc, StaleDataError):
            return None
        with self.session() as fresh:
            conflict = conflict_after_stale(fresh, failed.info.get(PENDING, []))
        if conflict is None:
            # Which record moved cannot be told (its change came and went): still a refusal, never a crash.
            return PlaceDeskError(STALE_MESSAGE)
        return conflict

    def changed_elsewhere(self) -> bool:
        """Whether another process (a colleague, a command) has committed since the last call.

        The first call starts watching and answers False. This process's own
        actions (through :meth:`session_scope`) do not count. A file is watched
        through SQLite's ``data_version``; a server through ``LISTEN/NOTIFY``, or
        by polling where notifications are unavailable
        (:mod:`placedesk.db.server_watch`). The window calls only this.
        """
        if self._watcher is None:
            if self.path is not None:
                self._watcher = ChangeWatcher(self.path, self.key)
            else:
                from placedesk.db.server_watch import ServerChangeWatcher

                self._watcher = ServerChangeWatcher(self.engine)
            return False
        return self._watcher.changed()

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if self._engine is not None:
            self._engine.dispose()


def open_database(target: Path | str, *, backup_dir: Path | None = None, create: bool = True,
                  key: str | None = None) -> Database:
    """Open ``target`` (a file path or a SQLAlchemy URL), creating or upgrading the database as needed.

    A file: an upgrade first copies it to ``backup_dir`` (default: the user's
    backups folder) with SQLite's online backup API; ``key`` opens an encrypted
    file, or encrypts a new one (see :mod:`placedesk.dbkey`). A server: no file
    checks, no lock file, no backups (the council backs the server up); an empty
    database is migrated when ``create``.
    """
    if isinstance(target, str) and "://" in target:
        path = _sqlite_url_path(target)
        if path is None:
            return _open_server(target, create=create)
        target = path
    return _open_file(Path(target), backup_dir=backup_dir, create=create, key=key)


def _open_server(url: str, *, create: bool) -> Database:
    from sqlalchemy.exc import OperationalError

    from placedesk.db.postgres import make_server_engine, masked, prepare_server

    shown = masked(url)
    engine = make_server_engine(url)
    try:
        created, upgraded_from = prepare_server(engine, shown, create=create)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "no answer"
        raise DatabaseRefused(f"Could not reach the team server at {shown}: {reason}. "
                              "Check the address and your login, then try again.") from None
    except BaseException:
        engine.dispose()
        raise
    return Database(url=url, created=created, upgraded_from=upgraded_from, engine=engine)


def _open_file(path: Path, *, backup_dir: Path | None, create: bool, key: str | None) -> Database:
    path = path.expanduser().resolve()
    state = inspect_file(path, key)
    if not state.exists:
        if not create:
            if state.empty:
                raise DatabaseRefused(f"{path} is an empty file (0 bytes), not a PlaceDesk database.")
            raise DatabaseRefused(f"There is no database at {path}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        migrate_file(path, fresh=True, key=key)
        return Database(path, created=True, key=key)
    if state.schema_version < SCHEMA_VERSION:
        from placedesk.config import backups_dir

        target_dir = backup_dir or backups_dir()
        backup = backup_database(path, target_dir / f"{path.stem}-before-schema-{SCHEMA_VERSION}.sqlite",
                                 key=state.key)
        migrate_file(path, fresh=False, key=state.key)
        return Database(path, upgraded_from=state.schema_version, backup_path=backup, key=state.key)
    secure_files(path)
    return Database(path, key=state.key)
