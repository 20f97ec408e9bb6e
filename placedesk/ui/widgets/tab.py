"""The shape every main-window tab shares: change notices in, record requests out."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from placedesk.ui.context import AppContext


class Tab(QWidget):
    """A main-window tab: built from the app context, refreshed on change notices.

    Subclasses set ``title``, override :meth:`on_changed` to reload only when a
    notice concerns what they show (``context.touches``), list in ``handles`` the
    entities they can open, and implement :meth:`open_record` for them. To open
    a record shown elsewhere, a tab emits ``open_requested(entity, id)``; the
    main window routes it to the tab that handles that entity.
    """

    title = ""
    handles: tuple[str, ...] = ()
    open_requested = Signal(str, object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.changed.connect(self.on_changed)

    def on_changed(self, changed: frozenset[str]) -> None:
        """Reload what this tab shows if ``changed`` concerns it."""

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Show the record (only called for entities in ``handles``)."""
