"""Messages shown beside the input that is wrong, and a form that lays them out.

A :class:`FieldForm` is a two-column form whose every row has room, under
the input, for a red message that says what to fix. A page marks a field by
the ``field`` name a :class:`~placedesk.errors.ValidationError` carries.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from placedesk.ui.widgets.palette import signal
from placedesk.ui.widgets.date_field import DateField

ERROR_STYLE = f"color: {signal('#b00020').name()};"
LABEL_WIDTH = 170
FIELD_WIDTH = 560
INVALID_PROPERTY = "invalid"
# A red frame on the wrong input; the property lets the style sheet pick it out.
INVALID_SHEET = f"*[invalid=\"true\"] {{ border: 2px solid {signal('#b00020').name()}; border-radius: 3px; }}"


class FieldError(QLabel):
    """A red, word-wrapped message under an input; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


def align_captions(forms: list[FieldForm]) -> None:
    """Give every form's labels the width of the widest, so stacked sections line up."""
    width = max((c.sizeHint().width() for form in forms for c in form.captions), default=LABEL_WIDTH)
    for form in forms:
        for caption in form.captions:
            caption.setMinimumWidth(max(width, LABEL_WIDTH))


def on_edit(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the officer changes ``widget``'s value."""
    if isinstance(widget, DateField):
        widget.edited.connect(callback)
    elif isinstance(widget, QLineEdit):
        widget.textEdited.connect(lambda _: callback())
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
        widget.textChanged.connect(callback)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda _: callback())
        if widget.isEditable():
            widget.editTextChanged.connect(lambda _: callback())
    elif isinstance(widget, QAbstractButton):
        widget.toggled.connect(lambda _: callback())


def clear_when_fixed(widget: QWidget, error: FieldError) -> None:
    """Clear ``error`` (and the red frame) as soon as the field holds something valid.

    A date field is re-checked as it is typed, so its message stays until the date is
    a real one; any other field's message goes at the first change, since only the
    service can tell whether the new value is right.
    """

    def changed() -> None:
        if not error.isHidden() or bool(widget.property(INVALID_PROPERTY)):
            if isinstance(widget, DateField) and not widget.is_valid():
                return
            error.clear_message()
            mark_invalid(widget, False)

    on_edit(widget, changed)


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Frame ``widget`` in red (or not) and re-polish so the style sheet notices."""
    # Re-polishing is slow; clearing every field on every page change must cost nothing.
    if bool(widget.property(INVALID_PROPERTY)) == invalid:
        return
    widget.setProperty(INVALID_PROPERTY, invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldForm(QWidget):
    """A form whose rows are registered by field name, each with its own error line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignTop)
        self.fields: dict[str, tuple[QWidget, FieldError]] = {}
        self.captions: list[QLabel] = []

    def add(self, name: str, label: str, widget: QWidget, hint: str = "", *, wide: bool = False) -> QWidget:
        """Add ``widget`` as field ``name``; ``hint`` is a grey line of guidance under it.

        Inputs stop at a readable width unless ``wide`` (tables, lists of lines).
        """
        holder = QWidget()
        if not wide:
            holder.setMaximumWidth(FIELD_WIDTH)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setStyleSheet("color: palette(placeholder-text);")
            column.addWidget(hint_label)
        error = FieldError()
        column.addWidget(error)
        caption = QLabel(label)
        # One label width on every form of a page, so sections line up.
        caption.setMinimumWidth(LABEL_WIDTH)
        caption.setAlignment(Qt.AlignRight | Qt.AlignTop)
        caption.setContentsMargins(0, 4, 0, 0)
        caption.setBuddy(widget)
        self.captions.append(caption)
        self.form.addRow(caption, holder)
        self.fields[name] = (widget, error)
        widget.setAccessibleName(label.rstrip(":* "))
        if isinstance(widget, DateField) and widget.field_name is None:
            widget.field_name = name
        clear_when_fixed(widget, error)
        return widget
