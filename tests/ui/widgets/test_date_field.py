"""The one date field: typed dd/mm/yyyy or ISO, strict, a calendar pop-up, the text selected on focus."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from placedesk.errors import ValidationError
from placedesk.ui.widgets.date_field import DateField


@pytest.fixture(scope="module")
def field() -> DateField:
    QApplication.instance() or QApplication([])
    return DateField(field="due_date")


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_any_date_typed_either_way_reads_back_as_itself(field: DateField, day: dt.date) -> None:
    field.setText(day.strftime("%d/%m/%Y"))
    assert field.date() == day
    field.setText(day.isoformat())
    assert field.date() == day


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=12))
def test_anything_else_is_refused_naming_the_field_never_guessed(field: DateField, text: str) -> None:
    field.setText(text)
    try:
        value = field.date()
    except ValidationError as exc:
        assert exc.field == "due_date" and str(exc)
        return
    # Accepted only in one of the two written forms, and then read exactly as written.
    written = text.strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", written) and value.isoformat() == written or \
        re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", written) and (value.day, value.month, value.year) == tuple(
            int(part) for part in written.split("/"))


def test_typing_over_a_selected_date_keeps_what_was_typed(qtbot: QtBot) -> None:
    field = DateField(dt.date(2026, 12, 2))
    qtbot.addWidget(field)
    field.show()
    field.line.setFocus()
    field.line.selectAll()
    qtbot.keyClicks(field.line, "19/12/2026")
    assert field.date() == dt.date(2026, 12, 19)


def test_the_calendar_pops_up_on_alt_down_and_picking_a_day_fills_the_field(qtbot: QtBot) -> None:
    field = DateField(dt.date(2026, 6, 15))
    qtbot.addWidget(field)
    field.show()
    changed: list[dt.date] = []
    field.dateChanged.connect(changed.append)
    qtbot.keyClick(field.line, Qt.Key_Down, Qt.AltModifier)
    assert field.popup is not None and field.popup.isVisible()
    assert field.popup.calendar.selectedDate() == QDate(2026, 6, 15)
    field.popup.calendar.clicked.emit(QDate(2026, 7, 1))
    assert field.text() == "01/07/2026" and changed == [dt.date(2026, 7, 1)]
    assert not field.popup.isVisible()


def test_an_optional_date_may_be_left_empty(qtbot: QtBot) -> None:
    field = DateField(required=False)
    qtbot.addWidget(field)
    assert field.date_or_none() is None and field.is_valid()
    with pytest.raises(ValidationError, match="dd/mm/yyyy"):
        field.date()
