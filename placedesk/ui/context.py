"""What every screen shares: the open database, the settings, and change notices.

After Anki's ``OpChanges``: a slot calls one service function inside
:meth:`AppContext.action`, then announces which kinds of record changed with
:meth:`AppContext.notify`; each tab refreshes only when something it shows
changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal

from placedesk.config import Settings
from placedesk.db import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Names used in change notices: the table names of placedesk.models, plus "all".
ALL = "all"


class AppContext(QObject):
    """The open database and settings, with a signal for what changed."""

    changed = Signal(object)  # a frozenset of entity names, or {"all"}

    def __init__(self, db: Database, settings: Settings, parent: QObject | None = None,
                 settings_problem: str | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.settings = settings
        # Why the settings file could not be read, if it could not; it is then never rewritten.
        self.settings_problem = settings_problem
        self.db.officer = settings.officer.name
        # The one-window-per-database lock (placedesk.ui.db_lock), when the app took one.
        self.lock: QLockFile | None = None

    @contextlib.contextmanager
    def action(self) -> Iterator[Session]:
        """One user action: a session that commits on success and rolls back on error."""
        with self.db.session_scope() as session:
            yield session

    def read(self) -> Session:
        """A session for reading (use as a context manager); never commit through it."""
        return self.db.session()

    def notify(self, entities: Iterable[str]) -> None:
        """Tell every screen which kinds of record changed."""
        self.changed.emit(frozenset(entities))

    def replace_database(self, db: Database, lock: QLockFile | None = None) -> None:
        """Switch to another database file and have every screen reload.

        ``lock`` is the new file's window lock; without one the current lock is
        kept (the same file reopened, as after a restore).
        """
        old = self.db
        db.officer = self.settings.officer.name
        self.db = db
        old.close()
        if lock is not None:
            self.release_lock()
            self.lock = lock
        self.notify([ALL])

    def release_lock(self) -> None:
        """Let another window open this database (on closing, or on switching files)."""
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None


def touches(changed: frozenset[str], *entities: str) -> bool:
    """Whether a change notice concerns any of ``entities``."""
    return ALL in changed or any(e in changed for e in entities)
