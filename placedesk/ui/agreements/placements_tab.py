"""The Placements tab: every placement with its agreement status, and the chosen one's agreement.

The list loads page by page from SQL (sortable by any column, searchable by
placement reference, case reference, the child's name or provider, filtered by agreement
status and by active/ended), so it opens at once on a large file. The child
appears by full name (the officer's screen; initials are only for what leaves
the laptop), and "Child's page" opens theirs.
Selecting a placement shows its IPA in the agreement panel, with the step
that comes next.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSplitter, QVBoxLayout

from placedesk.models.enums import AgreementStatus
from placedesk.services.agreements.ipa import NO_AGREEMENT, STATUS_LABELS, placement_agreement_list
from placedesk.ui.widgets.palette import signal
from placedesk.ui.agreements.agreement_panel import AgreementPanel
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.paged_model import PagedTableModel
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel

# Agreement status colours: what needs the officer's attention stands out.
_STATUS_COLOURS = {
    NO_AGREEMENT: signal("#b45309"),
    STATUS_LABELS[AgreementStatus.DRAFT]: signal("#b45309"),
    STATUS_LABELS[AgreementStatus.OFFICER_SIGNED]: signal("#1d4ed8"),
    STATUS_LABELS[AgreementStatus.COUNTERSIGNED]: signal("#15803d"),
}


def _colour(key: str, value: object) -> QColor | None:
    return _STATUS_COLOURS.get(str(value)) if key == "agreement" else None


class PlacementsTab(Tab):
    title = "Placements"
    handles = ("placement", "agreement")

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.model = PagedTableModel(ctx, placement_agreement_list(), _colour)
        empty = EmptyState(
            "No placements yet",
            "A placement is made when you award an offer on a referral. Its Individual Placement Agreement "
            "is then issued, signed and countersigned here. Start a referral, or load the demo data "
            "(File › Load demo data) to see how it works.",
        )
        empty.add_action("Start a referral", lambda: self.open_requested.emit("referral", None))
        empty.finish()
        self.list = ListPanel(self.model, search_hint="Search by placement, case reference, child's name or provider",
                              empty=empty, noun="placements")
        self.list.add_filter(
            "agreement", "Agreement status",
            [("Any agreement status", None), (NO_AGREEMENT, "none")]
            + [(STATUS_LABELS[s], s.value) for s in AgreementStatus],
        )
        self.list.add_filter("active", "Active or ended",
                             [("Active and ended", None), ("Active", True), ("Ended", False)])
        self.child_button = self.child_page_button("placement", self.list.current_id, self.list.view)
        self.list.add_widget(self.child_button)
        self.panel = AgreementPanel(ctx)
        self.list.selected.connect(self.panel.show_placement)
        self.list.opened.connect(self.panel.show_placement)
        self.panel.agreement_changed.connect(self._reselect)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([360, 540])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.list.reload()

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, "placement", "agreement", "placement_fee_line", "child", "provider"):
            self.list.reload()
            self._reselect()

    def _reselect(self) -> None:
        """Keep the placement the officer was working on selected after the list reloads."""
        current = self.panel.placement_id
        if current is not None:
            self.select(current)

    def select(self, placement_id: uuid.UUID) -> bool:
        """Select ``placement_id`` in the list if it is among the rows loaded; True when it was."""
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) == placement_id:
                view = self.list.view
                view.selectionModel().blockSignals(True)
                view.selectRow(row)
                view.selectionModel().blockSignals(False)
                view.scrollTo(self.model.index(row, 0))
                return True
        return False

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Show a placement (or the placement an agreement belongs to) and its agreement."""
        if record_id is None:
            return
        placement_id = record_id
        if entity == "agreement":
            from placedesk.services.agreements.ipa import get_agreement

            with self.ctx.read() as session:
                placement_id = get_agreement(session, record_id).placement_id
        self.panel.show_placement(placement_id)
        self.select(placement_id)


__all__ = ["PlacementsTab"]
