"""Logging in to the team server: the keystore's password, single sign-on, or asking the officer.

A login is tried first with the password kept in this computer's keystore, or
with none at all (Kerberos single sign-on through libpq, or a server that
trusts this computer); only when the server asks for a password is the officer
asked, through :func:`placedesk.ui.dialogs.ask_server_password`. A password the
server refuses is asked for again, and one kept in the keystore that the server
now refuses is removed from it. Nothing about the server is written to the
settings here; the password never is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from placedesk.config import TeamServerSettings
from placedesk.services.common.team_server import (
    TeamServerProblem,
    describe,
    forget_password,
    remember_password,
    server_url,
    stored_password,
)
from placedesk.ui import dialogs
from placedesk.ui.tasks import run_task, show_error

# How one attempt is run: (work, on_done, on_error). In the window it runs in the background; at
# start-up, before there is a window, it runs at once.
Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]

SERVER_BACKUPS = ("This window is on the team server, which the council backs up with pg_dump and restores "
                  "with pg_restore; ask whoever runs the server. Backups here are of a laptop database file.")
STALE_KEYSTORE = ("The team server refused the password kept in this computer's keystore (it may have been "
                  "changed), so it was removed from the keystore. Type your current password.")


def run_now(work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
            ) -> None:
    """Run an attempt on this thread (start-up: nothing else is on screen yet)."""
    QApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        result = work()
    except Exception as exc:  # noqa: BLE001 - reported to the officer through on_error, never lost
        QApplication.restoreOverrideCursor()
        on_error(exc)
        return
    QApplication.restoreOverrideCursor()
    on_done(result)


class ServerLogin:
    """One login to the team server for ``work(url)``, asking for the password only when it is needed.

    ``on_done`` gets what ``work`` returned; ``on_failed`` a problem other than
    the password (the server cannot be reached, it is not PlaceDesk's, …);
    ``on_cancelled`` runs when the officer cancels the password question.
    """

    def __init__(self, parent: QWidget | None, server: TeamServerSettings, work: Callable[[str], Any],
                 on_done: Callable[[Any], None], *, on_failed: Callable[[BaseException], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None, runner: Runner | None = None,
                 label: str = "Connecting to the team server…") -> None:
        self._parent = parent
        self._server = server
        self._work = work
        self._on_done = on_done
        self._on_failed = on_failed or (lambda exc: show_error(parent, exc))
        self._on_cancelled = on_cancelled or (lambda: None)
        self._runner: Runner = runner or (lambda fn, done, failed: run_task(parent, label, fn, done, failed))

    def start(self) -> None:
        stored = stored_password(self._server)
        self._attempt(stored, from_keystore=stored is not None, remember=False)

    def _attempt(self, password: str | None, *, from_keystore: bool, remember: bool) -> None:
        url = server_url(self._server, password)
        self._runner(lambda: self._work(url),
                     lambda result: self._succeeded(result, password, remember),
                     lambda exc: self._refused(exc, password, from_keystore))

    def _succeeded(self, result: Any, password: str | None, remember: bool) -> None:
        if remember and password and not remember_password(self._server, password):
            dialogs.warn(self._parent, "Team server", "This computer's keystore could not keep the password; "
                                                      "PlaceDesk will ask for it next time.")
        self._on_done(result)

    def _refused(self, exc: BaseException, password: str | None, from_keystore: bool) -> None:
        if not isinstance(exc, TeamServerProblem) or not exc.needs_password:
            self._on_failed(exc)
            return
        if from_keystore:
            forget_password(self._server)
            reason = STALE_KEYSTORE
        else:
            reason = str(exc) if password else ""
        from placedesk.dbkey import keystore_available

        answer = dialogs.ask_server_password(self._parent, describe(self._server), reason, keystore_available())
        if answer is None:
            self._on_cancelled()
            return
        self._attempt(answer.password, from_keystore=False, remember=answer.remember)


__all__ = ["ServerLogin", "run_now"]
