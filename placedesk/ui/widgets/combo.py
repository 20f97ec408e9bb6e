"""Reading and setting a combo box's item data, enums included.

Qt hands string enums stored as item data back as plain ``str``; comparing
that with ``is SomeEnum.X`` silently fails, so every screen reads choices here.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from PySide6.QtWidgets import QComboBox

E = TypeVar("E", bound=enum.Enum)


def enum_data(combo: QComboBox, kind: type[E]) -> E | None:
    """The current item's data as a member of ``kind``; None for a "choose…" item (data None or "")."""
    value = combo.currentData()
    return None if value is None or value == "" else kind(value)


def set_combo_data(combo: QComboBox, value: Any) -> None:
    """Select the item whose data is ``value`` (the first item when there is none)."""
    combo.setCurrentIndex(max(combo.findData(value), 0))
