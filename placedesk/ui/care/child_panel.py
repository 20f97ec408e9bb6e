"""A child's page: identity, leaving-care status with its reason and change dates, care history, milestones,
and every referral, placement, IPA and outcome reading that concerns the child.

A reusable widget: any screen creates a ``ChildPanel(ctx)`` and calls
``show_child(child_id)``. It reloads itself when the child or their care
history, placements or agreements change. Care periods are added, changed
and removed by hand here too (``placedesk.services.care.care_history``), for
young people without an SSDA903 extract.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import EditConflict, PlaceDeskError
from placedesk.models import Baseline
from placedesk.services.care.care_history import remove_care_period
from placedesk.services.care.child_summary import CareHistoryRow, ChildPage, child_page
from placedesk.services.care.children import ChildRecords, child_records
from placedesk.services.care.leaving_care import CareLeaverStatus
from placedesk.services.common.parsing import format_date
from placedesk.ui.widgets.palette import signal, tint
from placedesk.ui import dialogs
from placedesk.ui.edit_conflict import APPLY_MINE
from placedesk.ui.care.care_period_dialog import CarePeriodDialog
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.empty_state import EmptyState

OVERDUE_BACKGROUND = tint("#fde2e1")
OVERDUE_TEXT = signal("#9b1c1c")
PAST_TEXT = signal("#6b7280")
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
    """One child's page; double-clicking a referral or placement asks to open it (``open_requested``)."""

    open_requested = Signal(str, object)  # entity, id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.child_id: uuid.UUID | None = None
        self.baseline = Baseline()
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
        self.changes_table.setAccessibleName("Dates on which the leaving-care status changes")
        leaving_layout.addWidget(self.status_label)
        leaving_layout.addWidget(self.reason_label)
        leaving_layout.addWidget(QLabel("Dates on which the status changes:"))
        leaving_layout.addWidget(self.changes_table)

        history = QGroupBox("Care history")
        history_layout = QVBoxLayout(history)
        self.history_table = _table(["Started", "Ended", "Days", "Legal status", "Placement", "Leaving care",
                                     "Source"], stretch=4)
        self.history_table.setAccessibleName("Care history")
        self.history_table.itemSelectionChanged.connect(self._update_history_buttons)
        self.history_table.itemDoubleClicked.connect(lambda _: self.change_period())
        self.history_empty = QLabel(
            "No care history recorded. Import the SSDA903 return (File › Import SSDA903 care history, or "
            "placedesk import-903 EPISODES.csv), or, if there is no return for this young person (one who came "
            "from another authority, say), add each period by hand with Add period. The leaving-care status is "
            "worked out from these periods."
        )
        self.history_empty.setWordWrap(True)
        self.add_button = QPushButton("&Add period…")
        self.add_button.setToolTip("Type a care period by hand: dates, legal status and placement")
        self.add_button.clicked.connect(self.add_period)
        self.change_button = QPushButton("Change…")
        self.change_button.setToolTip("Correct the chosen period's dates or codes")
        self.change_button.clicked.connect(self.change_period)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setToolTip("Delete the chosen period from the care history")
        self.remove_button.clicked.connect(self.remove_period)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.change_button)
        bar.addWidget(self.remove_button)
        bar.addStretch(1)
        history_layout.addWidget(self.history_empty)
        history_layout.addWidget(self.history_table)
        history_layout.addLayout(bar)
        self._update_history_buttons()

        milestones = QGroupBox("Milestones")
        milestones_layout = QVBoxLayout(milestones)
        self.milestones_table = _table(["Date", "Milestone", "When"], stretch=1)
        self.milestones_table.setAccessibleName("Milestones")
        milestones_layout.addWidget(self.milestones_table)

        self.records: ChildRecords = ChildRecords()
        self.referrals_table = _table(["Referral", "Status", "Referred on", "Type sought"], stretch=3)
        self.placements_table = _table(["Placement", "Provider", "Started", "Ended"], stretch=1)
        self.agreements_table = _table(["Agreement", "Version", "Status", "Issued"], stretch=0)
        self.outcomes_table = _table(["Assessed on", "Measure", "Score", "Placement"], stretch=1)
        self.record_groups: list[tuple[QGroupBox, QTableWidget, QLabel]] = []
        record_boxes = []
        for title, table, none in (
                ("Referrals", self.referrals_table, "No referrals for this child."),
                ("Placements", self.placements_table, "No placements yet."),
                ("Agreements (IPAs)", self.agreements_table, "No agreement issued yet."),
                ("Outcome readings", self.outcomes_table, "No WEMWBS, SWEMWBS or outcomes star readings yet.")):
            box = QGroupBox(title)
            table.setAccessibleName(title)
            table.setToolTip("Double-click (or press Enter on) a row to open it")
            empty_label = QLabel(none)
            empty_label.setStyleSheet("color: palette(placeholder-text);")
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(empty_label)
            box_layout.addWidget(table)
            self.record_groups.append((box, table, empty_label))
            record_boxes.append(box)
        self.referrals_table.itemActivated.connect(lambda item: self._open_row("referral", item.row()))
        self.placements_table.itemActivated.connect(lambda item: self._open_row("placement", item.row()))
        self.agreements_table.itemActivated.connect(lambda item: self._open_row("agreement", item.row()))
        self.referrals_table.itemDoubleClicked.connect(lambda item: self._open_row("referral", item.row()))
        self.placements_table.itemDoubleClicked.connect(lambda item: self._open_row("placement", item.row()))
        self.agreements_table.itemDoubleClicked.connect(lambda item: self._open_row("agreement", item.row()))

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.title)
        column.addWidget(self.subtitle)
        column.addWidget(identity)
        column.addWidget(leaving)
        column.addWidget(history)
        column.addWidget(milestones)
        for box in record_boxes:
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(content)

        self.empty = EmptyState("No child chosen",
                                "Find the child on the Children tab (Ctrl+F) by name, case reference or date of "
                                "birth, or double-click any row that concerns them, to see their page here.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        ctx.changed.connect(self._on_changed)

    def _on_changed(self, changed: frozenset[str]) -> None:
        if self.child_id is not None and touches(changed, "child", "care_period", "placement", "agreement",
                                                  "referral", "outcome_assessment"):
            self.show_child(self.child_id)

    def show_child(self, child_id: uuid.UUID) -> None:
        """Load and show one child's page (an empty page with guidance if the child is gone)."""
        self.child_id = child_id
        # The versions of what is shown: a change opened from this page is checked against them on save.
        self.baseline.clear()
        try:
            with self.ctx.read(self.baseline) as session:
                page = child_page(session, child_id, self.today())
                self.records = child_records(session, child_id)
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
        colour = signal(STATUS_COLOURS[status.status]).name()
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
                if col in (3, 4):
                    # Long SSDA903 descriptions are cut to fit the page; the whole is a hover away.
                    item.setToolTip(value)
                if col == 5 and not value.startswith("Counts"):
                    item.setForeground(QBrush(PAST_TEXT))
                self.history_table.setItem(row, col, item)
        self.history_table.setVisible(bool(page.care_history))
        self.history_empty.setVisible(not page.care_history)
        _fit_height(self.history_table)
        # Rows are new: a selection carried over could point Change or Remove at another period.
        self.history_table.clearSelection()
        self._update_history_buttons()

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
                    item.setForeground(QBrush(PAST_TEXT))
                self.milestones_table.setItem(row, col, item)
        _fit_height(self.milestones_table)
        self._fill_records(self.records)

    def _fill_records(self, records: ChildRecords) -> None:
        rows: list[list[list[str]]] = [
            [[r.ref, r.status, format_date(r.referred_on), r.placement_type] for r in records.referrals],
            [[p.ref, p.provider, format_date(p.start_date), format_date(p.end_date) or "Current"]
             for p in records.placements],
            [[a.ref, str(a.version), a.status, format_date(a.issued_on) or "Not issued"] for a in records.agreements],
            [[format_date(o.assessed_on), o.tool, o.score, o.placement_ref] for o in records.outcomes],
        ]
        for (box, table, empty_label), values in zip(self.record_groups, rows):
            table.setRowCount(len(values))
            for row, cells in enumerate(values):
                for col, value in enumerate(cells):
                    table.setItem(row, col, QTableWidgetItem(value))
            table.setVisible(bool(values))
            empty_label.setVisible(not values)
            _fit_height(table)

    def _open_row(self, entity: str, row: int) -> None:
        """Ask the window to open the referral, placement or agreement in this row."""
        if entity == "referral" and row < len(self.records.referrals):
            self.open_requested.emit("referral", self.records.referrals[row].id)
        elif entity == "placement" and row < len(self.records.placements):
            self.open_requested.emit("placement", self.records.placements[row].id)
        elif entity == "agreement" and row < len(self.records.agreements):
            self.open_requested.emit("placement", self.records.agreements[row].placement_id)

    # --- care history by hand ---------------------------------------------------------

    def selected_period(self) -> CareHistoryRow | None:
        """The care period chosen in the history table, if any."""
        if self.page is None:
            return None
        rows = self.history_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.page.care_history):
            return None
        return self.page.care_history[rows[0].row()]

    def _update_history_buttons(self) -> None:
        chosen = self.selected_period() is not None
        any_periods = self.page is not None and bool(self.page.care_history)
        self.change_button.setVisible(any_periods)
        self.remove_button.setVisible(any_periods)
        self.change_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def _child_label(self, page: ChildPage) -> str:
        return page.name or f"case reference {page.case_reference}"

    def add_period(self) -> None:
        """Type a new care period; the page reloads on the change notice the dialog sends."""
        if self.page is None:
            return
        dialogs.run_modal(CarePeriodDialog(self.ctx, self.page.id, self._child_label(self.page), self.today(),
                                           parent=self))

    def change_period(self) -> None:
        page, period = self.page, self.selected_period()
        if page is None or period is None:
            return
        dialogs.run_modal(CarePeriodDialog(self.ctx, page.id, self._child_label(page), self.today(), period,
                                           parent=self))

    def remove_period(self) -> None:
        """Ask, then delete the chosen period in one transaction."""
        period = self.selected_period()
        if period is None:
            return
        ended = format_date(period.end_date) if period.end_date else "now (open)"
        text = (f"Remove the care period {format_date(period.start_date)} to {ended} ({period.legal_status}) "
                "from the care history? The leaving-care status is worked out again without it.")
        if period.imported:
            text += (" It came from an SSDA903 import: importing a return that still holds this episode adds it "
                     "again.")
        if not dialogs.confirm(self, "Remove care period", text, "Remove the period"):
            return
        try:
            # A period a colleague changed since this page showed it is not removed unseen.
            with self.ctx.action(self.baseline) as session:
                remove_care_period(session, period.id)
        except EditConflict as exc:
            self._removal_conflict(exc, period.id)
            return
        except PlaceDeskError as exc:
            dialogs.warn(self, "Remove care period", str(exc))
            if self.child_id is not None:
                self.show_child(self.child_id)
            return
        self.ctx.notify(("care_period",))

    def _removal_conflict(self, conflict: EditConflict, period_id: uuid.UUID) -> None:
        """A colleague changed the period since this page showed it: show both; remove only if asked again."""
        if dialogs.resolve_edit_conflict(self, conflict) == APPLY_MINE:
            self.baseline.accept(conflict)
            try:
                with self.ctx.action(self.baseline) as session:
                    remove_care_period(session, period_id)
            except PlaceDeskError as exc:
                dialogs.warn(self, "Remove care period", str(exc))
        self.ctx.notify(("care_period", "child"))
