"""The rows model behind the shortlist and recipient tables: tick boxes toggled by mouse or space bar."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from placedesk.ui.widgets.rows_model import Row, RowsModel


def test_ticks_follow_clicks_and_the_space_bar_and_survive_only_for_listed_keys(qtbot: QtBot) -> None:
    model = RowsModel(["Send", "Provider", "Score"], checkable=True, numeric_columns=(2,))
    model.set_rows([Row(["", "Oak", "61"], key="oak", tooltip="Ofsted: Good"),
                    Row(["", "Elm", "40"], key="elm")], checked=["elm", "gone"])
    assert model.checked_keys() == ["elm"]
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    rect = view.visualRect(model.index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    assert model.checked_keys() == ["oak", "elm"]
    view.setCurrentIndex(model.index(1, 0))
    qtbot.keyClick(view, Qt.Key_Space)
    assert model.checked_keys() == ["oak"]
    assert model.index(0, 1).data(Qt.ToolTipRole) == "Ofsted: Good"
    assert model.index(0, 2).data(Qt.TextAlignmentRole) == int(Qt.AlignRight | Qt.AlignVCenter)
