"""Colours and small widget helpers the monitoring screens share.

Red is the one colour that means "act now" everywhere on the tab: red KPI
values, high risk, and every overdue CAP action.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDateEdit

from placedesk.models.enums import Rag, RiskLevel

RED = QColor("#b00020")
AMBER = QColor("#a15c00")
GREEN = QColor("#1e6b34")
MUTED = QColor("#5f6b7a")
RAG_COLOURS = {Rag.RED: RED, Rag.AMBER: AMBER, Rag.GREEN: GREEN}
RISK_COLOURS = {RiskLevel.HIGH: RED, RiskLevel.MEDIUM: AMBER, RiskLevel.LOW: GREEN}


def rag_colour(rag: Rag | None) -> QColor | None:
    return RAG_COLOURS.get(rag) if rag is not None else None


def risk_colour(risk: RiskLevel | None) -> QColor | None:
    return RISK_COLOURS.get(risk) if risk is not None else None


def date_edit(value: dt.date) -> QDateEdit:
    """A date input with a calendar, showing dates as officers write them."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setDate(QDate(value.year, value.month, value.day))
    return edit


def set_date(edit: QDateEdit, value: dt.date) -> None:
    edit.setDate(QDate(value.year, value.month, value.day))


def date_of(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


def with_unit(value: float, unit: str) -> str:
    """A KPI value as people read it: one decimal at most, ``92.5%`` or ``3 moves``."""
    number = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{number}%" if unit == "%" else f"{number} {unit}"


