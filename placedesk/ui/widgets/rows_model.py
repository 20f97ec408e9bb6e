"""A small read-only table model over rows a service returned, with optional tick boxes.

Used for the shortlist, the excluded providers, the offer comparison and the
recipient list: each row is a tuple of display values, a key (usually a
UUID) and a tooltip. When ``checkable`` the first column carries a tick box
the officer can toggle with the mouse or the space bar.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Row:
    """One table row: what each column shows, the row's key, and its tooltip."""

    values: Sequence[Any]
    key: Hashable = None
    tooltip: str = ""
    # Per-column text colours, by column number.
    colours: dict[int, QColor] = field(default_factory=dict)


class RowsModel(QAbstractTableModel):
    """Rows of plain values; right-aligned numeric columns; tick boxes in column 0 when asked."""

    checks_changed = Signal()

    def __init__(self, headings: Sequence[str], *, checkable: bool = False,
                 numeric_columns: Sequence[int] = ()) -> None:
        super().__init__()
        self._headings = list(headings)
        self._rows: list[Row] = []
        self._checkable = checkable
        self._checked: set[Hashable] = set()
        self._numeric = set(numeric_columns)

    def set_rows(self, rows: Sequence[Row], checked: Sequence[Hashable] = ()) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._checked = {key for key in checked if any(r.key == key for r in self._rows)}
        self.endResetModel()
        self.checks_changed.emit()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def key(self, row: int) -> Hashable:
        return self._rows[row].key

    def row_of(self, key: Hashable) -> int:
        return next(i for i, r in enumerate(self._rows) if r.key == key)

    def checked_keys(self) -> list[Hashable]:
        """Ticked keys in row order."""
        return [r.key for r in self._rows if r.key in self._checked]

    def set_checked(self, key: Hashable, checked: bool) -> None:
        if checked:
            self._checked.add(key)
        else:
            self._checked.discard(key)
        row = self.row_of(key)
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [Qt.CheckStateRole])
        self.checks_changed.emit()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headings)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self._headings[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if self._checkable and index.column() == 0:
            flags |= Qt.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.DisplayRole:
            value = row.values[index.column()]
            return "" if value is None else str(value)
        if role == Qt.ToolTipRole:
            return row.tooltip or None
        if role == Qt.CheckStateRole and self._checkable and index.column() == 0:
            return Qt.Checked if row.key in self._checked else Qt.Unchecked
        if role == Qt.TextAlignmentRole and index.column() in self._numeric:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and index.column() in row.colours:
            return QBrush(row.colours[index.column()])
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.EditRole) -> bool:
        if role != Qt.CheckStateRole or not self._checkable or index.column() != 0:
            return False
        checked = Qt.CheckState(value) == Qt.Checked if not isinstance(value, bool) else value
        self.set_checked(self._rows[index.row()].key, checked)
        return True
