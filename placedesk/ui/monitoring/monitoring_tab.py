"""The Monitoring tab: providers with risk at a glance and their detail, the dashboard, and what is due.

Three views: *Providers* (list on the left, the selected provider's KPIs,
inspections, visits, CAPs and outcomes on the right), *Dashboard* (figures
across all providers, worked out in the background) and *Due and overdue*
(reviews by risk and overdue CAP actions).
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout

from placedesk.errors import DatabaseBusy, EditConflict
from placedesk.services.common.listing import ListRequest
from placedesk.ui.context import AppContext, touches
from placedesk.ui.monitoring.dashboard_view import DashboardView
from placedesk.ui.monitoring.due_list import DueList
from placedesk.ui.monitoring.provider_detail import ProviderDetail
from placedesk.ui.monitoring.provider_list import build_provider_list, size_columns
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.tasks import run_task, show_error

MONITORING_TABLES = ("cap", "cap_action", "cap_review", "cap_sanction", "kpi_value", "kpi_definition",
                     "inspection", "monitoring_visit", "outcome_assessment", "provider", "placement", "star_scale")


class MonitoringTab(Tab):
    title = "Monitoring"
    handles = ("cap", "monitoring_visit", "kpi_value")

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.list = build_provider_list(ctx, self.today())
        self.detail = ProviderDetail(ctx, self.today)
        # A child placed with the provider: their page opens on the Children tab.
        self.detail.outcomes.child_requested.connect(lambda child_id: self.open_requested.emit("child", child_id))
        self.list.selected.connect(self._provider_selected)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([460, 820])
        self.dashboard = DashboardView(ctx, self.today)
        self.dashboard.provider_chosen.connect(self.open_provider)
        self.due = DueList(ctx, self.today)
        self.due.provider_chosen.connect(self.open_provider)
        self.views = QTabWidget()
        self.views.addTab(splitter, "Providers")
        self.views.addTab(self.dashboard, "Dashboard")
        self.views.addTab(self.due, "Due and overdue")
        self.views.currentChanged.connect(self._view_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.views)
        self._dashboard_stale = True
        self.list.reload()
        size_columns(self.list)
        self.due.refresh()
        self.refresh_risks()

    def refresh_risks(self, tries: int = 2) -> None:
        """Recompute every provider's stored risk in the background.

        Risk depends on the day (actions fall overdue, KPI months roll out of
        the window), so the stored levels are brought up to date whenever the
        tab opens; screens reload only if a level changed. A colleague saving a
        provider meanwhile refuses the refresh (their change is never
        overwritten); it is the window's own upkeep, not the officer's action,
        so it is simply tried again with their change, and else left to the
        next opening.
        """
        db = self.ctx.db
        today = self.today()

        def work() -> int:
            from placedesk.services.monitoring.risk import refresh_all_risks

            with db.session_scope() as session:
                return refresh_all_risks(session, today=today)

        def done(changed: int) -> None:
            if changed:
                self.ctx.notify({"provider"})

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, (EditConflict, DatabaseBusy)):
                show_error(self, exc)
            elif tries > 1:
                self.refresh_risks(tries - 1)

        run_task(self, "Bringing risk levels up to date…", work, done, failed)

    def today(self) -> dt.date:
        """The day monitoring is judged on (tests replace this)."""
        return dt.date.today()

    def _provider_selected(self, provider_id: uuid.UUID | None) -> None:
        self.detail.show_provider(provider_id)

    def _view_changed(self, index: int) -> None:
        if self.views.widget(index) is self.dashboard and self._dashboard_stale:
            self._dashboard_stale = False
            self.dashboard.refresh()

    def on_changed(self, changed: frozenset[str]) -> None:
        if not touches(changed, *MONITORING_TABLES):
            return
        self._dashboard_stale = True
        current = self.detail.overview.id if self.detail.overview else None
        self.list.reload()
        size_columns(self.list)
        self.due.refresh()
        if current is not None:
            self.detail.show_provider(current, keep_cap=True)
            self._select_in_list(current)
        if self.views.currentWidget() is self.dashboard:
            self._dashboard_stale = False
            self.dashboard.refresh()

    def _select_in_list(self, provider_id: uuid.UUID) -> bool:
        model = self.list.model
        while True:
            for row in range(model.rowCount()):
                if model.row_id(row) == provider_id:
                    blocker = self.list.view.selectionModel().blockSignals(True)
                    self.list.view.selectRow(row)
                    self.list.view.selectionModel().blockSignals(blocker)
                    return True
            if not model.canFetchMore():
                return False
            model.fetchMore()

    def open_provider(self, provider_id: uuid.UUID) -> None:
        """Show a provider's detail, widening the list's filters if they hide it."""
        self.views.setCurrentIndex(0)
        if not self._select_in_list(provider_id):
            for combo in (self.list.filter_combo("scope"), self.list.filter_combo("risk"),
                          self.list.filter_combo("provider_type")):
                combo.setCurrentIndex(0)
            self.list.search.clear()
            self.list.model.reload(ListRequest())
            self._select_in_list(provider_id)
        self.detail.show_provider(provider_id)

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        if record_id is None:
            return
        from placedesk.models import Cap, KpiValue, MonitoringVisit

        model = {"cap": Cap, "monitoring_visit": MonitoringVisit, "kpi_value": KpiValue}.get(entity)
        if model is None:
            return
        with self.ctx.read() as session:
            record = session.get(model, record_id)
            provider_id = record.provider_id if record is not None else None
        if provider_id is None:
            return
        self.open_provider(provider_id)
        tab = {"cap": self.detail.caps, "monitoring_visit": self.detail.visits, "kpi_value": self.detail.kpis}[entity]
        self.detail.tabs.setCurrentWidget(tab)
        if entity == "cap":
            self.detail.caps.select("cap", record_id)
