"""Signal colours stay readable when the system palette is dark."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from placedesk.ui.widgets.palette import is_dark, note_style, signal, tint


@pytest.fixture
def dark(qtbot: QtBot) -> Iterator[None]:
    app = QApplication.instance()
    before = app.palette()
    palette = QPalette(before)
    palette.setColor(QPalette.Window, QColor("#1e1e1e"))
    palette.setColor(QPalette.WindowText, QColor("#f0f0f0"))
    palette.setColor(QPalette.Base, QColor("#121212"))
    app.setPalette(palette)
    yield
    app.setPalette(before)


def test_on_a_light_palette_the_colours_are_as_designed(qtbot: QtBot) -> None:
    assert not is_dark()
    assert signal("#b00020") == QColor("#b00020") and tint("#fde2e1") == QColor("#fde2e1")


def test_on_a_dark_palette_red_is_lightened_and_tints_darkened(dark: None) -> None:
    assert is_dark()
    red = signal("#b00020")
    assert red.lightness() >= 170 and red.hslHue() == QColor("#b00020").hslHue()
    assert tint("#fde2e1").lightness() < 80
    assert tint("#eef4ff").name() in note_style("#eef4ff")
