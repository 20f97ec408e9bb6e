"""The fee lines editor: named weekly lines, amounts parsed strictly, and the running total."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.errors import ValidationError
from placedesk.models.enums import FeeLineKind
from placedesk.ui.widgets.fee_lines_editor import FeeLinesEditor


@pytest.fixture
def editor(qtbot: QtBot) -> FeeLinesEditor:
    widget = FeeLinesEditor()
    qtbot.addWidget(widget)
    widget.set_lines([])
    widget.show()
    return widget


def test_lines_are_typed_totalled_and_returned_in_pence(qtbot: QtBot, editor: FeeLinesEditor) -> None:
    qtbot.keyClicks(editor.amount_edit(0), "£3,950.5")
    qtbot.mouseClick(editor.add_button, Qt.LeftButton)
    editor.kind_combo(1).setCurrentIndex(list(FeeLineKind).index(FeeLineKind.EDUCATION))
    qtbot.keyClicks(editor.description_edit(1), "On-site school")
    qtbot.keyClicks(editor.amount_edit(1), "600")
    assert "£4,550.50" in editor.total_label.text()
    assert editor.lines() == [(FeeLineKind.CORE, "", 395050), (FeeLineKind.EDUCATION, "On-site school", 60000)]


def test_a_bad_amount_names_its_line(qtbot: QtBot, editor: FeeLinesEditor) -> None:
    qtbot.mouseClick(editor.add_button, Qt.LeftButton)
    qtbot.keyClicks(editor.amount_edit(0), "100")
    qtbot.keyClicks(editor.amount_edit(1), "12.345")
    assert "check the amounts" in editor.total_label.text()
    with pytest.raises(ValidationError, match="Fee line 2: '12.345' is not an amount of money"):
        editor.lines()
    assert editor.amount_edit(1).property("invalid") is True


def test_removing_a_line_takes_it_out_of_the_total(qtbot: QtBot, editor: FeeLinesEditor) -> None:
    editor.set_lines([(FeeLineKind.CORE, "Core", 100000), (FeeLineKind.OTHER, "Transport", 5000)])
    assert "£1,050.00" in editor.total_label.text()
    qtbot.mouseClick(editor.remove_button(0), Qt.LeftButton)
    assert editor.row_count() == 1
    assert editor.lines() == [(FeeLineKind.OTHER, "Transport", 5000)]


def test_no_lines_at_all_is_refused(editor: FeeLinesEditor) -> None:
    with pytest.raises(ValidationError, match="at least one fee line"):
        editor.lines()
