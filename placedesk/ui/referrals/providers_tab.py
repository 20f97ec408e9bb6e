"""The Providers tab: the directory, searchable and filterable, with each provider's detail and the Ofsted import.

Filters: type, local authority, Ofsted judgement, vacancy, framework status
and suspension. Selecting a provider shows its services, rates,
inspections, placements and CAPs. "Import Ofsted list…" reads Ofsted's
published providers list (CSV or XLSX) in the background, with progress and
a Cancel button that undoes it, and reports what it added, updated and
skipped, with the line of every unread row. A list whose columns PlaceDesk
does not recognise opens the column-mapping dialog first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from placedesk.models.enums import ContractRoute, OfstedJudgement, ProviderType, RiskLevel
from placedesk.errors import PlaceDeskError
from placedesk.services.referrals.ofsted_import import OfstedImportReport, import_ofsted_providers, report_lines
from placedesk.services.referrals.ofsted_layout import ColumnsNotRecognised
from placedesk.services.common.parsing import format_date, format_money
from placedesk.services.referrals.providers import ProviderDetail, local_authorities, provider_detail
from placedesk.services.referrals.record_lists import provider_list
from placedesk.ui.widgets.palette import signal
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext, touches
from placedesk.ui.widgets.paged_model import PagedTableModel
from placedesk.ui.widgets.reload_when_shown import ReloadWhenShown
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.referrals.column_mapping_dialog import ColumnMappingDialog
from placedesk.ui.referrals.import_progress import CancellableImport, ImportCancelled, run_cancellable
from placedesk.ui.tasks import show_error
from placedesk.ui.widgets.empty_state import EmptyState
from placedesk.ui.widgets.list_panel import ListPanel

RED = signal("#b00020")
AMBER = signal("#a15c00")
RELOAD_DELAY_MS = 150
IMPORT_FILTERS = "Ofsted providers list (*.csv *.xlsx);;CSV files (*.csv);;Excel workbooks (*.xlsx)"


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


def report_text(report: OfstedImportReport) -> str:
    """The import report as the officer reads it: counts first, then every skipped row by reason and line."""
    return "\n".join(report_lines(report))


def _table(headings: list[str], rows: list[list[str]], empty: str) -> str:
    """A small HTML table whose cells never wrap, so dates stay whole."""
    if not rows:
        return f"<p><i>{escape(empty)}</i></p>"
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td style='white-space:nowrap'>{escape(text)}</td>" for text in row)
                   + "</tr>" for row in rows)
    return f"<table cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{body}</table>"


def _items(items: list[str], empty: str) -> str:
    """Already-escaped HTML items as a list (narrow panes read lists better than wide tables)."""
    if not items:
        return f"<p><i>{escape(empty)}</i></p>"
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def detail_html(detail: ProviderDetail) -> str:
    """The provider detail pane: services, rates, inspections, placements and CAPs."""
    p = detail.provider
    address = ", ".join(x for x in (p.address_line1, p.address_line2, p.town, p.postcode) if x)
    route = p.contract_route.label + (f" ({p.framework_name})" if p.framework_name else "")
    parts = [
        f"<h2>{escape(p.name)}</h2>",
        f"<p>{escape(detail.type_label)} · {escape(p.ref)}" + (f" · URN {escape(p.urn)}" if p.urn else "")
        + f"<br>{escape(address or 'No address recorded')}"
        + (f"<br>{escape(p.local_authority)}" if p.local_authority else "") + "</p>",
    ]
    if detail.closed_reason:
        parts.append(f"<p style='color:{RED.name()}'><b>Closed to new referrals:</b> {escape(detail.closed_reason)}</p>")
    parts.append(
        f"<p><b>Ofsted:</b> {escape(p.ofsted_judgement.label)}"
        + (f" ({format_date(p.last_inspection_date)})" if p.last_inspection_date else "")
        + f"<br><b>Contract:</b> {escape(route)}<br><b>Rates:</b> {escape(detail.rates)}"
        + f"<br><b>Places:</b> {p.places}, <b>vacancies:</b> {p.vacancies}"
        + f"<br><b>Monitoring risk:</b> {escape(detail.risk_level.label)}</p>")
    if detail.risk_reasons:
        parts.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in detail.risk_reasons) + "</ul>")
    parts.append("<h3>Services</h3>")
    parts.append("<p>" + (escape(", ".join(detail.capabilities)) if detail.capabilities
                          else "<i>No needs or risks recorded that it can meet.</i>") + "</p>")
    parts.append("<h3>Inspections</h3>")
    parts.append(_table(["Date", "Judgement", "Type"],
                        [[format_date(i.inspection_date), i.judgement.label, i.inspection_type]
                         for i in detail.inspections], "No inspections recorded."))
    parts.append(f"<h3>Placements ({detail.active_placements} active)</h3>")
    parts.append(_items(
        [f"<b>{escape(pl.ref)}</b> · {escape(pl.child_name or pl.initials)} ({escape(pl.case_reference)}) · "
         f"{format_date(pl.start_date)} to {format_date(pl.end_date) or 'now'} · "
         f"{format_money(pl.weekly_total_pence)} a week" for pl in detail.placements],
        "No placements with this provider."))
    parts.append("<h3>CAPs</h3>")
    parts.append(_items(
        [f"<b>{escape(c.ref)}</b> · {escape(c.severity.label)} · {escape(c.status.label)} · opened "
         f"{format_date(c.opened_on)}"
         + (f" · <span style='color:{RED.name()}'>{c.overdue_actions} overdue action"
            f"{'s' if c.overdue_actions != 1 else ''}</span>" if c.overdue_actions else "")
         + f"<br>{escape(c.issue)}" for c in detail.caps],
        "No corrective action plans."))
    return "".join(parts)


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
        empty.add_action("Import Ofsted list…", self.import_ofsted)
        empty.finish()
        self.empty = empty
        self.list = ListPanel(self.model, search_hint="Search by name, URN, town, postcode or local authority",
                              empty=empty, noun="providers")
        self.list.add_filter("provider_type", "Type", [("All types", None)] + [(t.label, t.value) for t in ProviderType])
        self.la_filter = self.list.add_filter("local_authority", "Local authority", [("Any LA", None)])
        self.list.add_filter("ofsted_judgement", "Ofsted judgement",
                             [("Any judgement", None)] + [(j.label, j.value) for j in OfstedJudgement])
        self.list.add_filter("contract_route", "Framework status",
                             [("Any route", None)] + [(r.label, r.value) for r in ContractRoute])
        self.list.add_filter("has_vacancy", "Vacancy", [("Any vacancy", None), ("Has a vacancy", True), ("Full", False)])
        self.list.add_filter("suspended", "Suspension", [("Any suspension", None), ("Open to referrals", False),
                                                         ("Suspended", True)])
        self.list.selected.connect(self.show_provider)
        # Let the filters shrink so the detail pane has room; each still shows enough to read.
        for key in ("provider_type", "local_authority", "ofsted_judgement", "contract_route", "has_vacancy",
                    "suspended"):
            combo = self.list.filter_combo(key)
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.list.search.setMinimumWidth(150)

        self.import_button = QPushButton("&Import Ofsted list…")
        self.import_button.setToolTip("Add and refresh providers from Ofsted's published list (CSV or XLSX), by URN")
        self.import_button.clicked.connect(self.import_ofsted)
        self.running_import: CancellableImport | None = None
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.import_button)

        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Provider details")
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select a provider to see its services, rates, inspections, placements "
                                       "and CAPs.")
        self.report = QPlainTextEdit()
        self.report.setAccessibleName("Import report")
        self.report.setReadOnly(True)
        self.report_label = QLabel("<b>Last Ofsted import</b>")
        self.report_box = QWidget()
        report_layout = QVBoxLayout(self.report_box)
        report_layout.setContentsMargins(0, 0, 0, 0)
        report_layout.addWidget(self.report_label)
        report_layout.addWidget(self.report)
        self.report_box.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 3)
        right_layout.addWidget(self.report_box, 2)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 440])
        self.detail.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        # Once for a burst of notices, after the action that sent them has finished drawing,
        # and only when the directory is on screen.
        self._reloader = ReloadWhenShown(self, self._reload, delay_ms=RELOAD_DELAY_MS)
        self.list.reload()
        self._fill_local_authorities()

    def _fill_local_authorities(self) -> None:
        current = self.la_filter.currentData()
        with self.ctx.read() as session:
            names = local_authorities(session)
        self.la_filter.blockSignals(True)
        self.la_filter.clear()
        self.la_filter.addItem("Any LA", None)
        for name in names:
            self.la_filter.addItem(name, name)
        index = self.la_filter.findData(current) if current else 0
        self.la_filter.setCurrentIndex(max(index, 0))
        self.la_filter.blockSignals(False)

    def on_changed(self, changed: frozenset[str]) -> None:
        if touches(changed, "provider", "inspection", "placement", "cap"):
            self._reloader.request()

    def _reload(self) -> None:
        self.list.reload()
        self._fill_local_authorities()
        self.show_provider(self.list.current_id())

    def show_provider(self, provider_id: uuid.UUID | None) -> None:
        """Show the provider's detail (or the guidance when none is selected)."""
        if provider_id is None:
            self.detail.clear()
            return
        try:
            with self.ctx.read() as session:
                self.detail.setHtml(detail_html(provider_detail(session, provider_id, today=dt.date.today())))
        except PlaceDeskError as exc:
            self.detail.setPlainText(str(exc))

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        if record_id is None:
            return
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) == record_id:
                self.list.view.selectRow(row)
                return
        self.show_provider(record_id)

    def import_ofsted(self) -> None:
        """Ask for Ofsted's list and import it in the background, then show the report."""
        path = dialogs.choose_open_file(self, "Import Ofsted's providers list", IMPORT_FILTERS)
        if path is None:
            return
        self._run_import(path, None)

    def _run_import(self, path: Path, mapping: dict[str, str] | None) -> None:
        ctx, today = self.ctx, dt.date.today()
        laptop_id = ctx.settings.laptop_id or None
        self.import_button.setEnabled(False)

        def work(progress: Callable[[int, int], None]) -> OfstedImportReport:
            with ctx.action() as session:
                return import_ofsted_providers(session, path, today=today, laptop_id=laptop_id, mapping=mapping,
                                               progress=progress)

        def done(report: OfstedImportReport) -> None:
            self.import_button.setEnabled(True)
            text = report_text(report)
            self.report.setPlainText(text)
            self.report_label.setText(f"<b>Last Ofsted import</b> ({escape(report.path.name)})")
            self.report_box.show()
            ctx.notify(["provider", "inspection"])
            dialogs.inform(self, "Ofsted import", text.split("\n\n")[0])

        def failed(exc: BaseException) -> None:
            self.import_button.setEnabled(True)
            if isinstance(exc, ColumnsNotRecognised) and mapping is None:
                self._ask_mapping(path, exc)
            elif isinstance(exc, ImportCancelled):
                self.report.setPlainText(f"{path.name}: {exc}")
                self.report_box.show()
            else:
                show_error(self, exc)

        self.running_import = run_cancellable(self, f"Importing {path.name}…", work, done, failed)

    def _ask_mapping(self, path: Path, problem: ColumnsNotRecognised) -> None:
        """Let the officer say which column is which, then import with that mapping."""
        dialog = ColumnMappingDialog(path.name, problem, self)
        try:
            if dialogs.run_modal(dialog):
                self._run_import(path, dialog.mapping())
        finally:
            dialog.deleteLater()
