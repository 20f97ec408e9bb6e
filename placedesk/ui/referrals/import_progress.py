"""Long imports (Ofsted lists, the postcode directory) with a progress bar and a Cancel button.

The import runs off the GUI thread in one transaction. It calls
``report(done, total)`` as it reads; once the officer presses Cancel the next
call raises :class:`ImportCancelled`, the service stops, and the transaction
rolls back, so nothing of a cancelled import is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from placedesk.errors import PlaceDeskError
from placedesk.ui.tasks import run_in_background

# The bar counts in thousandths: file sizes can pass what a Qt int holds.
STEPS = 1000


class ImportCancelled(PlaceDeskError):
    """The officer cancelled the import; nothing was changed."""


class _Bridge(QObject):
    """Lives on the GUI thread; the worker's progress reaches the dialog through its queued signal."""

    progressed = Signal(int)

    def __init__(self, dialog: QProgressDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self.progressed.connect(self._show)

    @Slot(int)
    def _show(self, step: int) -> None:
        if shiboken6.isValid(self._dialog) and not self._dialog.wasCanceled():
            self._dialog.setValue(min(step, STEPS - 1))


class CancellableImport:
    """One running import: its progress dialog and whether Cancel was pressed."""

    def __init__(self, parent: QWidget | None, label: str) -> None:
        self.cancelled = threading.Event()
        self.dialog = QProgressDialog(label, "Cancel", 0, STEPS, parent)
        self.dialog.setWindowTitle("PlaceDesk")
        self.dialog.setAccessibleName(label)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)
        self.dialog.canceled.connect(self.cancel)
        self._bridge = _Bridge(self.dialog)

    def cancel(self) -> None:
        """Ask the import to stop; it rolls back at its next progress report."""
        self.cancelled.set()
        if shiboken6.isValid(self.dialog):
            self.dialog.setLabelText("Cancelling: undoing what was imported…")

    def report(self, done: int, total: int) -> None:
        """Called by the service on the worker thread."""
        if self.cancelled.is_set():
            raise ImportCancelled("Import cancelled: nothing was changed.")
        self._bridge.progressed.emit(int(done * STEPS // max(total, 1)))

    def close(self) -> None:
        if shiboken6.isValid(self.dialog):
            self.dialog.close()


def run_cancellable(parent: QWidget | None, label: str, work: Callable[[Callable[[int, int], None]], Any],
                    on_done: Callable[[Any], None], on_failed: Callable[[BaseException], None]) -> CancellableImport:
    """Run ``work(report)`` in the background with a progress dialog that can cancel it."""
    running = CancellableImport(parent, label)

    def finish(result: Any) -> None:
        running.close()
        if parent is not None and not shiboken6.isValid(parent):
            return
        on_done(result)

    def fail(exc: BaseException) -> None:
        running.close()
        if parent is not None and not shiboken6.isValid(parent):
            # The window that asked has closed; the transaction rolled back, so nothing is half-done.
            return
        on_failed(exc)

    run_in_background(lambda: work(running.report), finish, fail)
    return running


__all__ = ["CancellableImport", "ImportCancelled", "run_cancellable"]
