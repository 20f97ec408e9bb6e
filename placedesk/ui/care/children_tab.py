"""The Children tab: find a child by any name part, known-as name, case reference or date of birth.

Double-clicking a child (or Enter) opens their page, with identity, legal status,
care history, leaving-care status, referrals, placements, IPAs and outcome
readings. Every other screen opens a child's page here through the main window
(``open_requested("child", id)``). Ctrl+F anywhere comes to this tab's search box.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from placedesk.services.care.children import child_list
from placedesk.ui.care.child_panel import ChildPanel
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel
from placedesk.ui.widgets.paged_model import PagedTableModel
from placedesk.ui.widgets.reload_when_shown import ReloadWhenShown
from placedesk.ui.widgets.tab import Tab


class ChildrenTab(Tab):
    """Every child in PlaceDesk, searchable, and one child's page."""

    title = "Children"
    handles = ("child",)

    def __init__(self, ctx: AppContext, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(ctx)
        self.today = today
        self.model = PagedTableModel(ctx, child_list(today()))
        self.list = ListPanel(
            self.model, search_hint="Name, known-as name, case reference or date of birth (dd/mm/yyyy)",
            empty=EmptyState("No children yet",
                             "Children are added when you start a referral (Referrals › New referral) or import "
                             "an SSDA903 return with its header file (File › Import SSDA903 care history)."),
            noun="children")
        self.list.search.setAccessibleName("Find a child")
        self.list.view.setAccessibleName("Children")
        self.list.opened.connect(self.show_child)
        self.open_button = QPushButton("&Open child's page")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self._open_selected())
        self.list.selected.connect(lambda child_id: self.open_button.setEnabled(child_id is not None))
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.list, 1)
        list_layout.addLayout(bar)

        self.child_panel = ChildPanel(ctx, today=today)
        self.child_panel.open_requested.connect(self.open_requested.emit)
        self.back_button = QPushButton("‹ &Back to the list")
        self.back_button.setShortcut(Qt.ALT | Qt.Key_Left)
        self.back_button.clicked.connect(self.show_list)
        child_page = QWidget()
        child_layout = QVBoxLayout(child_page)
        child_layout.setContentsMargins(0, 0, 0, 0)
        back_bar = QHBoxLayout()
        back_bar.addWidget(self.back_button)
        back_bar.addStretch(1)
        child_layout.addLayout(back_bar)
        child_layout.addWidget(self.child_panel, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(list_page)
        self.pages.addWidget(child_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.reloader = ReloadWhenShown(self, self.list.reload)
        self.list.reload()

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, "child", "referral", "placement"):
            self.reloader.request()

    def _open_selected(self) -> None:
        child_id = self.list.current_id()
        if child_id is not None:
            self.show_child(child_id)

    def show_child(self, child_id: uuid.UUID) -> None:
        self.child_panel.show_child(child_id)
        self.pages.setCurrentIndex(1)
        self.back_button.setFocus(Qt.OtherFocusReason)

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Show a child's page (``record_id``), or the list when there is none."""
        if entity == "child" and record_id is not None:
            self.show_child(record_id)
        else:
            self.show_list()

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)

    def find(self) -> None:
        """Ctrl+F: back to the list with the search box focused and its text selected."""
        self.show_list()
        self.list.search.setFocus(Qt.ShortcutFocusReason)
        self.list.search.selectAll()
