"""An editor for a weekly fee as named lines: core fee, additional support, education, health.

Each line is a kind, a description and a weekly amount typed in pounds; the
amounts are parsed strictly (placedesk.services.common.parsing.parse_money) and the
running weekly total is shown under the lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import ValidationError
from placedesk.models.enums import FeeLineKind
from placedesk.services.common.parsing import format_money, parse_money
from placedesk.ui.widgets.field_error import mark_invalid


# (kind, description, weekly pence): the shape placedesk.services.referrals.offers.FeeLineInput takes.
FeeLine = tuple[FeeLineKind, str, int]


class _Row:
    def __init__(self, kind: FeeLineKind, description: str, amount: str) -> None:
        self.kind = QComboBox()
        for item in FeeLineKind:
            self.kind.addItem(item.label, item)
        self.kind.setCurrentIndex(list(FeeLineKind).index(kind))
        self.kind.setAccessibleName("Fee line kind")
        self.description = QLineEdit(description)
        self.description.setPlaceholderText("e.g. 1:1 support, 10 hours a week")
        self.description.setAccessibleName("Fee line description")
        self.amount = QLineEdit(amount)
        self.amount.setPlaceholderText("0.00")
        self.amount.setAccessibleName("Weekly amount in pounds")
        self.amount.setMaximumWidth(120)
        self.remove = QPushButton("Remove")


class FeeLinesEditor(QWidget):
    """Rows of fee lines with Add/Remove and the weekly total."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        for column, heading in enumerate(("Kind", "Description", "Weekly £")):
            label = QLabel(f"<b>{heading}</b>")
            self._grid.addWidget(label, 0, column)
        self._grid.setColumnStretch(1, 1)
        self.add_button = QPushButton("Add fee line")
        self.add_button.clicked.connect(lambda: self.add_line())
        self.total_label = QLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        bottom.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._grid)
        layout.addLayout(bottom)
        self._update_total()

    def add_line(self, kind: FeeLineKind = FeeLineKind.CORE, description: str = "", amount_pence: int | None = None,
                 ) -> None:
        text = f"{amount_pence / 100:.2f}" if amount_pence is not None else ""
        row = _Row(kind, description, text)
        self._rows.append(row)
        r = len(self._rows)
        self._grid.addWidget(row.kind, r, 0)
        self._grid.addWidget(row.description, r, 1)
        self._grid.addWidget(row.amount, r, 2)
        self._grid.addWidget(row.remove, r, 3)
        row.remove.clicked.connect(lambda: self._remove(row))
        row.amount.textChanged.connect(lambda _: self._update_total())
        row.amount.textChanged.connect(lambda _: self.changed.emit())
        row.kind.currentIndexChanged.connect(lambda _: self.changed.emit())
        self._update_total()

    def _remove(self, row: _Row) -> None:
        self._rows.remove(row)
        for widget in (row.kind, row.description, row.amount, row.remove):
            self._grid.removeWidget(widget)
            # Hidden and unparented at once, so it never shows before the deferred delete runs.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        # Re-lay the remaining rows so no gap is left where the row was.
        for index, kept in enumerate(self._rows, start=1):
            for column, widget in enumerate((kept.kind, kept.description, kept.amount, kept.remove)):
                self._grid.addWidget(widget, index, column)
        self._update_total()
        self.changed.emit()

    def set_lines(self, lines: Sequence[FeeLine]) -> None:
        """Replace every row with ``lines`` (one empty core line when there are none)."""
        for row in list(self._rows):
            self._remove(row)
        for kind, description, pence in lines:
            self.add_line(kind, description, pence)
        if not lines:
            self.add_line()

    def row_count(self) -> int:
        return len(self._rows)

    def amount_edit(self, index: int) -> QLineEdit:
        return self._rows[index].amount

    def description_edit(self, index: int) -> QLineEdit:
        return self._rows[index].description

    def kind_combo(self, index: int) -> QComboBox:
        return self._rows[index].kind

    def remove_button(self, index: int) -> QPushButton:
        return self._rows[index].remove

    def lines(self, field: str = "fee_lines") -> list[FeeLine]:
        """The parsed lines; a ValidationError names the line to fix. Empty rows are skipped."""
        result: list[FeeLine] = []
        for number, row in enumerate(self._rows, start=1):
            mark_invalid(row.amount, False)
            text = row.amount.text().strip()
            if not text and not row.description.text().strip():
                continue
            try:
                pence = parse_money(text, field)
            except ValidationError as exc:
                mark_invalid(row.amount, True)
                raise ValidationError(f"Fee line {number}: {exc}", field) from None
            result.append((FeeLineKind(row.kind.currentData()), row.description.text().strip(), pence))
        if not result:
            raise ValidationError("Add at least one fee line with its weekly amount.", field)
        return result

    def total_pence(self) -> int | None:
        """The weekly total, or None while some amount does not parse."""
        total = 0
        for row in self._rows:
            text = row.amount.text().strip()
            if not text:
                continue
            try:
                total += parse_money(text)
            except ValidationError:
                return None
        return total

    def _update_total(self) -> None:
        total = self.total_pence()
        self.total_label.setText(
            f"Weekly total: <b>{format_money(total)}</b>" if total is not None
            else "Weekly total: <i>check the amounts</i>"
        )
