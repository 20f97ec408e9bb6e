"""Funding partners' shares typed as percentages, with each partner's weekly money.

Shares are parsed with placedesk.services.common.parsing.parse_percent and checked
with placedesk.services.referrals.funding.check_shares (they must add up to 100%);
the weekly amounts come from funding.split_by_element (the fee lines a partner
funds alone plus its share of the shared ones), so they are penny-exact and add
up to the weekly total.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from placedesk.errors import ValidationError
from placedesk.models.enums import FundingPartner
from placedesk.models.enums import LineFunding
from placedesk.services.referrals.funding import check_shares, split_by_element
from placedesk.services.common.parsing import format_money, format_percent, parse_percent
from placedesk.ui.widgets.field_error import mark_invalid


class SharesEditor(QWidget):
    """One percentage box per funding partner, the total, and the weekly split."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, show_money: bool = False) -> None:
        super().__init__(parent)
        self._show_money = show_money
        self._lines: list[tuple[int, LineFunding]] | None = None
        self.edits: dict[FundingPartner, QLineEdit] = {}
        self.money: dict[FundingPartner, QLabel] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for row, partner in enumerate(FundingPartner):
            edit = QLineEdit()
            edit.setPlaceholderText("0")
            edit.setMaximumWidth(90)
            edit.setAccessibleName(f"{partner.label} share")
            edit.textChanged.connect(lambda _: self._refresh())
            self.edits[partner] = edit
            grid.addWidget(QLabel(partner.label), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(QLabel("%"), row, 2)
            money = QLabel()
            money.setMinimumWidth(110)
            self.money[partner] = money
            if show_money:
                grid.addWidget(money, row, 3)
        grid.setColumnStretch(4, 1)
        self.total_label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.total_label)
        self._refresh()

    def set_shares(self, shares_bp: Mapping[FundingPartner, int]) -> None:
        for partner, edit in self.edits.items():
            bp = shares_bp.get(partner)
            edit.setText(format_percent(bp).rstrip("%") if bp else "")
        self._refresh()

    def set_weekly_total(self, pence: int | None) -> None:
        """The weekly fee to split, all of it shared; None hides the amounts."""
        self.set_lines(None if pence is None else [(pence, LineFunding.SHARED)])

    def set_lines(self, lines: list[tuple[int, LineFunding]] | None) -> None:
        """The fee lines (weekly pence, who funds each) to split (award page); None hides the amounts."""
        self._lines = lines
        self._refresh()

    def _typed(self, field: str) -> dict[FundingPartner, int]:
        shares: dict[FundingPartner, int] = {}
        for partner, edit in self.edits.items():
            mark_invalid(edit, False)
            text = edit.text().strip()
            if not text:
                continue
            try:
                bp = parse_percent(text, field)
            except ValidationError as exc:
                mark_invalid(edit, True)
                raise ValidationError(f"{partner.label}: {exc}", field) from None
            if bp:
                shares[partner] = bp
        return shares

    def shares(self, field: str = "funding") -> dict[FundingPartner, int]:
        """The shares in basis points, checked to add up to 100%; raises ValidationError(field)."""
        shares = self._typed(field)
        try:
            check_shares(shares)
        except ValidationError as exc:
            raise ValidationError(str(exc), field) from None
        return shares

    def split(self) -> dict[FundingPartner, int] | None:
        """Each partner's weekly pence for the current total, or None while it cannot be worked out."""
        if self._lines is None:
            return None
        try:
            return split_by_element(self._lines, self._typed("funding"))
        except ValidationError:
            return None

    def _refresh(self) -> None:
        try:
            typed = self._typed("funding")
        except ValidationError:
            self.total_label.setText("Total: <i>check the percentages</i>")
            for label in self.money.values():
                label.setText("")
            self.changed.emit()
            return
        total = sum(typed.values())
        verdict = "" if total == 10000 else " — must be 100%"
        self.total_label.setText(f"Total: <b>{format_percent(total)}</b>{verdict}")
        split = self.split() if self._show_money else None
        for partner, label in self.money.items():
            label.setText(f"{format_money(split[partner])} a week" if split and partner in split else "")
        self.changed.emit()
