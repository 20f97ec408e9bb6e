"""A child's page: identity, leaving-care status with its reason and change dates, care history, milestones.

A reusable widget: any screen creates a ``ChildPanel(ctx)`` and calls
``show_child(child_id)``. It reloads itself when the child or their care
history, placements or agreements change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import PlaceDeskError
from placedesk.services.child_summary import ChildPage, child_page
from placedesk.services.leaving_care import CareLeaverStatus
from placedesk.services.parsing import format_date
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.empty_state import EmptyState

OVERDUE_BACKGROUND = QColor("#fde2e1")
OVERDUE_TEXT = QColor("#9b1c1c")
STATUS_COLOURS = {
    CareLeaverStatus.ELIGIBLE: "#1d4ed8",
    CareLeaverStatus.RELEVANT: "#7c3aed",
    CareLeaverStatus.FORMER_RELEVANT: "#0f766e",
    CareLeaverStatus.QUALIFYING: "#b45309",
    CareLeaverStatus.NONE: "#4b5563",
}


def _table(headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.Stretch)
    return table


def _fit_height(table: QTableWidget) -> None:
    """Show every row without an inner scroll bar: the page itself scrolls."""
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(height + 2)


class ChildPanel(QWidget):
    """One child's page."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.child_id: uuid.UUID | None = None
        self.page: ChildPage | None = None

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")

        identity = QGroupBox("Identity")
        self.identity_form = QFormLayout(identity)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("dob", "Date of birth"), ("gender", "Gender"), ("ethnicity", "Ethnicity"),
                           ("legal", "Legal status"), ("worker", "Social worker"), ("ehcp", "EHCP"),
                           ("transition", "Plan at 18")):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.fields[key] = value
            self.identity_form.addRow(label, value)

        leaving = QGroupBox("Leaving care")
        leaving_layout = QVBoxLayout(leaving)
        self.status_label = QLabel()
        self.status_label.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.changes_table = _table(["Date", "What changes"], stretch=1)
        leaving_layout.addWidget(self.status_label)
        leaving_layout.addWidget(self.reason_label)
        leaving_layout.addWidget(QLabel("Dates on which the status changes:"))
        leaving_layout.addWidget(self.changes_table)

        history = QGroupBox("Care history")
        history_layout = QVBoxLayout(history)
        self.history_table = _table(["Started", "Ended", "Days", "Legal status", "Placement", "Leaving care",
                                     "Source"], stretch=4)
        self.history_empty = QLabel(
            "No care history recorded. Import the SSDA903 episodes file (placedesk import-903 EPISODES.csv) "
            "to fill it: the leaving-care status is worked out from these periods."
        )
        self.history_empty.setWordWrap(True)
        history_layout.addWidget(self.history_table)
        history_layout.addWidget(self.history_empty)

        milestones = QGroupBox("Milestones")
        milestones_layout = QVBoxLayout(milestones)
        self.milestones_table = _table(["Date", "Milestone", "When"], stretch=1)
        milestones_layout.addWidget(self.milestones_table)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.title)
        column.addWidget(self.subtitle)
        column.addWidget(identity)
        column.addWidget(leaving)
        column.addWidget(history)
        column.addWidget(milestones)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(content)

        self.empty = EmptyState("No child chosen",
                                "Double-click a child's row in Coming up (a birthday, pathway plan or EHCP "
                                "review) to see their page here.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        ctx.changed.connect(self._on_changed)

    def _on_changed(self, changed: frozenset[str]) -> None:
        if self.child_id is not None and touches(changed, "child", "care_period", "placement", "agreement"):
            self.show_child(self.child_id)

    def show_child(self, child_id: uuid.UUID) -> None:
        """Load and show one child's page (an empty page with guidance if the child is gone)."""
        self.child_id = child_id
        try:
            with self.ctx.read() as session:
                page = child_page(session, child_id, self.today())
        except PlaceDeskError as exc:
            self.page = None
            self.empty.heading.setText("Child not found")
            self.empty.guidance.setText(str(exc))
            self.stack.setCurrentIndex(0)
            return
        self.page = page
        self._fill(page)
        self.stack.setCurrentIndex(1)

    def _fill(self, page: ChildPage) -> None:
        today = self.today()
        name = page.name or "Name not recorded"
        if page.known_as:
            name += f" (known as {page.known_as})"
        self.title.setText(name)
        self.subtitle.setText(f"Case reference {page.case_reference} · aged {page.age}"
                              + ("" if page.name else " · created from SSDA903: add the name in the child's record"))
        self.fields["dob"].setText(format_date(page.date_of_birth))
        self.fields["gender"].setText(page.gender or "Not recorded")
        self.fields["ethnicity"].setText(page.ethnicity or "Not recorded")
        self.fields["legal"].setText(page.legal_status or "Not recorded")
        self.fields["worker"].setText(page.social_worker or "Not recorded")
        self.fields["ehcp"].setText("Yes" if page.has_ehcp else "No")
        self.fields["transition"].setText(page.transition_plan or "No transition plan recorded yet (adult services, "
                                                                  "staying put, supported accommodation...)")

        status = page.leaving_care
        colour = STATUS_COLOURS[status.status]
        self.status_label.setText(f"{status.label} on {format_date(today)}")
        self.status_label.setStyleSheet(f"font-size: 13pt; font-weight: 600; color: {colour};")
        self.reason_label.setText(status.reason)
        self.changes_table.setRowCount(len(status.changes))
        for row, (day, text) in enumerate(status.changes):
            self.changes_table.setItem(row, 0, QTableWidgetItem(format_date(day)))
            self.changes_table.setItem(row, 1, QTableWidgetItem(text))
        _fit_height(self.changes_table)

        self.history_table.setRowCount(len(page.care_history))
        for row, period in enumerate(page.care_history):
            values = [format_date(period.start_date), format_date(period.end_date) or "Open", str(period.days),
                      period.legal_status, period.placement, period.counting, period.source]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col == 5 and not value.startswith("Counts"):
                    item.setForeground(QBrush(QColor("#6b7280")))
                self.history_table.setItem(row, col, item)
        self.history_table.setVisible(bool(page.care_history))
        self.history_empty.setVisible(not page.care_history)
        _fit_height(self.history_table)

        self.milestones_table.setRowCount(len(page.milestones))
        bold = QFont()
        bold.setBold(True)
        for row, milestone in enumerate(page.milestones):
            overdue = milestone.overdue(today)
            if overdue:
                when = f"Overdue by {(today - milestone.due_on).days} days"
            elif milestone.due_on < today:
                when = "Past"
            elif milestone.due_on == today:
                when = "Today"
            else:
                when = f"In {(milestone.due_on - today).days} days"
            cells = [format_date(milestone.due_on), milestone.description, when]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if overdue:
                    item.setBackground(QBrush(OVERDUE_BACKGROUND))
                    item.setForeground(QBrush(OVERDUE_TEXT))
                    if col == 2:
                        item.setFont(bold)
                elif milestone.due_on < today:
                    item.setForeground(QBrush(QColor("#6b7280")))
                self.milestones_table.setItem(row, col, item)
        _fit_height(self.milestones_table)
