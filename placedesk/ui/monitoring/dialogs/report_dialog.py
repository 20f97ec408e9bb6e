"""Choosing the period for a provider monitoring report."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from placedesk.ui.widgets.field_error import ERROR_STYLE
from placedesk.ui.monitoring.style import date_edit, date_of


class ReportPeriodDialog(QDialog):
    """From and to dates; the last twelve months by default."""

    def __init__(self, provider_name: str, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Monitoring report – {provider_name}")
        self.start = date_edit(today.replace(day=1) - dt.timedelta(days=365))
        self.end = date_edit(today)
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        form = QFormLayout()
        form.addRow("From", self.start)
        form.addRow("To", self.end)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Make report")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def period(self) -> tuple[dt.date, dt.date]:
        return date_of(self.start), date_of(self.end)

    def accept(self) -> None:
        start, end = self.period()
        if end < start:
            self.problem.setText("The period ends before it starts: check the dates.")
            return
        super().accept()
