"""Say which column of an unrecognised Ofsted list holds each PlaceDesk field.

Shown when the importer cannot find the URN, provision type or name by the
spellings it knows. Each field sits beside a drop-down of the file's
columns (pre-filled with what was recognised), above a preview of the
first rows so the officer can see which column is which. The mapping is
remembered for files with the same header once the import succeeds; the
command line takes the same mapping as ``--map field="Header"``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.services.referrals.ofsted_layout import FIELDS, ColumnsNotRecognised

NOT_IN_FILE = "(not in this file)"


class ColumnMappingDialog(QDialog):
    """Each PlaceDesk field beside a drop-down of the file's columns, with a preview of the first rows."""

    def __init__(self, file_name: str, problem: ColumnsNotRecognised, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Which column is which?")
        self.headers = [h for h in problem.headers]
        where = f" (sheet '{problem.sheet}')" if problem.sheet else ""
        intro = QLabel(
            f"PlaceDesk does not recognise the columns of <b>{file_name}</b>{where}. Choose the column that "
            "holds each field; those marked * are needed. PlaceDesk remembers your choice for files with the "
            "same columns."
        )
        intro.setWordWrap(True)

        form_widget = QWidget()
        form = QFormLayout(form_widget)
        self.combos: dict[str, QComboBox] = {}
        for name, label, required, _ in FIELDS:
            combo = QComboBox()
            combo.addItem(NOT_IN_FILE, "")
            for header in self.headers:
                if header:
                    combo.addItem(header, header)
            guessed = problem.guess.get(name)
            if guessed:
                combo.setCurrentIndex(max(combo.findData(guessed), 0))
            combo.currentIndexChanged.connect(self._check)
            text = f"{label}{' *' if required else ''}"
            combo.setAccessibleName(label)
            caption = QLabel(f"&{text}" if not text.startswith("&") else text)
            caption.setBuddy(combo)
            form.addRow(caption, combo)
            self.combos[name] = combo
        fields = QScrollArea()
        fields.setWidget(form_widget)
        fields.setWidgetResizable(True)

        self.preview = QTableWidget(len(problem.preview), len(self.headers))
        self.preview.setAccessibleName("First rows of the file")
        self.preview.setHorizontalHeaderLabels(self.headers)
        self.preview.setEditTriggers(QTableWidget.NoEditTriggers)
        for row, values in enumerate(problem.preview):
            for column, value in enumerate(values[:len(self.headers)]):
                self.preview.setItem(row, column, QTableWidgetItem(value))
        self.preview.resizeColumnsToContents()
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_label = QLabel("First rows of the file:")
        preview_label.setBuddy(self.preview)
        preview_layout.addWidget(preview_label)
        preview_layout.addWidget(self.preview)

        split = QSplitter(Qt.Vertical)
        split.addWidget(fields)
        split.addWidget(preview_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(720, 620)
        self._check()

    def mapping(self) -> dict[str, str]:
        """Field -> the file's header, for every field given a column."""
        return {name: str(combo.currentData()) for name, combo in self.combos.items() if combo.currentData()}

    def choose(self, name: str, header: str) -> None:
        """Pick ``header`` for field ``name`` (as the officer would with the drop-down)."""
        combo = self.combos[name]
        combo.setCurrentIndex(max(combo.findData(header), 0))

    def _check(self) -> None:
        chosen = self.mapping()
        missing = [label for name, label, required, _ in FIELDS if required and name not in chosen]
        used: dict[str, str] = {}
        twice = ""
        for name, header in chosen.items():
            if header in used:
                twice = header
            used[header] = name
        if missing:
            self.message.setText("Choose a column for " + ", ".join(missing) + ".")
        elif twice:
            self.message.setText(f'"{twice}" is chosen for two fields: each column can hold only one.')
        else:
            self.message.setText("")
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not missing and not twice)


__all__ = ["NOT_IN_FILE", "ColumnMappingDialog"]
