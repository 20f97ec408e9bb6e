"""A provider's CAPs with their actions and sanctions; overdue actions in red; buttons for every CAP step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.services.monitoring.view import ActionView, CapView, ProviderOverview, ReviewView, SanctionView
from placedesk.services.common.parsing import format_date, format_money
from placedesk.ui.monitoring.style import RED, rag_colour

COLUMNS = ["CAP / action", "Owner or approach", "Due / opened", "Status", "RAG"]


@dataclass(frozen=True)
class Selection:
    """What the officer picked in the tree: a plan, one of its actions or one of its sanctions."""

    kind: str  # "cap", "action", "sanction" or "review"
    id: uuid.UUID
    cap_id: uuid.UUID
    cap_ref: str
    label: str
    cap_open: bool
    can_lift: bool = False


class CapPanel(QWidget):
    """Tree of plans and their actions, with the buttons that act on the selection."""

    requested = Signal(str, object)  # step name, Selection or None

    def __init__(self) -> None:
        super().__init__()
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Corrective action plans, their actions, sanctions and reviews")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel("No corrective action plans for this provider. Open one when a visit, KPI or "
                            "inspection shows a problem the provider must put right.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 12px;")
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for step, text in (("open", "Open CAP…"), ("add_action", "Add action…"), ("update_action", "Update action…"),
                           ("change_action", "Change action…"),
                           ("review", "Review…"), ("escalate", "Escalate…"), ("lift", "Lift sanction…"),
                           ("close", "Close CAP…"),
                           ("report", "CAP report (PDF)…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, s=step: self.requested.emit(s, self.selection()))
            self.buttons[step] = button
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        self._selections: dict[int, Selection] = {}
        self._update_buttons()

    def show_overview(self, overview: ProviderOverview, select_cap: uuid.UUID | None = None) -> None:
        self.tree.clear()
        self._selections.clear()
        bold = QFont()
        bold.setBold(True)
        for cap in overview.caps:
            item = self._cap_item(cap, bold)
            self.tree.addTopLevelItem(item)
            item.setExpanded(cap.is_open)
            if select_cap == cap.id:
                self.tree.setCurrentItem(item)
        self.empty.setVisible(not overview.caps)
        self.tree.setVisible(bool(overview.caps))
        for column, width in enumerate((300, 150, 90, 220)):
            self.tree.setColumnWidth(column, width)
        self._update_buttons()

    def _remember(self, item: QTreeWidgetItem, selection: Selection) -> None:
        self._selections[id(item)] = selection
        item.setData(0, Qt.UserRole, id(item))

    def _cap_item(self, cap: CapView, bold: QFont) -> QTreeWidgetItem:
        overdue = f", {cap.overdue} overdue" if cap.overdue else ""
        review = f"; next review {format_date(cap.next_review)}" if cap.next_review and cap.is_open else ""
        item = QTreeWidgetItem([f"{cap.ref}: {cap.issue}", f"{cap.approach} · {cap.severity}",
                                format_date(cap.opened_on), f"{cap.status.label}{overdue}{review}", cap.rag.label])
        for column in range(len(COLUMNS)):
            item.setFont(column, bold)
        colour = rag_colour(cap.rag)
        if colour is not None:
            item.setForeground(4, QBrush(colour))
        if cap.overdue:
            item.setForeground(3, QBrush(RED))
        item.setToolTip(0, cap.issue)
        self._remember(item, Selection("cap", cap.id, cap.id, cap.ref, cap.issue, cap.is_open))
        for action in cap.actions:
            item.addChild(self._action_item(cap, action))
        for sanction in cap.sanctions:
            item.addChild(self._sanction_item(cap, sanction))
        for review in cap.reviews:
            item.addChild(self._review_item(cap, review))
        return item

    def _review_item(self, cap: CapView, review: ReviewView) -> QTreeWidgetItem:
        state = "Held" if review.held else ("Not recorded – overdue" if review.late else "Scheduled")
        child = QTreeWidgetItem([f"Review: {review.notes or 'not yet held'}", "", format_date(review.review_date),
                                 state, ""])
        child.setToolTip(0, review.notes)
        if review.late:
            for column in range(len(COLUMNS)):
                child.setForeground(column, QBrush(RED))
        self._remember(child, Selection("review", review.id, cap.id, cap.ref,
                                        f"Review of {cap.ref} on {format_date(review.review_date)}",
                                        cap.is_open and not review.held))
        return child

    def _action_item(self, cap: CapView, action: ActionView) -> QTreeWidgetItem:
        status = action.status
        if action.overdue:
            status = f"OVERDUE – {status.lower()}"
        elif action.completed_on:
            status = f"{status} {format_date(action.completed_on)}"
        child = QTreeWidgetItem([action.description, action.owner, format_date(action.due_date), status,
                                 action.rag.label])
        tip = action.evidence or action.waived_reason
        child.setToolTip(0, f"{action.description}\n{tip}".strip())
        if action.overdue:
            for column in range(len(COLUMNS)):
                child.setForeground(column, QBrush(RED))
        else:
            colour = rag_colour(action.rag)
            if colour is not None:
                child.setForeground(4, QBrush(colour))
        self._remember(child, Selection("action", action.id, cap.id, cap.ref, action.description, cap.is_open))
        return child

    def _sanction_item(self, cap: CapView, sanction: SanctionView) -> QTreeWidgetItem:
        amount = f" {format_money(sanction.amount_pence)}" if sanction.amount_pence else ""
        state = f"Lifted {format_date(sanction.lifted_on)}" if sanction.lifted_on else (
            "In force" if sanction.can_lift else "Imposed")
        child = QTreeWidgetItem([f"Sanction: {sanction.kind}{amount}", sanction.notes,
                                 format_date(sanction.imposed_on), state, ""])
        if sanction.can_lift:
            child.setForeground(3, QBrush(RED))
        self._remember(child, Selection("sanction", sanction.id, cap.id, cap.ref,
                                        f"{sanction.kind} under {cap.ref}", cap.is_open, sanction.can_lift))
        return child

    def selection(self) -> Selection | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        return self._selections.get(item.data(0, Qt.UserRole))

    def select(self, kind: str, record_id: uuid.UUID) -> bool:
        """Select the plan, action or sanction with this id (used after saving and by tests)."""
        for item_id, selection in self._selections.items():
            if selection.kind == kind and selection.id == record_id:
                for item in self.tree.findItems("", Qt.MatchContains | Qt.MatchRecursive):
                    if item.data(0, Qt.UserRole) == item_id:
                        self.tree.setCurrentItem(item)
                        return True
        return False

    def _update_buttons(self) -> None:
        sel = self.selection()
        is_open = sel is not None and sel.cap_open
        self.buttons["add_action"].setEnabled(is_open)
        self.buttons["update_action"].setEnabled(is_open and sel is not None and sel.kind == "action")
        self.buttons["change_action"].setEnabled(is_open and sel is not None and sel.kind == "action")
        self.buttons["review"].setEnabled(is_open)
        self.buttons["escalate"].setEnabled(is_open and sel is not None and sel.kind != "review")
        self.buttons["lift"].setEnabled(sel is not None and sel.kind == "sanction" and sel.can_lift)
        self.buttons["close"].setEnabled(is_open)
        self.buttons["report"].setEnabled(sel is not None)
