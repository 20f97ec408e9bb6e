"""The one date input: typed as dd/mm/yyyy (or ISO), with a calendar pop-up beside it.

Typing is never reinterpreted section by section (as QDateEdit does, which turned
a typed 19/12/2026 into 02/12/2026): the text is parsed strictly by
:func:`placedesk.services.common.parsing.parse_date` when it is read, and a bad
date raises a ValidationError naming the field, shown beside it by the form.
Focusing the field selects its text, so typing replaces it.
"""

from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QCalendarWidget, QLabel, QHBoxLayout, QLineEdit, QToolButton, QVBoxLayout, QWidget

from placedesk.errors import ValidationError
from placedesk.services.common.parsing import format_date, parse_date


class _SelectAllOnFocus(QObject):
    """Selects a line edit's text when it gains focus (after Qt has placed the cursor)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.FocusIn and isinstance(watched, QLineEdit):
            # After Qt has placed the cursor; the field may be gone by then (a dialog closed at once).
            QTimer.singleShot(0, lambda: watched.selectAll() if shiboken6.isValid(watched) else None)
        return False


class CalendarPopup(QWidget):
    """A month calendar in a pop-up window; picking a day hands it back and closes."""

    picked = Signal(object)  # dt.date

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.Popup)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Choose a date")
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.Monday)
        self.calendar.activated.connect(self._picked)
        self.calendar.clicked.connect(self._picked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)

    def _picked(self, value: QDate) -> None:
        self.picked.emit(dt.date(value.year(), value.month(), value.day()))
        self.close()


class DateField(QWidget):
    """A strict date input; ``date()`` parses it, ``set_date()`` fills it."""

    # Every change the officer makes (typing or the calendar).
    edited = Signal()
    # The field now holds a valid date (typed, picked or set by code).
    dateChanged = Signal(object)  # noqa: N815 - QDateEdit's name, which screens connect to
    # The officer left the field or pressed Enter.
    editingFinished = Signal()  # noqa: N815 - QLineEdit's name

    def __init__(self, value: dt.date | None = None, parent: QWidget | None = None, *,
                 field: str | None = None, required: bool = True) -> None:
        super().__init__(parent)
        # The form field name a bad date is reported against (set by FieldForm.add too).
        self.field_name = field
        self.required = required
        self.line = QLineEdit(format_date(value))
        self.line.setPlaceholderText("dd/mm/yyyy")
        self.line.setToolTip("Type the date as dd/mm/yyyy (31/03/2026) or 2026-03-31, or press Alt+Down "
                             "for a calendar")
        self.line.setMaxLength(10)
        self._focus_filter = _SelectAllOnFocus(self)
        self.line.installEventFilter(self._focus_filter)
        self.button = QToolButton()
        # An arrow, as on a drop-down: every font draws it (a calendar emoji is missing from many).
        self.button.setArrowType(Qt.DownArrow)
        self.button.setAccessibleName("Open the calendar")
        self.button.setToolTip("Choose the date on a calendar (Alt+Down)")
        self.button.setFocusPolicy(Qt.NoFocus)
        self.button.clicked.connect(self.open_calendar)
        self.popup: CalendarPopup | None = None
        self._forwarding = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)
        self.line.textEdited.connect(lambda _: self.edited.emit())
        self.line.textChanged.connect(self._text_changed)
        self.line.editingFinished.connect(self.editingFinished.emit)
        self.line.installEventFilter(self)
        self.setMaximumWidth(220)

    # --- reading and writing ------------------------------------------------------------
    def text(self) -> str:
        return self.line.text()

    def setText(self, text: str) -> None:  # noqa: N802 - the QLineEdit name pages already use
        self.line.setText(text)

    def clear(self) -> None:
        self.line.clear()

    def set_date(self, value: dt.date | None) -> None:
        self.line.setText(format_date(value))

    def setDate(self, value: dt.date) -> None:  # noqa: N802 - QDateEdit's name, for screens and tests
        self.set_date(value)

    def _text_changed(self, _: str) -> None:
        if self.is_valid() and not self.is_empty():
            self.dateChanged.emit(self.date())

    def is_empty(self) -> bool:
        return not self.line.text().strip()

    def date(self) -> dt.date:
        """The typed date; raises ValidationError (naming this field) if it is empty or not a date."""
        text = self.line.text().strip()
        if not text:
            raise ValidationError("Type the date as dd/mm/yyyy, e.g. 31/03/2026.", self.field_name)
        return parse_date(text, self.field_name)

    def date_or_none(self) -> dt.date | None:
        """The typed date, or None when left empty (for optional dates)."""
        return None if self.is_empty() else self.date()

    def is_valid(self) -> bool:
        if self.is_empty():
            return not self.required
        try:
            self.date()
        except ValidationError:
            return False
        return True

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt's name
        super().setAccessibleName(name)
        self.line.setAccessibleName(name)
        self.button.setAccessibleName(f"Open the calendar for {name.lower()}")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Keys sent to the field as a whole (accessibility tools, tests) go to its text; keys the
        # text did not want come back up here and go on to the parent as usual.
        if self._forwarding:
            event.ignore()
            return
        self._forwarding = True
        try:
            QApplication.sendEvent(self.line, event)
        finally:
            self._forwarding = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        # A form label whose buddy is this field names the text inside it too, for screen readers.
        if not self.line.accessibleName() and self.parentWidget() is not None:
            for label in self.parentWidget().findChildren(QLabel):
                if label.buddy() is self:
                    self.setAccessibleName(label.text().replace("&", "").rstrip(":* "))
                    break
        super().showEvent(event)

    # --- the calendar ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.line and event.type() == QEvent.KeyPress
                and event.key() == Qt.Key_Down and event.modifiers() & Qt.AltModifier):  # type: ignore[attr-defined]
            self.open_calendar()
            return True
        return False

    def open_calendar(self) -> None:
        if self.popup is None:
            self.popup = CalendarPopup(self)
            self.popup.picked.connect(self._picked)
        try:
            current = self.date()
        except ValidationError:
            current = dt.date.today()
        self.popup.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        self.popup.adjustSize()
        self.popup.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.popup.show()
        self.popup.calendar.setFocus(Qt.PopupFocusReason)

    def _picked(self, value: dt.date) -> None:
        self.set_date(value)
        self.line.setFocus(Qt.OtherFocusReason)
        self.edited.emit()


__all__ = ["CalendarPopup", "DateField"]
