"""The shape every main-window tab shares: change notices in, record requests out."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QPushButton, QWidget

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

    def open_child_of(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Ask the window to open the page of the child this record concerns."""
        from placedesk.services.care.children import child_of

        if record_id is None:
            return
        with self.ctx.read() as session:
            child_id = child_of(session, entity, record_id)
        if child_id is not None:
            self.open_requested.emit("child", child_id)

    def child_page_button(self, entity: str, current: Callable[[], uuid.UUID | None],
                          view: QAbstractItemView | None = None) -> QPushButton:
        """A "Child's page" button (and, on ``view``, a context-menu entry and Ctrl+Shift+C) for the chosen row."""
        button = QPushButton("Child's pa&ge")
        button.setToolTip("Open the page of the child this row concerns (Ctrl+Shift+C)")
        button.clicked.connect(lambda: self.open_child_of(entity, current()))
        if view is not None:
            action = QAction("Open the child's page", view)
            action.setShortcut(QKeySequence("Ctrl+Shift+C"))
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda: self.open_child_of(entity, current()))
            view.addAction(action)
            view.setContextMenuPolicy(Qt.ActionsContextMenu)
        return button
