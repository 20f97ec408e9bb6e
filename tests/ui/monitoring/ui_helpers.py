"""Building blocks for Monitoring UI tests: a context on the test database and a dialog filler."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.ui.context import AppContext

TODAY = dt.date(2026, 6, 15)


def make_ctx(db: Database) -> AppContext:
    settings = Settings()
    settings.officer.name = "Test Officer"
    settings.laptop_id = "T1"
    return AppContext(db, settings)


def pick(combo: QComboBox, data: Any) -> None:
    """Choose the item whose data is ``data``, as the officer would from the list."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def filling(fill: Callable[[Any], None], seen: list[Any] | None = None) -> Callable[[QDialog], bool]:
    """An answer for ``run_modal``: fill the real dialog's widgets, press Save, report whether it closed."""

    def answer(dialog: QDialog) -> bool:
        if seen is not None:
            seen.append(dialog)
        fill(dialog)
        dialog.accept()
        return dialog.result() == QDialog.Accepted

    return answer
