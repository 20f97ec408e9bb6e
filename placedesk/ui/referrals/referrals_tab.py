"""The Referrals tab: every referral with its status, child, age, type sought, days open and next action.

Double-clicking a referral resumes the referral wizard at the page its state
calls for; "New referral…" starts one. The next action comes from the
workflow service for the rows on screen, a page at a time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QThreadPool
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from placedesk.models.enums import ReferralStatus
from placedesk.services.referrals.record_lists import referral_list, referral_next_actions
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.paged_model import PagedTableModel
from placedesk.ui.widgets.reload_when_shown import ReloadWhenShown
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel

NEXT_ACTION_TITLE = "Next action"
RELOAD_DELAY_MS = 150


class ReferralListModel(PagedTableModel):
    """The referral list plus a last "Next action" column worked out per loaded row."""

    def __init__(self, ctx: AppContext, today: dt.date) -> None:
        super().__init__(ctx, referral_list(today))
        self.today = today
        self._next: dict[uuid.UUID, str] = {}

    def _fill_next_actions(self) -> None:
        missing = [row[0] for row in self._rows if row[0] not in self._next]
        if missing:
            with self._ctx.read() as session:
                self._next.update(referral_next_actions(session, missing, self.today))

    def reload(self, request: Any = None) -> None:
        self._next = {}
        super().reload(request)
        self._fill_next_actions()
        if self._rows:
            self.dataChanged.emit(self.index(0, self._extra_column()),
                                  self.index(len(self._rows) - 1, self._extra_column()))

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        super().fetchMore(parent)
        self._fill_next_actions()

    def _extra_column(self) -> int:
        return len(self.spec.columns)

    def next_action(self, row: int) -> str:
        return self._next.get(self.row_id(row), "")

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.spec.columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and section == self._extra_column():
            return NEXT_ACTION_TITLE
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.DisplayRole) -> Any:
        if index.isValid() and index.column() == self._extra_column():
            return self.next_action(index.row()) if role == Qt.DisplayRole else None
        return super().data(index, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        # The next action is worked out per row, not in SQL, so it cannot order the list.
        if column < self._extra_column():
            super().sort(column, order)


class ReferralsTab(Tab):
    title = "Referrals"
    handles = ("referral",)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.model = ReferralListModel(ctx, dt.date.today())
        empty = EmptyState(
            "No referrals yet",
            "A referral starts when a social worker asks for a placement. Start one here, "
            "or load the demo data (File › Load demo data) to see how PlaceDesk works.",
        )
        self.new_button = QPushButton("&New referral…")
        self.new_button.clicked.connect(self.start_referral)
        empty.add_action("Start a referral", self.start_referral)
        empty.finish()
        self.list = ListPanel(self.model, search_hint="Search by referral, case reference or the child's name",
                              empty=empty, noun="referrals")
        self.list.add_filter("status", "Status", [("All statuses", None)]
                             + [(status.label, status.value) for status in ReferralStatus])
        self.list.opened.connect(lambda referral_id: self.open_record("referral", referral_id))
        self.open_button = QPushButton("&Open referral")
        self.open_button.setToolTip("Resume the referral in the wizard, at the step its state calls for")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_selected)
        self.list.selected.connect(lambda referral_id: self.open_button.setEnabled(referral_id is not None))
        self.child_button = self.child_page_button("referral", self.list.current_id, self.list.view)
        self.child_button.setEnabled(False)
        self.list.selected.connect(lambda referral_id: self.child_button.setEnabled(referral_id is not None))
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.child_button)
        top.addWidget(self.open_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.list.reload()
        # Wizards opened from this tab, kept so they are not garbage-collected while open.
        self.wizards: list[QWidget] = []
        # After the wizard's page change has been drawn, once for a burst of notices, and only
        # when the list is on screen.
        self._reloader = ReloadWhenShown(self, self.list.reload, delay_ms=RELOAD_DELAY_MS)

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, "referral", "child", "referral_recipient", "offer", "placement", "agreement"):
            self._reloader.request()

    def start_referral(self) -> None:
        self.open_record("referral", None)

    def _open_selected(self) -> None:
        referral_id = self.list.current_id()
        if referral_id is not None:
            self.open_record("referral", referral_id)

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Open the referral wizard, new or resumed at the page its state calls for."""
        from placedesk.ui.referrals.wizard.referral_wizard import open_referral_wizard

        wizard = open_referral_wizard(self.ctx, record_id, parent=self)
        # Closed wizards are let go only when no background work could still report to them.
        idle = QThreadPool.globalInstance().activeThreadCount() == 0
        keep = [w for w in self.wizards if w.isVisible() or not idle]
        for closed in self.wizards:
            if closed not in keep:
                # A child of this tab: only deleting it stops its pages answering every change notice.
                closed.deleteLater()
        self.wizards = keep + [wizard]
