"""The Monitoring tab's provider list: risk and KPI RAG at a glance, lazily paged and filterable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox

from placedesk.models.enums import ProviderType, Rag, RiskLevel
from placedesk.services.monitoring.view import monitoring_provider_list
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.style import RED, rag_colour, risk_colour
from placedesk.ui.widgets.paged_model import PagedTableModel
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel


def list_colour(key: str, value: Any) -> QColor | None:
    """Risk and KPI status in their colours; any overdue action in red."""
    if key == "risk" and isinstance(value, RiskLevel):
        return risk_colour(value)
    if key == "kpi_rag" and isinstance(value, Rag):
        return rag_colour(value)
    if key == "overdue" and value:
        return RED
    return None


def build_provider_list(ctx: AppContext, today: dt.date) -> ListPanel:
    """The list panel with its filters; starts on the providers under monitoring."""
    model = PagedTableModel(ctx, monitoring_provider_list(today), colour=list_colour)
    empty = EmptyState(
        "No providers to monitor yet",
        "Providers appear here once they are in the directory: import Ofsted's provider list on the Providers "
        "tab, or load the demo data (File › Load demo data).",
    )
    empty.finish()
    panel = ListPanel(model, search_hint="Search by name, reference, URN or town", empty=empty, noun="providers")
    scope = panel.add_filter("scope", "Which providers: all, or those with a child placed or a CAP open",
                             [("All providers", None), ("Monitored", "monitored")])
    risk = panel.add_filter("risk", "Risk", [("Any risk", None)] + [(r.label, r.value) for r in RiskLevel])
    kind = panel.add_filter("provider_type", "Type",
                            [("All types", None)] + [(t.label, t.value) for t in ProviderType])
    for combo in (scope, risk, kind):
        # Long type names would otherwise squeeze the search box to nothing.
        combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
    scope.setCurrentIndex(1)
    return panel


def size_columns(panel: ListPanel) -> None:
    """Keep the name column modest so risk, KPIs and overdue actions stay in view."""
    panel.view.setColumnWidth(0, 220)
    for column in range(1, panel.model.columnCount()):
        panel.view.resizeColumnToContents(column)
