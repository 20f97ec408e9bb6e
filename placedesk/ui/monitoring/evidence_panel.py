"""A provider's records that can prompt a CAP: a table, "Record…" and "Open a CAP from this…".

Inspections and visits are both shown this way; each row's key is the
record's id with the evidence text a CAP opened from it starts with.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from placedesk.ui.monitoring.table import RecordTable
from placedesk.ui.widgets.rows_model import Row


class EvidencePanel(QWidget):
    """A table of records with buttons to record another and to open a CAP from the selected one."""

    record_requested = Signal()
    cap_requested = Signal(object, str)  # the record's id, the evidence it gives

    def __init__(self, headers: list[str], empty_text: str, widths: Sequence[int], record_label: str) -> None:
        super().__init__()
        self.table = RecordTable(headers, empty_text, widths=tuple(widths))
        self.record_button = QPushButton(record_label)
        self.record_button.clicked.connect(self.record_requested)
        self.cap_button = QPushButton("Open a CAP from this…")
        self.cap_button.setEnabled(False)
        self.cap_button.clicked.connect(self._cap_from_selected)
        self.table.view.selectionModel().selectionChanged.connect(
            lambda *_: self.cap_button.setEnabled(bool(self.table.view.selectionModel().selectedRows())))
        bar = QHBoxLayout()
        bar.addWidget(self.record_button)
        bar.addWidget(self.cap_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def show_rows(self, rows: list[Row]) -> None:
        """Replace the rows (keys are ``(record id, evidence text)``); nothing is selected after."""
        self.table.set_rows(rows)
        self.cap_button.setEnabled(False)

    def _cap_from_selected(self) -> None:
        selected = self.table.view.selectionModel().selectedRows()
        if selected:
            record_id, evidence = self.table.model.key(selected[0].row())  # type: ignore[misc]
            self.cap_requested.emit(record_id, evidence)
