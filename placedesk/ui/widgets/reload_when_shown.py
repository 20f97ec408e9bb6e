"""Reloading a screen's data on change notices only while it is on screen.

A hidden screen (another tab, a wizard page not reached) that reloaded on every
notice would pay for lists the officer cannot see. Instead a notice marks it
stale; it reloads at once (or after a short delay) when visible, and when next
shown otherwise. With a delay, a burst of notices from one action reloads once,
after the action's own screen change has been drawn.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class ReloadWhenShown(QObject):
    """Calls ``reload`` for ``widget`` when it is stale and on screen."""

    def __init__(self, widget: QWidget, reload: Callable[[], None], *, delay_ms: int | None = None) -> None:
        super().__init__(widget)
        self._widget = widget
        self._reload = reload
        self.stale = False
        self._timer: QTimer | None = None
        if delay_ms is not None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.setInterval(delay_ms)
            self._timer.timeout.connect(self._run)
        widget.installEventFilter(self)

    def request(self) -> None:
        """The data changed: reload now if on screen, else when next shown."""
        self.stale = True
        if self._widget.isVisible():
            self._schedule()

    def clear(self) -> None:
        """The widget has just reloaded by other means: nothing is pending."""
        self.stale = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self._schedule()
        return False

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.start()
        else:
            self._run()

    def _run(self) -> None:
        # Hidden (or its window closed, its database perhaps gone) during the delay: the reload
        # waits for the next show, as for any hidden screen.
        if self.stale and self._widget.isVisible():
            self.stale = False
            self._reload()
