"""A read-only table of rows with a sentence shown in its place while it is empty."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QStackedWidget, QTableView

from placedesk.ui.widgets.rows_model import Row, RowsModel


class RecordTable(QStackedWidget):
    """Rows from a service, or guidance on what to do when there are none."""

    def __init__(self, headings: Sequence[str], empty_text: str, numeric_columns: Sequence[int] = (),
                 widths: Sequence[int] = (), *, name: str = "") -> None:
        super().__init__()
        self.model = RowsModel(headings, numeric_columns=numeric_columns)
        self.view = QTableView()
        # What a screen reader announces: the caller's name, else the columns it lists.
        self.view.setAccessibleName(name or "Table of " + ", ".join(h.lower() for h in headings[:3]))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        # Fixed starting widths (the officer can drag them): measuring every cell of a long
        # history on each refresh would cost more than the rest of opening a provider.
        header = self.view.horizontalHeader()
        for column, heading in enumerate(headings[:-1]):
            header.resizeSection(column, widths[column] if column < len(widths) else max(90, 9 * len(heading)))
        self.empty = QLabel(empty_text)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt; padding: 24px;")
        self.addWidget(self.view)
        self.addWidget(self.empty)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.model.set_rows(rows)
        self.setCurrentWidget(self.view if rows else self.empty)
