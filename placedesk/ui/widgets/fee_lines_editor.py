"""An editor for a weekly fee as named lines: core fee, additional support, education, health.

Each line is a kind, a description and a weekly amount typed in pounds; the
amounts are parsed strictly (placedesk.services.common.parsing.parse_money) and the
running weekly total is shown under the lines. With ``show_funding`` each line
also says who funds it: one partner alone, or shared by the agreed shares.
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
from placedesk.models.enums import FeeLineKind, LineFunding
from placedesk.services.common.parsing import format_money, parse_money
from placedesk.ui.widgets.field_error import mark_invalid


# (kind, description, weekly pence): the shape placedesk.services.referrals.offers.FeeLineInput takes.
FeeLine = tuple[FeeLineKind, str, int]


class _Row:
    def __init__(self, number: int, kind: FeeLineKind, description: str, amount: str,
                 funded_by: LineFunding) -> None:
        self.kind = QComboBox()
        for item in FeeLineKind:
            self.kind.addItem(item.label, item)
        self.kind.setCurrentIndex(list(FeeLineKind).index(kind))
        self.kind.setAccessibleName(f"Fee line {number} kind")
        self.description = QLineEdit(description)
        self.description.setPlaceholderText("e.g. 1:1 support, 10 hours a week")
        self.description.setAccessibleName(f"Fee line {number} description")
        self.amount = QLineEdit(amount)
        self.amount.setPlaceholderText("0.00")
        self.amount.setMaximumWidth(120)
        self.amount.setAccessibleName(f"Fee line {number} weekly amount")
        self.funded_by = QComboBox()
        for item in LineFunding:
            # "Shared" is enough in a narrow column; the tooltip says by what.
            self.funded_by.addItem("Shared" if item is LineFunding.SHARED else f"{item.label} alone", item)
        self.funded_by.setToolTip("Shared: split by the agreed funding shares. A partner alone: that partner "
                                  "pays all of this line.")
        self.funded_by.setCurrentIndex(list(LineFunding).index(funded_by))
        self.funded_by.setAccessibleName(f"Fee line {number} funded by")
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName(f"Remove fee line {number}")

    def widgets(self, show_funding: bool) -> list[QWidget]:
        middle = [self.funded_by] if show_funding else []
        return [self.kind, self.description, self.amount, *middle, self.remove]


class FeeLinesEditor(QWidget):
    """Rows of fee lines with Add/Remove and the weekly total."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, show_funding: bool = False) -> None:
        super().__init__(parent)
        self._show_funding = show_funding
        self._rows: list[_Row] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        headings = ("Kind", "Description", "Weekly £") + (("Funded by",) if show_funding else ())
        for column, heading in enumerate(headings):
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
                 funded_by: LineFunding = LineFunding.SHARED) -> None:
        text = f"{amount_pence / 100:.2f}" if amount_pence is not None else ""
        row = _Row(len(self._rows) + 1, kind, description, text, funded_by)
        self._rows.append(row)
        r = len(self._rows)
        for column, widget in enumerate(row.widgets(self._show_funding)):
            self._grid.addWidget(widget, r, column)
        if not self._show_funding:
            row.funded_by.setParent(self)
            row.funded_by.hide()
        row.remove.clicked.connect(lambda: self._remove(row))
        row.amount.textChanged.connect(lambda _: self._update_total())
        row.amount.textChanged.connect(lambda _: self.changed.emit())
        row.kind.currentIndexChanged.connect(lambda _: self.changed.emit())
        row.funded_by.currentIndexChanged.connect(lambda _: self.changed.emit())
        self._update_total()

    def _remove(self, row: _Row) -> None:
        self._rows.remove(row)
        for widget in (row.kind, row.description, row.amount, row.funded_by, row.remove):
            self._grid.removeWidget(widget)
            # Hidden and unparented at once, so it never shows before the deferred delete runs.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        # Re-lay the remaining rows so no gap is left where the row was.
        for index, kept in enumerate(self._rows, start=1):
            for column, widget in enumerate(kept.widgets(self._show_funding)):
                self._grid.addWidget(widget, index, column)
        self._update_total()
        self.changed.emit()

    def set_lines(self, lines: Sequence[FeeLine], funded_by: Sequence[LineFunding] = ()) -> None:
        """Replace every row with ``lines`` (one empty core line when there are none).

        ``funded_by`` says who funds each line, in order; lines beyond it are shared.
        """
        for row in list(self._rows):
            self._remove(row)
        for index, (kind, description, pence) in enumerate(lines):
            self.add_line(kind, description, pence,
                          funded_by[index] if index < len(funded_by) else LineFunding.SHARED)
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

    def funding_combo(self, index: int) -> QComboBox:
        return self._rows[index].funded_by

    def funding(self) -> list[LineFunding]:
        """Who funds each line that :meth:`lines` returns, in the same order."""
        return [LineFunding(row.funded_by.currentData()) for row in self._rows
                if row.amount.text().strip() or row.description.text().strip()]

    def funded_amounts(self) -> list[tuple[int, LineFunding]] | None:
        """Each typed line's weekly pence and who funds it, or None while an amount does not parse."""
        result = []
        for row in self._rows:
            text = row.amount.text().strip()
            if not text:
                continue
            try:
                result.append((parse_money(text), LineFunding(row.funded_by.currentData())))
            except ValidationError:
                return None
        return result

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
