"""Colours and small widget helpers the monitoring screens share.

Red is the one colour that means "act now" everywhere on the tab: red KPI
values, high risk, and every overdue CAP action.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor

from placedesk.models.enums import Rag, RiskLevel
from placedesk.ui.widgets.palette import signal
from placedesk.ui.widgets.date_field import DateField

# Chosen for a light window; palette.signal keeps them readable on dark and high-contrast ones.
RED = signal("#b00020")
AMBER = signal("#a15c00")
GREEN = signal("#1e6b34")
MUTED = signal("#5f6b7a")
RAG_COLOURS = {Rag.RED: RED, Rag.AMBER: AMBER, Rag.GREEN: GREEN}
RISK_COLOURS = {RiskLevel.HIGH: RED, RiskLevel.MEDIUM: AMBER, RiskLevel.LOW: GREEN}


def rag_colour(rag: Rag | None) -> QColor | None:
    return RAG_COLOURS.get(rag) if rag is not None else None


def risk_colour(risk: RiskLevel | None) -> QColor | None:
    return RISK_COLOURS.get(risk) if risk is not None else None


def date_edit(value: dt.date) -> DateField:
    """The app's one date input (typed dd/mm/yyyy or ISO, calendar pop-up), filled with ``value``."""
    return DateField(value)


def set_date(edit: DateField, value: dt.date) -> None:
    edit.set_date(value)


def date_of(edit: DateField) -> dt.date:
    """The date typed; a ValidationError naming the field when it is not one."""
    return edit.date()


def with_unit(value: float, unit: str) -> str:
    """A KPI value as people read it: one decimal at most, ``92.5%`` or ``3 moves``."""
    number = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{number}%" if unit == "%" else f"{number} {unit}"


