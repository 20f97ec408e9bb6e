"""One provider's monitoring: risk and its reasons, then KPIs, inspections, visits, CAPs and outcomes.

Everything shown is read at once with
:func:`placedesk.services.monitoring.view.load_overview`; each entry button
opens a dialog through ``dialogs.run_modal`` and the tab reloads on the change
notice the dialog sends.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from placedesk.errors import PlaceDeskError
from placedesk.models import Baseline, Cap, Child, Provider
from placedesk.models.enums import CapSource
from placedesk.services.monitoring.kpis import active_definitions, read_returns, suggest_mapping
from placedesk.services.monitoring.view import PlacementView, ProviderOverview, load_overview
from placedesk.services.monitoring.outcomes import readings
from placedesk.services.common.parsing import format_date
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.cap_dialogs import (
    ActionStatusDialog,
    AddActionDialog,
    CloseCapDialog,
    ChangeActionDialog,
    EscalateDialog,
    LiftSanctionDialog,
    OpenCapDialog,
    ReviewDialog,
)
from placedesk.ui.monitoring.cap_panel import CapPanel, Selection
from placedesk.ui.monitoring.inspections import InspectionDialog, InspectionsPanel
from placedesk.ui.monitoring.dialogs.kpi_definitions import KpiListDialog
from placedesk.ui.monitoring.dialogs.kpi_dialogs import ImportReturnsDialog, MonthGridDialog
from placedesk.ui.monitoring.kpi_panel import KpiPanel
from placedesk.ui.monitoring.dialogs.outcome_dialogs import OutcomeDialog, StarScaleDialog
from placedesk.ui.monitoring.outcomes_panel import OutcomesPanel
from placedesk.ui.monitoring.dialogs.report_dialog import ReportPeriodDialog
from placedesk.ui.monitoring.dialogs.risk_dialog import RiskOverrideDialog
from placedesk.ui.monitoring.style import MUTED, risk_colour
from placedesk.ui.monitoring.visits import VisitDialog, VisitsPanel
from placedesk.ui.tasks import run_task


class ProviderDetail(QWidget):
    """The right-hand side of the Monitoring tab for the selected provider."""

    loaded = Signal(object)  # ProviderOverview

    def __init__(self, ctx: AppContext, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today
        self.overview: ProviderOverview | None = None
        self.baseline = Baseline()
        self.title = QLabel("Choose a provider on the left to see its monitoring.")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.title.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setStyleSheet("color: palette(placeholder-text);")
        self.risk = QLabel()
        self.risk.setTextFormat(Qt.RichText)
        self.risk.setWordWrap(True)
        self.override_button = QPushButton("Override risk…")
        self.override_button.clicked.connect(self.override_risk)
        self.report_button = QPushButton("Monitoring report (PDF)…")
        self.report_button.clicked.connect(self.provider_report)
        header_buttons = QHBoxLayout()
        header_buttons.addWidget(self.risk, 1)
        header_buttons.addWidget(self.override_button, 0, Qt.AlignTop)
        header_buttons.addWidget(self.report_button, 0, Qt.AlignTop)
        self.kpis = KpiPanel()
        self.kpis.record_requested.connect(self.record_kpis)
        self.kpis.import_requested.connect(self.import_return)
        self.kpis.definitions_requested.connect(lambda: dialogs.run_modal(KpiListDialog(self.ctx, self)))
        self.inspections = InspectionsPanel()
        self.inspections.record_requested.connect(
            lambda: self._run(lambda pid: InspectionDialog(self.ctx, pid, self.today(), self)))
        self.visits = VisitsPanel()
        self.visits.record_requested.connect(
            lambda: self._run(lambda pid: VisitDialog(self.ctx, pid, self.today(), self.ctx.settings.officer.name,
                                                      self)))
        self.inspections.cap_requested.connect(
            lambda record_id, evidence: self.open_cap_from(CapSource.INSPECTION, record_id, evidence))
        self.visits.cap_requested.connect(
            lambda record_id, evidence: self.open_cap_from(CapSource.VISIT, record_id, evidence))
        self.caps = CapPanel()
        self.caps.requested.connect(self.cap_step)
        self.outcomes = OutcomesPanel()
        self.outcomes.placement_selected.connect(self.show_child)
        self.outcomes.record_requested.connect(self.record_outcome)
        self.outcomes.scale_requested.connect(lambda: dialogs.run_modal(StarScaleDialog(self.ctx, self)))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.kpis, "KPIs")
        self.tabs.addTab(self.inspections, "Inspections")
        self.tabs.addTab(self.visits, "Visits")
        self.tabs.addTab(self.caps, "CAPs")
        self.tabs.addTab(self.outcomes, "Placements and outcomes")
        self.tabs.currentChanged.connect(lambda _: self._fill_current())
        # Panels already showing the current overview; the others fill when first looked at.
        self._filled: set[int] = set()
        self._select_after_fill: Selection | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(header_buttons)
        layout.addWidget(self.tabs, 1)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        self.tabs.setEnabled(enabled)
        self.override_button.setEnabled(enabled)
        self.report_button.setEnabled(enabled)

    # --- showing -----------------------------------------------------------------------

    def show_provider(self, provider_id: uuid.UUID | None, *, keep_cap: bool = False) -> None:
        """Load and show a provider (``None`` clears the panel)."""
        if provider_id is None:
            self.overview = None
            self.title.setText("Choose a provider on the left to see its monitoring.")
            self.facts.clear()
            self.risk.clear()
            self._set_enabled(False)
            return
        selected = self.caps.selection() if keep_cap else None
        # The versions of what is shown: a form opened from here is checked against them on save.
        self.baseline.clear()
        with self.ctx.read(self.baseline) as session:
            overview = load_overview(session, provider_id, today=self.today())
        self.overview = overview
        self.title.setText(overview.name)
        inspected = f" ({format_date(overview.last_inspection)})" if overview.last_inspection else ""
        self.facts.setText(" · ".join(part for part in (overview.ref, f"URN {overview.urn}" if overview.urn else "",
                                                         overview.provider_type,
                                                         f"Ofsted: {overview.ofsted}{inspected}") if part))
        self.risk.setText(self._risk_html(overview))
        self._set_enabled(True)
        self._filled.clear()
        self._select_after_fill = selected
        self._fill_current()
        self.loaded.emit(overview)

    def _fill_current(self) -> None:
        """Show the overview in the visible panel only; the rest wait until they are opened."""
        overview = self.overview
        index = self.tabs.currentIndex()
        if overview is None or index in self._filled:
            return
        self._filled.add(index)
        panel = self.tabs.widget(index)
        if panel is self.caps:
            selected = self._select_after_fill
            self._select_after_fill = None
            self.caps.show_overview(overview, select_cap=selected.cap_id if selected else None)
            if selected is not None:
                self.caps.select(selected.kind, selected.id)
        elif isinstance(panel, (KpiPanel, InspectionsPanel, VisitsPanel, OutcomesPanel)):
            panel.show_overview(overview)

    @staticmethod
    def _risk_html(overview: ProviderOverview) -> str:
        colour = risk_colour(overview.risk)
        name = colour.name() if colour is not None else "black"
        head = f"<b>Risk: <span style='color:{name}'>{overview.risk.label}</span></b>"
        if overview.overridden:
            head += (f" (officer override; computed {overview.computed_risk.label.lower()}) – "
                     f"{overview.override_reason}")
        reasons = "; ".join(r.reason for r in overview.reasons) or "no risk factors found"
        return f"{head}<br/><span style='color:{MUTED.name()}'>Why: {reasons}</span>"

    def show_child(self, placement: PlacementView | None) -> None:
        if placement is None:
            return
        with self.ctx.read() as session:
            child = session.get(Child, placement.child_id)
            found = readings(session, child) if child is not None else []
        self.outcomes.show_readings(placement.child_name, found)

    # --- entry ------------------------------------------------------------------------

    def _run(self, build: Callable[[uuid.UUID], QWidget]) -> bool:
        if self.overview is None:
            return False
        return dialogs.run_modal(build(self.overview.id))

    def record_kpis(self) -> None:
        self._run(lambda pid: MonthGridDialog(self.ctx, pid, self.overview.name if self.overview else "",
                                              self.today(), self.today(), self))

    def import_return(self) -> None:
        if self.overview is None:
            return
        path = dialogs.choose_open_file(self, "Import a provider's KPI return",
                                        "Returns (*.csv *.xlsx);;All files (*)")
        if path is None:
            return
        try:
            table = read_returns(path)
        except PlaceDeskError as exc:
            dialogs.warn(self, "Import KPI return", str(exc))
            return
        with self.ctx.read() as session:
            provider = session.get(Provider, self.overview.id)
            assert provider is not None
            suggested = suggest_mapping(session, provider, table.headers)
            kpis = [(d.code, d.name) for d in active_definitions(session)]
        dialog = ImportReturnsDialog(self.ctx, self.overview.id, Path(path), table, suggested, kpis, self.today(),
                                     self)
        if dialogs.run_modal(dialog) and dialog.result_value is not None:
            dialogs.inform(self, "KPI return imported", dialog.result_value.summary())

    def record_outcome(self) -> None:
        placement = self.outcomes.current()
        if placement is None:
            return
        if dialogs.run_modal(OutcomeDialog(self.ctx, placement.child_id, placement.child_name, placement.id,
                                           self.today(), self)):
            self.show_child(placement)

    def override_risk(self) -> None:
        overview = self.overview
        if overview is None:
            return
        explanation = "\n".join(f"{r.level.label}: {r.reason}" for r in overview.reasons) or "No risk factors."
        with self.ctx.read() as session:
            provider = session.get(Provider, overview.id)
            assert provider is not None
            current, reason = provider.risk_override, provider.risk_override_reason
        dialogs.run_modal(RiskOverrideDialog(self.ctx, overview.id, overview.computed_risk, explanation, current,
                                             reason, self))

    def open_cap_from(self, source: CapSource, record_id: uuid.UUID, evidence: str) -> None:
        """Open a CAP prompted by a visit or inspection, with its evidence filled in."""
        overview = self.overview
        if overview is None:
            return
        placements = [(p.id, f"{p.ref} – {p.child_name}") for p in overview.placements if p.end_date is None]
        if dialogs.run_modal(OpenCapDialog(self.ctx, overview.id, placements, self.today(), self, source=source,
                                           source_id=record_id, evidence=evidence)):
            self.tabs.setCurrentWidget(self.caps)

    def cap_step(self, step: str, selection: Selection | None) -> None:
        """Run one CAP step on the selected plan, action or sanction."""
        overview = self.overview
        if overview is None:
            return
        today = self.today()
        if step == "open":
            placements = [(p.id, f"{p.ref} – {p.child_name}") for p in overview.placements if p.end_date is None]
            dialogs.run_modal(OpenCapDialog(self.ctx, overview.id, placements, today, self))
            return
        if selection is None:
            dialogs.inform(self, "CAPs", "Choose a CAP (or one of its actions) in the list first.")
            return
        if step == "add_action":
            dialogs.run_modal(AddActionDialog(self.ctx, selection.cap_id, selection.cap_ref, today, self))
        elif step == "update_action" and selection.kind == "action":
            dialogs.run_modal(ActionStatusDialog(self.ctx, selection.id, selection.label, today, self))
        elif step == "change_action" and selection.kind == "action":
            dialogs.run_modal(ChangeActionDialog(self.ctx, selection.id, today, self))
        elif step == "review":
            review_id = selection.id if selection.kind == "review" else None
            dialogs.run_modal(ReviewDialog(self.ctx, selection.cap_id, selection.cap_ref, today, review_id,
                                           selection.label if review_id else "", self))
        elif step == "escalate":
            dialogs.run_modal(EscalateDialog(self.ctx, selection.cap_id, selection.cap_ref, today, self))
        elif step == "lift" and selection.kind == "sanction":
            dialogs.run_modal(LiftSanctionDialog(self.ctx, selection.id, selection.label, today, self))
        elif step == "close":
            dialogs.run_modal(CloseCapDialog(self.ctx, selection.cap_id, selection.cap_ref, today, self))
        elif step == "report":
            self.cap_report(selection.cap_id, selection.cap_ref)

    # --- reports ----------------------------------------------------------------------

    def cap_report(self, cap_id: uuid.UUID, cap_ref: str) -> None:
        path = dialogs.choose_save_file(self, "Save the CAP report", f"{cap_ref} CAP report.pdf", "PDF (*.pdf)")
        if path is None:
            return
        today = self.today()
        db = self.ctx.db

        def work() -> Path:
            from placedesk.fileio import atomic_write_bytes
            from placedesk.reports.cap_report import make_cap_report

            from placedesk.services.common.audit_log import record_export

            with db.session_scope() as session:
                cap = session.get(Cap, cap_id)
                assert cap is not None
                _, content = make_cap_report(session, cap, today=today)
                atomic_write_bytes(path, content)
                record_export(session, what=f"CAP report {cap_ref} (PDF)", target=path, records=1, entity="cap",
                              entity_id=cap_id)
            return path

        run_task(self, "Making the CAP report…", work, self._report_done)

    def provider_report(self) -> None:
        overview = self.overview
        if overview is None:
            return
        period = ReportPeriodDialog(overview.name, self.today(), self)
        if not dialogs.run_modal(period):
            return
        start, end = period.period()
        path = dialogs.choose_save_file(self, "Save the monitoring report",
                                        f"{overview.ref} monitoring {start.isoformat()} to {end.isoformat()}.pdf",
                                        "PDF (*.pdf)")
        if path is None:
            return
        today = self.today()
        db = self.ctx.db
        provider_id = overview.id

        def work() -> Path:
            from placedesk.fileio import atomic_write_bytes
            from placedesk.reports.provider_report import make_provider_report

            from placedesk.services.common.audit_log import record_export

            with db.session_scope() as session:
                provider = session.get(Provider, provider_id)
                assert provider is not None
                _, content = make_provider_report(session, provider, start=start, end=end, today=today)
                atomic_write_bytes(path, content)
                record_export(session, what=f"Monitoring report {start.isoformat()} to {end.isoformat()} (PDF)",
                              target=path, records=1, entity="provider", entity_id=provider_id)
            return path

        run_task(self, "Making the monitoring report…", work, self._report_done)

    def _report_done(self, path: Path) -> None:
        self.ctx.notify({"stored_document"})
        dialogs.inform(self, "Report saved", f"Saved to {path}. A copy is kept with the provider's documents.")


__all__ = ["ProviderDetail"]
