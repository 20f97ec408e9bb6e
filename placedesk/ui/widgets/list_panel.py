"""A searchable, filterable, sortable record list with an empty state.

Typing in the search box, or picking a filter, reloads the paged model from
SQL; double-clicking (or Enter) opens the record through ``opened``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from placedesk.ui.widgets.paged_model import PagedTableModel
from placedesk.ui.widgets.empty_state import EmptyState


class ListPanel(QWidget):
    """Search box and filters over a lazily loaded table, or guidance when there is nothing."""

    opened = Signal(object)  # the record's UUID
    selected = Signal(object)  # UUID or None

    def __init__(self, model: PagedTableModel, *, search_hint: str, empty: EmptyState, noun: str) -> None:
        super().__init__()
        self.model = model
        self._noun = noun
        self.search = QLineEdit()
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        # Room for what is typed even beside several filters ("Sea…" was all that showed at 1280 wide).
        self.search.setMinimumWidth(200)
        self.search.setAccessibleName(f"Search {noun}")
        self.search.setToolTip(search_hint)
        self.count_label = QLabel()
        self._filters: dict[str, QComboBox] = {}
        self._bar = QHBoxLayout()
        self._bar.addWidget(self.search, 2)
        self.view = QTableView()
        self.view.setModel(model)
        self.view.setAccessibleName(noun[:1].upper() + noun[1:])
        # Show the list's own default order; enabling sorting sorts by the indicator at once.
        spec = model.spec
        if spec.default_sort:
            keys = [c.key for c in spec.columns]
            order = Qt.DescendingOrder if spec.default_descending else Qt.AscendingOrder
            self.view.horizontalHeader().setSortIndicator(keys.index(spec.default_sort), order)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.view.doubleClicked.connect(lambda index: self.opened.emit(model.row_id(index.row())))
        self.view.activated.connect(lambda index: self.opened.emit(model.row_id(index.row())))
        self.empty = empty
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(empty)
        layout = QVBoxLayout(self)
        layout.addLayout(self._bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)
        # Wait for a pause in typing before querying again.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.selected.emit(self.current_id()))
        model.modelReset.connect(self._update_state)
        model.rowsInserted.connect(lambda *_: self._update_count())

    def add_filter(self, key: str, label: str, choices: Sequence[tuple[str, object]]) -> QComboBox:
        """A drop-down filter; the first choice should mean 'any'."""
        combo = QComboBox()
        combo.setAccessibleName(label)
        combo.setToolTip(label)
        for text, value in choices:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _: self._apply_filter(key, combo.currentData()))
        self._filters[key] = combo
        self._bar.addWidget(combo, 1)
        return combo

    def add_widget(self, widget: QWidget) -> None:
        """Put a button (or other control) at the end of the search bar."""
        self._bar.addWidget(widget)

    def filter_combo(self, key: str) -> QComboBox:
        return self._filters[key]

    def current_id(self) -> uuid.UUID | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_id(rows[0].row()) if rows else None

    def reload(self) -> None:
        self.model.reload()
        self._size_columns()

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        for column in range(self.model.columnCount()):
            self.view.resizeColumnToContents(column)
            header.resizeSection(column, min(max(header.sectionSize(column), 70), 320))

    def _apply_search(self) -> None:
        request = self.model.request
        from placedesk.services.common.listing import ListRequest

        self.model.reload(ListRequest(self.search.text(), request.filters, request.sort_key, request.descending))

    def _apply_filter(self, key: str, value: object) -> None:
        self.model.reload(self.model.request.with_filter(key, value))

    def _searching(self) -> bool:
        return bool(self.model.request.text.strip() or self.model.request.filters)

    def _update_state(self) -> None:
        nothing_at_all = self.model.total == 0 and not self._searching()
        self.stack.setCurrentWidget(self.empty if nothing_at_all else self.view)
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setVisible(self.stack.currentWidget() is self.view)
        if total == 0 and self._searching():
            self.count_label.setText(f"No {self._noun} match: clear the search or filters to see them all.")
        else:
            self.count_label.setText(f"{total:,} {self._noun}" + (" shown" if not self._searching() else " match"))
