"""The shape every main-window tab shares."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from placedesk.ui.context import AppContext


class Tab(QWidget):
    """A main-window tab: built from the app context, refreshed on change notices.

    Subclasses set ``title`` and override :meth:`on_changed` to reload only
    when a change notice concerns what they show (see ``context.touches``).
    """

    title = ""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.changed.connect(self.on_changed)

    def on_changed(self, changed: frozenset[str]) -> None:
        """Reload what this tab shows if ``changed`` concerns it."""
