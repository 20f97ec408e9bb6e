"""Slow work off the GUI thread: PDFs, signing, exports, imports, analytics.

``run_task`` runs a plain function on Qt's thread pool and calls back on the
GUI thread with its result or error, showing a busy indicator meanwhile.
The function must not touch widgets; it opens its own database session.

Long imports pass ``cancellable=True``: the progress dialog gets a Cancel
button, and the ``report(done, total)`` the function calls raises
:class:`~placedesk.errors.Cancelled` once it is pressed. The function runs its
work in one transaction (``db.session_scope()``), so the exception rolls back
everything it did, and the officer is told that nothing changed.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from placedesk.errors import Cancelled, PlaceDeskError

CANCELLED_MESSAGE = "Cancelled: nothing was changed."


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[..., Any], signals: _Signals, with_progress: bool,
                 cancel: threading.Event | None = None) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals
        self._with_progress = with_progress
        self._cancel = cancel

    def _report(self, done: int, total: int) -> None:
        # Called by the work itself, so stopping here unwinds it through its own transaction.
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled(CANCELLED_MESSAGE)
        self._signals.progress.emit(int(done), int(total))

    @Slot()
    def run(self) -> None:
        try:
            if self._with_progress:
                result = self._fn(self._report)
            else:
                result = self._fn()
        except BaseException as exc:  # reported on the GUI thread, never lost
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._signals.failed.emit(exc)
        else:
            self._signals.finished.emit(result)


# Keep signal objects alive until their task reports back.
_live: set[_Signals] = set()


def _gone(widget: QWidget | None) -> bool:
    """Whether ``widget`` was deleted (a closed wizard) while its task ran: its callbacks would fail."""
    return widget is not None and not shiboken6.isValid(widget)


def run_task(
    parent: QWidget | None,
    label: str,
    fn: Callable[..., Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    with_progress: bool = False,
    cancellable: bool = False,
) -> _Signals:
    """Run ``fn`` in the background with a busy (or progress) indicator.

    With ``with_progress``, ``fn`` receives one argument, ``report(done, total)``.
    With ``cancellable`` (which implies ``with_progress``) the dialog has a
    Cancel button, and ``report`` raises :class:`Cancelled` once it is pressed.
    ``on_error`` defaults to showing a :class:`PlaceDeskError` message to the user
    (a cancelled task is reported as such, not as an error).
    """
    signals = _Signals()
    _live.add(signals)
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setAccessibleName(label)
    cancel: threading.Event | None = None
    if cancellable:
        with_progress = True
        cancel = threading.Event()
        dialog.setCancelButtonText("Cancel")
        dialog.canceled.connect(cancel.set)
    else:
        dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)

    def close_dialog() -> None:
        # The parent may have been closed meanwhile, taking the progress dialog with it.
        if shiboken6.isValid(dialog):
            dialog.close()

    def finish(result: Any) -> None:
        close_dialog()
        _live.discard(signals)
        if _gone(parent):
            return
        on_done(result)

    def fail(exc: BaseException) -> None:
        close_dialog()
        _live.discard(signals)
        if _gone(parent):
            # The work ran in its own transaction, so a failure left nothing half-done; the
            # window that asked has closed, so there is nobody to tell.
            return
        if on_error is not None:
            on_error(exc)
        elif isinstance(exc, Cancelled):
            from placedesk.ui import dialogs

            dialogs.inform(parent, "PlaceDesk", str(exc))
        else:
            show_error(parent, exc)

    signals.progress.connect(progress)
    signals.finished.connect(finish)
    signals.failed.connect(fail)
    # The dialog is found through the signals by tests (and kept alive with them).
    signals.dialog = dialog  # type: ignore[attr-defined]
    QThreadPool.globalInstance().start(_Runnable(fn, signals, with_progress, cancel))
    return signals


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    """Quiet background work a screen does for itself (loading a list): no progress dialog.

    ``on_done`` runs on the GUI thread; callers check that their widget still
    exists and that the result is not stale before using it.
    """
    signals = _Signals()
    _live.add(signals)

    def finish(result: Any) -> None:
        _live.discard(signals)
        on_done(result)

    def fail(exc: BaseException) -> None:
        _live.discard(signals)
        (on_error or (lambda error: show_error(None, error)))(exc)

    signals.finished.connect(finish)
    signals.failed.connect(fail)
    QThreadPool.globalInstance().start(_Runnable(fn, signals, False))


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """A user-fixable error as its message; anything else as a bug report line."""
    from placedesk.errors import EditConflict
    from placedesk.ui import dialogs

    if isinstance(exc, EditConflict):
        # No side-by-side choice is offered here (a step with no form: an import, a background job).
        dialogs.warn(parent, "Changed meanwhile", exc.during(
            f"this {exc.record_label}", "this step", "Nothing was saved: do it again, and it starts from their "
            "version."))
    elif isinstance(exc, PlaceDeskError):
        dialogs.warn(parent, "PlaceDesk", str(exc))
    else:
        dialogs.warn(parent, "PlaceDesk: unexpected error",
                     f"Something went wrong that is not your doing ({type(exc).__name__}). "
                     "Nothing was saved from this step. Please report it to support.")


def wait_for_tasks(timeout_ms: int = 30000) -> bool:
    """Block until background tasks finish (for tests and for closing the app)."""
    ok = QThreadPool.globalInstance().waitForDone(timeout_ms)
    QApplication.processEvents()
    return ok
