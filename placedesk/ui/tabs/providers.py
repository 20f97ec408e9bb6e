"""The Providers tab: the directory, searchable and filterable by type, area, judgement and more."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout

from placedesk.models.enums import ContractRoute, OfstedJudgement, ProviderType, RiskLevel
from placedesk.services.record_lists import provider_list
from placedesk.ui.context import AppContext, touches
from placedesk.ui.paged_model import PagedTableModel
from placedesk.ui.tabs.base import Tab
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel

RED = QColor("#b00020")
AMBER = QColor("#a15c00")


def provider_colour(key: str, value: Any) -> QColor | None:
    """Inadequate, suspended and high risk stand out in the list."""
    if key == "ofsted_judgement" and value == OfstedJudgement.INADEQUATE:
        return RED
    if key == "ofsted_judgement" and value == OfstedJudgement.REQUIRES_IMPROVEMENT:
        return AMBER
    if key == "risk" and value == RiskLevel.HIGH:
        return RED
    if key == "suspended" and value:
        return RED
    return None


class ProvidersTab(Tab):
    title = "Providers"
    handles = ("provider",)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.model = PagedTableModel(ctx, provider_list(), colour=provider_colour)
        empty = EmptyState(
            "No providers yet",
            "Import Ofsted's published list of children's social care providers (CSV or XLSX) "
            "to fill the directory, or load the demo data (File › Load demo data).",
        )
        empty.finish()
        self.empty = empty
        self.list = ListPanel(self.model, search_hint="Search by name, URN, town, postcode or local authority",
                              empty=empty, noun="providers")
        self.list.add_filter("provider_type", "Type", [("All types", None)] + [(t.label, t.value) for t in ProviderType])
        self.list.add_filter("ofsted_judgement", "Ofsted judgement",
                             [("Any judgement", None)] + [(j.label, j.value) for j in OfstedJudgement])
        self.list.add_filter("contract_route", "Route", [("Any route", None)] + [(r.label, r.value) for r in ContractRoute])
        self.list.add_filter("has_vacancy", "Vacancy", [("Any vacancy", None), ("Has a vacancy", True), ("Full", False)])
        self.list.add_filter("suspended", "Suspension", [("Suspended or not", None), ("Open to referrals", False),
                                                         ("Suspended", True)])
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        self.list.reload()

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, "provider", "inspection"):
            self.list.reload()

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        if record_id is None:
            return
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) == record_id:
                self.list.view.selectRow(row)
                return
