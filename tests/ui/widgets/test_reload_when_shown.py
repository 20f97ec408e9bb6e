"""A screen reloads on change notices only while shown, once for a burst, and when next shown otherwise."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from placedesk.ui.widgets.reload_when_shown import ReloadWhenShown


def test_a_hidden_screen_reloads_once_when_it_is_shown(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    reloads: list[int] = []
    reloader = ReloadWhenShown(widget, lambda: reloads.append(1))
    reloader.request()
    reloader.request()
    assert reloads == []
    widget.show()
    qtbot.waitUntil(lambda: reloads == [1])
    reloader.request()
    assert reloads == [1, 1]


def test_a_burst_of_notices_on_screen_reloads_once_after_the_delay(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    reloads: list[int] = []
    reloader = ReloadWhenShown(widget, lambda: reloads.append(1), delay_ms=20)
    for _ in range(3):
        reloader.request()
    assert reloads == []
    qtbot.waitUntil(lambda: reloads == [1])
    qtbot.wait(60)
    assert reloads == [1]


def test_a_reload_made_another_way_clears_what_was_pending(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    reloads: list[int] = []
    reloader = ReloadWhenShown(widget, lambda: reloads.append(1))
    reloader.request()
    reloader.clear()
    widget.show()
    qtbot.wait(20)
    assert reloads == []
