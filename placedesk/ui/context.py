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
from placedesk.errors import ProfileIncomplete

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from placedesk.models.concurrency import Baseline

# Names used in change notices: the table names of placedesk.models, plus "all".
ALL = "all"


class AppContext(QObject):
    """The open database and settings, with a signal for what changed."""

    changed = Signal(object)  # a frozenset of entity names, or {"all"}
    # An action needs fields of the officer profile (a tuple of their names): the main window opens it.
    profile_needed = Signal(object)

    def __init__(self, db: Database, settings: Settings, parent: QObject | None = None,
                 settings_problem: str | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.settings = settings
        # Why the settings file could not be read, if it could not; it is then never rewritten.
        self.settings_problem = settings_problem
        self.db.officer = settings.officer.name
        # Every change is recorded against the officer: none is written while no one is named.
        self.db.require_officer = True
        # The one-window-per-database lock (placedesk.ui.db_lock), when the app took one.
        self.lock: QLockFile | None = None

    @contextlib.contextmanager
    def action(self, baseline: Baseline | None = None) -> Iterator[Session]:
        """One user action: a session that commits on success and rolls back on error.

        With the ``baseline`` of the screen saving, the action is refused (an
        :class:`~placedesk.errors.EditConflict`) if it would change a record a
        colleague changed after the screen showed it. An action refused for want
        of the officer profile also asks for the profile to be opened.
        """
        try:
            with self.db.session_scope() as session:
                if baseline is not None:
                    self.db.baselines.add(baseline)
                    baseline.enforce(session)
                yield session
        except ProfileIncomplete as exc:
            if not exc.announced:
                exc.announced = True
                self.profile_needed.emit(exc.missing)
            raise

    def read(self, baseline: Baseline | None = None) -> Session:
        """A session for reading (use as a context manager); never commit through it.

        A screen that saves what it shows passes its ``baseline``: the versions of the
        records read are remembered, for its save to be checked against.
        """
        session = self.db.session()
        if baseline is not None:
            self.db.baselines.add(baseline)
            baseline.watch(session)
        return session

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
        db.require_officer = True
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
