"""The installed Qt binding keeps Python's reference counts straight.

PySide6 6.12.0 on Python 3.11 lost a reference to ``None`` on every call that
returns nothing; a long session then aborted with "deallocating None". The
pin in pyproject.toml avoids it; this test fails if a bad release comes back.
"""

from __future__ import annotations

import sys

from pytestqt.qtbot import QtBot
from PySide6.QtWidgets import QLabel


def test_void_calls_do_not_leak_references_to_none(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert abs(sys.getrefcount(None) - before) < 100
