"""The "Coming up" tab: the officer's week, everything due or overdue in the next N days.

Rows are grouped by when they fall (overdue, today, this week, later) or by
kind, sortable by any column, overdue rows highlighted and labelled. Double-
clicking a row (or Enter) opens its record through ``open_requested``, which
the main window routes (a child's page opens on the Children tab). The same
list exports to an .ics file for Outlook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
)

from placedesk.models.base import utcnow
from placedesk.services.care.coming_up import ComingUpItem, ItemKind, coming_up
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext, touches
from placedesk.ui.care.coming_up_model import ComingUpModel
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.tasks import run_in_background, run_task
from placedesk.ui.widgets.empty_state import EmptyState

# Change notices that can alter the list.
WATCHED = ("referral", "referral_recipient", "offer", "agreement", "placement", "cap", "cap_action", "cap_review",
           "monitoring_visit", "provider", "child", "care_period")


class ComingUpTab(Tab):
    """Everything due or overdue across the caseload; the first tab officers see."""

    title = "Coming up"
    handles: tuple[str, ...] = ()
    loaded = Signal()

    def __init__(self, ctx: AppContext, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(ctx)
        self.today = today
        self.items: list[ComingUpItem] = []
        # True once the first load has arrived; each refresh bumps the generation.
        self.ready = False
        self._generation = 0

        self.days = QSpinBox()
        self.days.setAccessibleName("Days ahead to look")
        self.days.setRange(0, 365)
        self.days.setValue(ctx.settings.coming_up_days)
        self.days.setSuffix(" days")
        self.days.setToolTip("How far ahead to look; overdue items are always shown")
        self.kind_filter = QComboBox()
        # "" rather than None: PySide6 6.12 on Python 3.11 mishandles None coming back from Qt.
        self.kind_filter.addItem("All kinds", "")
        for kind in ItemKind:
            self.kind_filter.addItem(kind.label, kind.value)
        self.group_by = QComboBox()
        self.group_by.addItem("When it falls", "when")
        self.group_by.addItem("Kind", "kind")
        self.export_button = QPushButton("&Export to calendar (.ics)…")
        self.export_button.setToolTip("Save this list as a calendar file to import into Outlook; importing a "
                                      "later export updates the same events")
        self.export_button.clicked.connect(self.export_calendar)
        self.count_label = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Due or overdue in the next"))
        bar.addWidget(self.days)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.kind_filter)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Group by"))
        bar.addWidget(self.group_by)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)

        self.model = ComingUpModel()
        self.tree = QTreeView()
        self.tree.setAccessibleName("Coming up: what falls due, and what is overdue")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.AscendingOrder)
        self.model.modelReset.connect(self._expand)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        self.tree.setColumnWidth(0, 130)
        self.tree.setColumnWidth(1, 160)
        self.tree.setColumnWidth(2, 170)
        self.tree.setColumnWidth(3, 500)
        # Double-click, or Enter on the current row.
        self.tree.activated.connect(self._activated)

        self.empty = EmptyState(
            "Nothing due or overdue",
            "Nothing falls due in this window. Look further ahead with the number of days above, or add "
            "review dates to placements, CAP actions and agreements, and send referrals with a response-by "
            "date: they appear here as they fall due. On a new database, start a referral or load the demo "
            "data (File › Load demo data).",
        )
        self._guidance = self.empty.guidance.text()
        self.empty.add_action("Look 90 days ahead", lambda: self.days.setValue(max(90, self.days.value())))
        self.empty.finish()

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.tree)
        self.list_stack.addWidget(self.empty)
        layout.addWidget(self.list_stack)

        self.days.valueChanged.connect(lambda _: self.refresh())
        self.kind_filter.currentIndexChanged.connect(lambda _: self._fill())
        self.group_by.currentIndexChanged.connect(lambda _: self._fill())
        self.refresh()

    # --- loading ------------------------------------------------------------------------

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, *WATCHED):
            self.refresh()

    def refresh(self) -> None:
        """Reload the list in the background; the window stays responsive on a large caseload."""
        self._generation += 1
        generation = self._generation
        db, today, days = self.ctx.db, self.today(), self.days.value()
        intervals = self.ctx.settings.monitoring
        if not self.ready:
            self.count_label.setText("Loading…")

        def work() -> list[ComingUpItem]:
            with db.session() as session:
                return coming_up(session, today=today, days=days, intervals=intervals)

        def done(items: list[ComingUpItem]) -> None:
            # A newer refresh has started, or the tab has gone: this result is not wanted.
            if generation != self._generation or not shiboken6.isValid(self):
                return
            self.items = items
            self.ready = True
            self._fill()
            self.loaded.emit()

        run_in_background(work, done)

    def visible_items(self) -> list[ComingUpItem]:
        """The items the current filter shows (what the calendar export writes)."""
        kind = self.kind_filter.currentData()
        return [i for i in self.items if not kind or i.kind.value == kind]

    def _fill(self) -> None:
        today = self.today()
        items = self.visible_items()
        overdue = sum(1 for i in items if i.overdue)
        self.count_label.setText(f"{len(items)} items, {overdue} overdue" if items else "")
        self.export_button.setEnabled(bool(items))
        self.list_stack.setCurrentIndex(0 if items else 1)
        if not items and self.kind_filter.currentData():
            self.empty.heading.setText(f"No {self.kind_filter.currentText()} items")
            self.empty.guidance.setText("Nothing of this kind falls due in this window. Choose \"All kinds\" or "
                                        "look further ahead.")
        elif not items:
            self.empty.heading.setText("Nothing due or overdue")
            self.empty.guidance.setText(self._guidance)
        self.model.set_items(items, today, by_kind=self.group_by.currentData() == "kind")

    def _expand(self) -> None:
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()

    # --- opening records -------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is not None:
            self.open_requested.emit(item.entity, item.entity_id)

    # --- calendar -------------------------------------------------------------------------

    def export_calendar(self) -> None:
        items = self.visible_items()
        if not items:
            return
        path = dialogs.choose_save_file(self, "Export Coming up to a calendar file", "placedesk-coming-up.ics",
                                        "iCalendar file (*.ics)")
        if path is None:
            return
        if path.suffix.lower() != ".ics":
            path = path.with_suffix(".ics")
        from placedesk.services.care.calendar_export import export_ics

        generated = utcnow()
        db = self.ctx.db

        def write() -> int:
            from placedesk.services.common.audit_log import record_export

            with db.session_scope() as session:
                count = export_ics(items, path, generated_at=generated)
                record_export(session, what="Coming up calendar (iCalendar)", target=path, records=count)
            return count

        def done(count: int) -> None:
            dialogs.inform(self, "Calendar exported",
                           f"Wrote {count} events to {path}.\n\nIn Outlook choose File › Open & Export › "
                           "Import/Export › Import an iCalendar file. Importing a later export updates these "
                           "events rather than adding them twice.")

        run_task(self, "Writing the calendar file…", write, done)
