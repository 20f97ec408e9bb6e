"""The Coming up list as a two-level Qt model: groups (by when, or by kind) holding the items.

A model rather than a QTreeWidget: a regional caseload can have 20,000 rows,
and a model hands Qt each cell only when it is drawn instead of setting
every cell up front. Sorting sorts items within their groups; groups keep
their own order (overdue first) whichever way a column is sorted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from placedesk.services.care.coming_up import ComingUpItem, ItemKind
from placedesk.services.common.parsing import format_date
from placedesk.ui.care.child_panel import OVERDUE_BACKGROUND, OVERDUE_TEXT

COLUMNS = ["Due", "When", "Kind", "What", "Concerns"]
# internalId of a group row; an item row's internalId is its group's number + 1.
_GROUP = 0
_Index = QModelIndex | QPersistentModelIndex


def when_text(item: ComingUpItem, today: dt.date) -> str:
    """``Overdue by 3 days``, ``Today``, ``Tomorrow``, ``In 5 days``."""
    days = (item.due_on - today).days
    if item.overdue:
        return f"Overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    return f"In {days} days"


def when_group(item: ComingUpItem, today: dt.date) -> tuple[int, str]:
    """The group an item falls in by date, with the group's place in the list."""
    days = (item.due_on - today).days
    if item.overdue:
        return 0, "Overdue"
    if days == 0:
        return 1, "Today"
    if days <= 7:
        return 2, "Next 7 days"
    return 3, "Later"


@dataclass
class Group:
    rank: int
    name: str
    items: list[ComingUpItem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.name} ({len(self.items)})"


def _sort_key(item: ComingUpItem, column: int) -> Any:
    if column in (0, 1):
        return (item.due_on, item.title.lower())
    if column == 2:
        return (item.kind.label, item.due_on)
    if column == 3:
        return (item.title.lower(), item.due_on)
    return (item.screen_subject.lower(), item.due_on)


class ComingUpModel(QAbstractItemModel):
    """Groups of Coming up items, read-only."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[Group] = []
        self.today = dt.date.today()
        self._sort = (0, Qt.AscendingOrder)
        self._bold = QFont()
        self._bold.setBold(True)
        self._overdue_background = QBrush(OVERDUE_BACKGROUND)
        self._overdue_text = QBrush(OVERDUE_TEXT)

    # --- contents ------------------------------------------------------------------------

    def set_items(self, items: list[ComingUpItem], today: dt.date, *, by_kind: bool) -> None:
        """Replace the contents, grouped by kind or by when each item falls."""
        self.beginResetModel()
        self.today = today
        groups: dict[str, Group] = {}
        kind_order = {k: n for n, k in enumerate(ItemKind)}
        for item in items:
            rank, name = (kind_order[item.kind], item.kind.label) if by_kind else when_group(item, today)
            group = groups.get(name)
            if group is None:
                group = groups[name] = Group(rank, name)
            group.items.append(item)
        self.groups = sorted(groups.values(), key=lambda g: g.rank)
        self._sort_items()
        self.endResetModel()

    def _sort_items(self) -> None:
        column, order = self._sort
        for group in self.groups:
            group.items.sort(key=lambda i: _sort_key(i, column), reverse=order == Qt.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self.beginResetModel()
        self._sort = (column, order)
        self._sort_items()
        self.endResetModel()

    def item(self, index: _Index) -> ComingUpItem | None:
        """The item on an item row; None for a group row or an invalid index."""
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self.groups[index.internalId() - 1].items[index.row()]

    def items_in_order(self) -> list[ComingUpItem]:
        return [item for group in self.groups for item in group.items]

    # --- Qt model -------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        if not parent.isValid():
            if 0 <= row < len(self.groups) and 0 <= column < len(COLUMNS):
                return self.createIndex(row, column, _GROUP)
            return QModelIndex()
        if parent.internalId() != _GROUP:
            return QModelIndex()
        group = self.groups[parent.row()]
        if 0 <= row < len(group.items) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self.groups[parent.row()].items)
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        if index.internalId() == _GROUP:
            return Qt.ItemIsEnabled
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            group = self.groups[index.row()]
            if index.column() != 0:
                return None
            if role == Qt.DisplayRole:
                return group.title
            if role == Qt.FontRole:
                return self._bold
            if role == Qt.ForegroundRole and group.name == "Overdue":
                return self._overdue_text
            return None
        item = self.groups[index.internalId() - 1].items[index.row()]
        column = index.column()
        if role == Qt.DisplayRole:
            if column == 0:
                return format_date(item.due_on)
            if column == 1:
                return when_text(item, self.today)
            if column == 2:
                return item.kind.label
            if column == 3:
                return item.title
            return item.screen_subject
        if item.overdue:
            if role == Qt.BackgroundRole:
                return self._overdue_background
            if role == Qt.ForegroundRole:
                return self._overdue_text
            if role == Qt.FontRole and column == 1:
                return self._bold
        if role == Qt.ToolTipRole and column == 3:
            return "Double-click or press Enter to open"
        return None
