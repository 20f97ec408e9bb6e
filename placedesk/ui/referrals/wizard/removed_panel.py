"""The Send page's view of what redaction removed from the pack's free text, highlighted and editable.

Each free-text field is shown as the pack will print it, every mark
(``[name removed]`` …) highlighted, with a list of what each replaced. The
officer may rewrite the text; the page saves edits with the send (or at once
with "Save edited text"), and the pack is redacted again from the edit.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from placedesk.services.referrals.pack_texts import PackText

HIGHLIGHT = QColor("#ffe08a")


class RemovedTextPanel(QWidget):
    """One free-text field at a time: the redacted text with its marks highlighted, editable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts: list[PackText] = []
        # The officer's edits by field, kept while they look at another field.
        self.edits: dict[str, str] = {}
        self._shown: str | None = None
        self.field = QComboBox()
        self.field.setAccessibleName("Free-text field of the pack")
        self.field.currentIndexChanged.connect(lambda _: self._show_field())
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("The field's text as the pack prints it; edit to change it")
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._remember_edit)
        self.removed = QLabel()
        self.removed.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("Save edited text")
        self.save_button.setToolTip("Keep your edits to the pack's free text and make the packs again")
        self.save_button.setEnabled(False)
        label = QLabel("&Field")
        label.setBuddy(self.field)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.field, 1)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.removed)

    def set_texts(self, texts: Sequence[PackText]) -> None:
        """Show these fields afresh (dropping unsaved edits), the first one with removals first."""
        self.texts = list(texts)
        self.edits = {}
        self._shown = None
        total = sum(len(t.redacted.removals) for t in self.texts)
        fields = sum(1 for t in self.texts if t.redacted.removals)
        if not self.texts:
            self.summary.setText("The referral has no free text, so nothing was removed from it.")
        elif total:
            self.summary.setText(f"<b>{total} identifying detail{'s' if total != 1 else ''} removed</b> from "
                                 f"{fields} field{'s' if fields != 1 else ''} of the free text (highlighted). "
                                 "Check the text reads well; edit it if it does not.")
        else:
            self.summary.setText("Nothing identifying was found in the free text. Check it before sending.")
        self.field.blockSignals(True)
        self.field.clear()
        for text in self.texts:
            count = len(text.redacted.removals)
            self.field.addItem(f"{text.label} ({count} removed)" if count else text.label, text.field)
        first = next((i for i, t in enumerate(self.texts) if t.redacted.removals), 0)
        self.field.setCurrentIndex(first if self.texts else -1)
        self.field.blockSignals(False)
        self.field.setEnabled(bool(self.texts))
        self.editor.setEnabled(bool(self.texts))
        self._show_field()
        self.save_button.setEnabled(False)

    def _current(self) -> PackText | None:
        index = self.field.currentIndex()
        return self.texts[index] if 0 <= index < len(self.texts) else None

    def _show_field(self) -> None:
        text = self._current()
        self._shown = None
        self.editor.blockSignals(True)
        if text is None:
            self.editor.setPlainText("")
            self.removed.setText("")
        else:
            self.editor.setPlainText(self.edits.get(text.field, text.redacted.text))
            if text.field not in self.edits:
                self._highlight(text)
            else:
                self.editor.setExtraSelections([])
            removed = [f"“{r.original}” → {r.mark}" for r in text.redacted.removals]
            self.removed.setText("Removed here: " + "; ".join(removed) if removed else "Nothing removed here.")
        self.editor.blockSignals(False)
        self._shown = text.field if text is not None else None

    def _highlight(self, text: PackText) -> None:
        marks = []
        fmt = QTextCharFormat()
        fmt.setBackground(HIGHLIGHT)
        for removal in text.redacted.removals:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(removal.start)
            cursor.setPosition(removal.end, QTextCursor.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
            marks.append(selection)
        self.editor.setExtraSelections(marks)

    def _remember_edit(self) -> None:
        text = self._current()
        if text is None or self._shown != text.field:
            return
        typed = self.editor.toPlainText()
        if typed == text.redacted.text:
            self.edits.pop(text.field, None)
        else:
            self.edits[text.field] = typed
        self.save_button.setEnabled(bool(self.edits))

    def pending_edits(self) -> dict[str, str]:
        """The fields the officer has rewritten and not yet saved."""
        return dict(self.edits)
