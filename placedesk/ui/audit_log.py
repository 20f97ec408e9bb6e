"""File › Audit log: who changed or exported what, filtered by record, officer, dates and kind.

Choosing an event shows every field before and after it. "Save as CSV…" writes
the listed events as ``placedesk audit --csv`` does (and records that export).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.models.enums import AuditAction
from placedesk.services.common.audit_log import AuditFilter, AuditRow, change_lines, list_events
from placedesk.services.common.parsing import parse_date
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.widgets.rows_model import Row, RowsModel


class AuditLogWindow(QDialog):
    """The audit log with its filters, the matching events and the selected event's changes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Audit log")
        self.setWindowFlag(Qt.Window, True)
        self.rows: list[AuditRow] = []
        self.record = self._line("Record reference or case reference", "e.g. REF-7F3A-0042")
        self.officer = self._line("Officer", "part of a name")
        self.start = self._line("From date", "dd/mm/yyyy")
        self.end = self._line("To date", "dd/mm/yyyy")
        self.kind = QComboBox()
        self.kind.addItem("Any kind", None)
        for action in AuditAction:
            self.kind.addItem(action.label, action)
        self.kind.setAccessibleName("Kind of event")
        self.show_button = QPushButton("&Show")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        self.csv_button = QPushButton("Save as &CSV…")
        self.csv_button.clicked.connect(self.save_csv)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.model = RowsModel(["When", "Officer", "Kind", "Record", "Details"])
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectRows)
        self.view.setSelectionMode(QTableView.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAccessibleName("Audit events")
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("The selected event's changes, before and after")

        filters = QFormLayout()
        filters.addRow("&Record", self.record)
        filters.addRow("&Officer", self.officer)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.end)
        dates_label = QLabel("&Dates")
        dates_label.setBuddy(self.start)
        filters.addRow(dates_label, dates)
        filters.addRow("&Kind", self.kind)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setSizes([360, 160])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        self.resize(1000, 640)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.returnPressed.connect(self.refresh)
        return edit

    def filters(self) -> AuditFilter:
        """The filters as typed; raises ValidationError for a date that cannot be read."""
        start = parse_date(self.start.text().strip(), "start") if self.start.text().strip() else None
        end = parse_date(self.end.text().strip(), "end") if self.end.text().strip() else None
        return AuditFilter(record=self.record.text(), officer=self.officer.text(), start=start, end=end,
                           action=self.kind.currentData())

    def refresh(self) -> None:
        try:
            with self.ctx.read() as session:
                self.rows = list_events(session, self.filters())
        except PlaceDeskError as exc:
            self.status.setText(str(exc))
            return
        self.model.set_rows([
            Row([r.occurred_at.astimezone().strftime("%d/%m/%Y %H:%M"), _who(r),
                 r.action.label, f"{r.entity} {str(r.entity_id)[:8]}", r.summary], key=r.event_id)
            for r in self.rows
        ])
        self.view.resizeColumnsToContents()
        self.status.setText(f"{len(self.rows)} event(s), newest first.")
        if self.rows:
            self.view.selectRow(0)
        else:
            self.detail.setPlainText("")

    def _show_selected(self) -> None:
        selected = self.view.selectionModel().selectedRows()
        if not selected:
            return
        row = self.rows[selected[0].row()]
        lines = [f"{row.action.label} of {row.entity} {row.entity_id} by {_who(row)}, "
                 f"{row.occurred_at.astimezone():%d/%m/%Y %H:%M:%S}"]
        for field, before, after in change_lines(row):
            lines.append(f"  {field}: {before!r} → {after!r}" if before else f"  {field}: {after!r}")
        self.detail.setPlainText("\n".join(lines))

    def save_csv(self) -> None:
        from placedesk.services.common.audit_log import write_audit_csv

        target = dialogs.choose_save_file(self, "Save audit log", "placedesk-audit.csv", "CSV files (*.csv)")
        if target is None:
            return
        try:
            with self.ctx.action() as session:
                count = write_audit_csv(session, self.filters(), target)
        except (ValidationError, PlaceDeskError) as exc:
            self.status.setText(str(exc))
            return
        self.ctx.notify(["audit_event"])
        self.status.setText(f"Wrote {count} event(s) to {target}.")


def show_audit_log(parent: QWidget, ctx: AppContext) -> AuditLogWindow:
    """Open the audit log beside the main window (not modal) and list the latest events."""
    window = AuditLogWindow(ctx, parent)
    window.show()
    window.refresh()
    return window


def _who(row: AuditRow) -> str:
    """The officer's name, and on a team server the login that made the change."""
    name = row.officer or "(no officer)"
    return f"{name} (login {row.login})" if row.login else name
