"""A table model that counts first and fetches rows page by page as the view scrolls.

Backed by :mod:`placedesk.services.common.listing`: sorting and filtering are SQL, so a
list of thousands of records opens in milliseconds and never freezes.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from placedesk.services.common.listing import ListRequest, ListSpec, count_rows, fetch_page
from placedesk.services.common.parsing import format_date, format_money
from placedesk.ui.context import AppContext

PAGE_SIZE = 200
Index = QModelIndex | QPersistentModelIndex


def display(value: Any, kind: str) -> str:
    """How a list value reads in a cell."""
    if value is None:
        return ""
    if kind == "money":
        return format_money(int(value))
    if kind == "date":
        return format_date(value)
    if kind == "initials":
        return str(value).upper()
    if kind == "bool":
        return "Yes" if value else ""
    if isinstance(value, enum.Enum):
        return getattr(value, "label", value.value)
    return str(value)


class PagedTableModel(QAbstractTableModel):
    """Rows of a :class:`ListSpec`, loaded lazily in pages."""

    def __init__(self, ctx: AppContext, spec: ListSpec,
                 colour: Callable[[str, Any], QColor | None] | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._spec = spec
        self._request = ListRequest()
        self._rows: list[tuple[Any, ...]] = []
        self._total = 0
        # Optional per-cell colour (e.g. red for Inadequate), by column key and value.
        self._colour = colour

    # The view asks for more rows when the officer scrolls near the end.
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid():
            return
        with self._ctx.read() as session:
            page = fetch_page(session, self._spec, self._request, len(self._rows), PAGE_SIZE)
        if not page:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def reload(self, request: ListRequest | None = None) -> None:
        """Count again and start from the first page (after a change or a new filter)."""
        self.beginResetModel()
        if request is not None:
            self._request = request
        with self._ctx.read() as session:
            self._total = count_rows(session, self._spec, self._request)
            self._rows = fetch_page(session, self._spec, self._request, 0, PAGE_SIZE)
        self.endResetModel()

    @property
    def spec(self) -> ListSpec:
        return self._spec

    @property
    def request(self) -> ListRequest:
        return self._request

    @property
    def total(self) -> int:
        """How many records match, loaded or not."""
        return self._total

    def row_id(self, row: int) -> uuid.UUID:
        return self._rows[row][0]

    def value(self, row: int, key: str) -> Any:
        keys = [c.key for c in self._spec.columns]
        return self._rows[row][1 + keys.index(key)]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._spec.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self._spec.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._spec.columns[index.column()]
        value = self._rows[index.row()][index.column() + 1]
        if role == Qt.DisplayRole:
            return display(value, column.kind)
        if role == Qt.TextAlignmentRole and column.kind in ("int", "money"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and self._colour is not None:
            colour = self._colour(column.key, value)
            return QBrush(colour) if colour is not None else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        spec_column = self._spec.columns[column]
        if not spec_column.sortable:
            return
        self.reload(ListRequest(self._request.text, self._request.filters, spec_column.key,
                                order == Qt.DescendingOrder))
