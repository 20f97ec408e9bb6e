"""The side-by-side view of a colleague's change that refused the officer's save.

Shown through :func:`placedesk.ui.dialogs.resolve_edit_conflict` when a save
raises :class:`~placedesk.errors.EditConflict`: one row per field in
question, "Yours" beside "Theirs (changed by A. Khan at 10:42)", and two
deliberate ways on: keep theirs (the screen reloads, the officer's typing is
dropped) or apply yours over theirs (saved against their version, so the
overwrite is a recorded choice, never an accident). Escape goes back to the
form with nothing saved and nothing lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import EditConflict

KEEP_THEIRS = "theirs"
APPLY_MINE = "mine"


class EditConflictDialog(QDialog):
    """Field, yours, theirs; Keep theirs (the default) or Apply mine over theirs."""

    def __init__(self, conflict: EditConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.choice: str | None = None
        who = f"{conflict.changed_by} at {conflict.changed_time()}"
        self.setWindowTitle(f"Changed meanwhile by {conflict.changed_by}")
        layout = QVBoxLayout(self)

        what = "deleted" if conflict.deleted else "changed"
        self.heading = QLabel(f"<b>{conflict.changed_by} {what} this {conflict.record_label} at "
                              f"{conflict.changed_when()}</b>, after you opened it.")
        self.heading.setTextFormat(Qt.RichText)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.explain = QLabel("Nothing of yours has been saved yet. Compare the two versions (what they changed is "
                              "in bold), then keep theirs (the screen reloads with their version) or apply yours "
                              "over theirs.")
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)

        self.table = QTableWidget(len(conflict.clashes), 3)
        self.table.setHorizontalHeaderLabels(["Field", "Yours", f"Theirs (changed by {who})"])
        self.table.setAccessibleName("Your version and theirs, field by field")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(True)
        # Tab leaves the table for the buttons (the arrow keys move between its cells).
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        bold = QFont()
        bold.setBold(True)
        for row, clash in enumerate(conflict.clashes):
            cells = [clash.label, clash.yours, clash.theirs]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if clash.theirs_changed and column == 2:
                    # The fields the colleague actually changed stand out from those only you edited.
                    item.setFont(bold)
                    item.setToolTip(f"{text} (changed by {conflict.changed_by})")
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.table.setMinimumHeight(160)
        layout.addWidget(self.table, 1)
        if not conflict.clashes:
            self.table.hide()
            self.explain.setText(f"{conflict.changed_by} changed other details of this {conflict.record_label}. "
                                 "Keep theirs to see them, or apply yours over theirs.")

        self.buttons = QDialogButtonBox()
        self.keep_button = QPushButton("&Keep theirs (reload)")
        self.keep_button.setAccessibleName("Keep theirs and reload")
        self.apply_button = QPushButton("&Apply mine over theirs")
        self.apply_button.setAccessibleName("Apply mine over theirs")
        self.apply_button.setEnabled(not conflict.deleted)
        self.back_button = QPushButton("Back to my form")
        self.back_button.setAccessibleName("Back to my form without saving")
        self.buttons.addButton(self.keep_button, QDialogButtonBox.AcceptRole)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.AcceptRole)
        self.buttons.addButton(self.back_button, QDialogButtonBox.RejectRole)
        self.keep_button.clicked.connect(lambda: self._choose(KEEP_THEIRS))
        self.apply_button.clicked.connect(lambda: self._choose(APPLY_MINE))
        self.back_button.clicked.connect(self.reject)
        # Enter keeps theirs: the safe answer; overwriting a colleague takes a deliberate click or Alt+A.
        self.keep_button.setDefault(True)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        self.resize(760, min(560, 220 + 34 * max(len(conflict.clashes), 2)))
        QWidget.setTabOrder(self.table, self.keep_button)
        QWidget.setTabOrder(self.keep_button, self.apply_button)
        QWidget.setTabOrder(self.apply_button, self.back_button)
        # Focus starts on the comparison (read it first); Enter there still presses "Keep theirs".
        (self.table if conflict.clashes else self.keep_button).setFocus(Qt.OtherFocusReason)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()
