"""The sync conflicts list: both versions of a record side by side, and the officer's choice.

Left, every record changed on this laptop and another since they last
synced; right, its fields with this laptop's and the other laptop's values,
differing fields first and highlighted. The officer keeps one version; the
choice (and an optional note) is recorded and audited by the service.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import EditConflict, PlaceDeskError
from placedesk.models.base import utcnow
from placedesk.models.enums import ConflictResolution
from placedesk.services.sync.conflicts import ConflictView, list_conflicts, resolve_conflict, shown_fields
from placedesk.ui.widgets.palette import tint
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.edit_conflict import APPLY_MINE
from placedesk.ui.widgets.empty_state import EmptyState

_DIFFERS = tint("#ffecb3")


def field_label(name: str) -> str:
    """``risk_override_reason`` as "Risk override reason"."""
    text = name.removesuffix("_pence").removesuffix("_bp").replace("_", " ")
    return text[:1].upper() + text[1:]


def shown_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return str(value)


class ConflictsDialog(QDialog):
    """Lists open conflicts; the officer keeps this laptop's version or takes the other's."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sync conflicts")
        self.views: list[ConflictView] = []
        layout = QVBoxLayout(self)
        intro = QLabel("These records were changed both on this laptop and on a colleague's since you last "
                       "exchanged bundles. Nothing was overwritten: choose which version to keep for each.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.stack = QStackedWidget()
        self.empty = EmptyState("No conflicts to resolve",
                                "When a record is changed on two laptops before they exchange bundles, "
                                "both versions wait here for you to choose.")
        self.stack.addWidget(self.empty)
        body = QSplitter(Qt.Horizontal)
        self.list = QListWidget()
        self.list.setAccessibleName("Sync conflicts")
        self.list.currentRowChanged.connect(self._show_current)
        body.addWidget(self.list)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: 600;")
        self.heading.setWordWrap(True)
        right_layout.addWidget(self.heading)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("This laptop's and the colleague's values")
        self.table.setHorizontalHeaderLabels(["Field", "This laptop", "Other laptop"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        right_layout.addWidget(self.table, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Why this choice (optional, kept with the decision)")
        self.note.setAccessibleName("Why this choice")
        right_layout.addWidget(self.note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.keep_local = QPushButton("Keep this laptop's version")
        self.take_remote = QPushButton("Take the other laptop's version")
        self.keep_local.clicked.connect(lambda: self.resolve(ConflictResolution.KEEP_LOCAL))
        self.take_remote.clicked.connect(lambda: self.resolve(ConflictResolution.TAKE_REMOTE))
        buttons.addWidget(self.keep_local)
        buttons.addWidget(self.take_remote)
        right_layout.addLayout(buttons)
        body.addWidget(right)
        body.setStretchFactor(1, 3)
        body.setSizes([260, 700])
        self.stack.addWidget(body)
        layout.addWidget(self.stack, 1)
        close = QHBoxLayout()
        close.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        close.addWidget(self.close_button)
        layout.addLayout(close)
        self.resize(1000, 560)
        self.reload()

    def reload(self, select: uuid.UUID | None = None) -> None:
        with self.ctx.read() as session:
            self.views = list_conflicts(session)
        self.list.clear()
        for view in self.views:
            fields = ", ".join(field_label(f.field) for f in view.differing[:3]) or "record details"
            item = QListWidgetItem(f"{field_label(view.entity)} {view.label}\n{fields}")
            item.setData(Qt.UserRole, view.id)
            self.list.addItem(item)
        self.stack.setCurrentIndex(1 if self.views else 0)
        if self.views:
            ids = [v.id for v in self.views]
            self.list.setCurrentRow(ids.index(select) if select in ids else 0)

    def current(self) -> ConflictView | None:
        row = self.list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def _show_current(self, row: int) -> None:
        view = self.current()
        self.table.setRowCount(0)
        if view is None:
            self.heading.clear()
            return
        self.heading.setText(
            f"{field_label(view.entity)} {view.label}: this laptop has version {view.local_version}, "
            f"the other laptop version {view.remote_version}."
        )
        by_name = {f.field: f for f in view.fields}
        names = shown_fields(view)
        self.table.setRowCount(len(names))
        bold = QFont()
        bold.setBold(True)
        for index, name in enumerate(names):
            difference = by_name[name]
            cells = [QTableWidgetItem(field_label(name)), QTableWidgetItem(shown_value(difference.local)),
                     QTableWidgetItem(shown_value(difference.remote))]
            for column, cell in enumerate(cells):
                if difference.differs:
                    cell.setBackground(QBrush(_DIFFERS))
                    cell.setFont(bold)
                self.table.setItem(index, column, cell)
        self.table.resizeRowsToContents()
        self.note.clear()

    def resolve(self, resolution: ConflictResolution, seen_version: int | None = None) -> None:
        view = self.current()
        if view is None:
            return
        try:
            with self.ctx.action() as session:
                resolve_conflict(session, view.id, resolution, officer=self.ctx.db.officer, now=utcnow(),
                                 note=self.note.text(), seen_version=seen_version)
        except EditConflict as conflict:
            # A colleague changed the record here after this list showed it: their values beside the other laptop's.
            if dialogs.resolve_edit_conflict(self, conflict) == APPLY_MINE:
                self.resolve(resolution, conflict.their_version)
                return
        except PlaceDeskError as exc:
            dialogs.warn(self, "Sync conflicts", str(exc))
        self.ctx.notify({view.entity, "sync_conflict"})
        row = self.list.currentRow()
        self.reload()
        if self.views:
            self.list.setCurrentRow(min(row, len(self.views) - 1))
