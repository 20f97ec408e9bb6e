"""The sync status panel: where bundles go, what is waiting, the last sync, and the history.

Buttons run the same actions as the File menu (send and receive, export,
import, conflicts, spreadsheets), each off the GUI thread with a progress
indicator. When no shared folder is set, the panel says how to set one.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from placedesk.ui.sync import sync_actions
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.widgets.empty_state import EmptyState


def _when(value: object) -> str:
    return value.astimezone().strftime("%d/%m/%Y %H:%M") if value else "never"  # type: ignore[attr-defined]


class SyncPanel(Tab):
    """Sharing with colleagues through the shared folder, at a glance."""

    title = "Sync"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        status_box = QGroupBox("Sharing with colleagues")
        form = QFormLayout(status_box)
        self.share_label = QLabel()
        self.share_label.setWordWrap(True)
        self.waiting_label = QLabel()
        self.last_sync_label = QLabel()
        self.conflicts_label = QLabel()
        form.addRow("Shared folder:", self.share_label)
        form.addRow("Waiting to send:", self.waiting_label)
        form.addRow("Last successful sync:", self.last_sync_label)
        form.addRow("Conflicts:", self.conflicts_label)
        layout.addWidget(status_box)

        buttons = QHBoxLayout()
        self.send_button = QPushButton("&Send and receive now")
        self.export_button = QPushButton("&Export bundle to folder…")
        self.import_button = QPushButton("&Import bundle…")
        self.conflicts_button = QPushButton("Resolve &conflicts…")
        self.spreadsheets_button = QPushButton("Spreadsheets for commissioners…")
        self.send_button.clicked.connect(lambda: sync_actions.send_and_receive(self, self.ctx))
        self.export_button.clicked.connect(lambda: sync_actions.export_to_folder(self, self.ctx))
        self.import_button.clicked.connect(lambda: sync_actions.import_from_file(self, self.ctx))
        self.conflicts_button.clicked.connect(lambda: sync_actions.show_conflicts(self, self.ctx))
        self.spreadsheets_button.clicked.connect(lambda: sync_actions.write_spreadsheets(self, self.ctx))
        for button in (self.send_button, self.export_button, self.import_button, self.conflicts_button,
                       self.spreadsheets_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.history_stack = QStackedWidget()
        self.empty = EmptyState(
            "No bundles sent or received yet",
            "Send and receive exchanges your changes with colleagues through the shared folder. "
            "Without a shared folder, export a bundle to a folder or USB stick and import theirs.",
        )
        self.history = QTableWidget(0, 6)
        self.history.setAccessibleName("Sync history")
        self.history.setHorizontalHeaderLabels(["When", "Sent or received", "Laptop", "Officer", "Records", "Status"])
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history_stack.addWidget(self.empty)
        self.history_stack.addWidget(self.history)
        layout.addWidget(self.history_stack, 1)
        self.refresh()

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, *sync_actions.SYNC_ENTITIES):
            self.refresh()

    def refresh(self) -> None:
        from placedesk.services.sync.outbox import recent_syncs, share_problem, sync_status

        shared = self.ctx.settings.shared_folder
        with self.ctx.read() as session:
            status = sync_status(session, shared)
            rows = recent_syncs(session)
        if shared.strip():
            problem = share_problem(shared)
            self.share_label.setText(shared + (f"\n{problem}" if problem else " (reachable)"))
        else:
            self.share_label.setText("Not set. Choose one in File › Officer profile and settings to send "
                                     "and receive automatically.")
        self.send_button.setEnabled(bool(shared.strip()))
        self.waiting_label.setText(f"{status.waiting} bundle(s)" if status.waiting else "nothing waiting")
        self.last_sync_label.setText(_when(status.last_sync_at))
        self.conflicts_label.setText(f"{status.open_conflicts} to resolve" if status.open_conflicts else "none")
        self.conflicts_button.setEnabled(status.open_conflicts > 0)
        self.history.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = [_when(row.when), row.direction, row.laptop_id, row.officer, f"{row.records:,}", row.status]
            for column, value in enumerate(values):
                self.history.setItem(index, column, QTableWidgetItem(value))
        self.history_stack.setCurrentIndex(1 if rows else 0)
