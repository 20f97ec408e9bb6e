"""The Referrals tab: every referral with its status, child, age, type sought and days open."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout

from placedesk.models.enums import ReferralStatus
from placedesk.services.record_lists import referral_list
from placedesk.ui.context import AppContext, touches
from placedesk.ui.paged_model import PagedTableModel
from placedesk.ui.tabs.base import Tab
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel


class ReferralsTab(Tab):
    title = "Referrals"
    handles = ("referral",)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.model = PagedTableModel(ctx, referral_list(dt.date.today()))
        empty = EmptyState(
            "No referrals yet",
            "A referral starts when a social worker asks for a placement. Start one here, "
            "or load the demo data (File › Load demo data) to see how PlaceDesk works.",
        )
        self.new_button = QPushButton("New referral…")
        self.new_button.clicked.connect(self.start_referral)
        empty.add_action("Start a referral", self.start_referral)
        empty.finish()
        self.list = ListPanel(self.model, search_hint="Search by referral or case reference", empty=empty,
                              noun="referrals")
        self.list.add_filter("status", "Status", [("All statuses", None)]
                             + [(status.label, status.value) for status in ReferralStatus])
        self.list.opened.connect(lambda referral_id: self.open_record("referral", referral_id))
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.list.reload()

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, "referral", "child", "referral_recipient", "offer", "placement"):
            self.list.reload()

    def start_referral(self) -> None:
        self.open_record("referral", None)

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Open the referral wizard, new or resumed at the page its state calls for."""
        from placedesk.ui.wizard.referral_wizard import open_referral_wizard

        open_referral_wizard(self.ctx, record_id, parent=self)
