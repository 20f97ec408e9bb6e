"""The provider monitoring report for a period: KPIs with charts, inspections, visits and CAPs.

:func:`provider_report_data` gathers what the report shows for a period;
:func:`render_provider_report` draws it (KPI trend charts with
``reportlab.graphics``: the values, the target as a dashed line, red points
for red months); :func:`make_provider_report` does both and keeps the PDF as a
:class:`~placedesk.models.StoredDocument` of kind ``provider_report``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError
from placedesk.models import Cap, Inspection, Provider
from placedesk.models.enums import CapStatus, Rag
from placedesk.reports import fonts as fontlib
from placedesk.reports.common import quantity
from placedesk.reports.monitoring_layout import (
    CONTENT_WIDTH,
    INK,
    RAG_INK,
    RULE,
    build_pdf,
    facts,
    para,
    rag_style,
    styles,
    table,
)
from placedesk.services.monitoring.caps import cap_rag
from placedesk.services.common.documents import store_document
from placedesk.services.common.periods import month_start
from placedesk.services.monitoring.kpis import KpiPoint, provider_values
from placedesk.services.common.parsing import format_date
from placedesk.services.monitoring.risk import assess_provider
from placedesk.services.monitoring.visits import visits_for

TITLE = "Provider monitoring report"
KIND = "provider_report"
CHART_W, CHART_H = 84 * mm, 46 * mm


@dataclass
class KpiSeries:
    """One KPI's values over the period."""

    code: str
    name: str
    unit: str
    target: float
    points: list[KpiPoint] = field(default_factory=list)

    @property
    def latest(self) -> KpiPoint | None:
        return self.points[-1] if self.points else None

    @property
    def reds(self) -> int:
        return sum(1 for p in self.points if p.rag is Rag.RED)


@dataclass
class ProviderReportData:
    """Everything the provider monitoring report prints."""

    provider_ref: str
    provider: str
    start: dt.date
    end: dt.date
    made_on: dt.date
    facts: list[tuple[str, str]]
    risk_lines: list[str]
    kpis: list[KpiSeries] = field(default_factory=list)
    inspections: list[tuple[dt.date, str, str, str]] = field(default_factory=list)
    visits: list[tuple[dt.date, str, str, str, str]] = field(default_factory=list)
    caps: list[tuple[str, str, str, dt.date, str, int, int, Rag]] = field(default_factory=list)


def find_provider(session: Session, ref_or_urn: str) -> Provider:
    """The provider with this PlaceDesk reference or Ofsted URN."""
    key = ref_or_urn.strip()
    provider = session.scalar(select(Provider).where(or_(Provider.ref == key.upper(), Provider.urn == key)))
    if provider is None:
        raise NotFound(f"No provider has the reference or URN '{ref_or_urn}': check it on the Providers tab.")
    return provider


def provider_report_data(session: Session, provider: Provider, *, start: dt.date, end: dt.date,
                         today: dt.date) -> ProviderReportData:
    """Gather the report's contents for ``provider`` from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValidationError("The period ends before it starts: check the from and to dates.", "end")
    assessment = assess_provider(session, provider, today=today)
    risk_lines = [f"Computed: {assessment.level.label}"] + [f"{r.level.label}: {r.reason}" for r in assessment.reasons]
    if provider.risk_override is not None:
        risk_lines.insert(0, f"Officer override: {provider.risk_override.label} – {provider.risk_override_reason}")
    data = ProviderReportData(
        provider_ref=provider.ref, provider=provider.name, start=start, end=end, made_on=today,
        facts=[
            ("Provider", provider.name),
            ("Reference / URN", f"{provider.ref}{' / ' + provider.urn if provider.urn else ''}"),
            ("Type", provider.provider_type.label),
            ("Contract route", provider.contract_route.label
             + (f" ({provider.framework_name})" if provider.framework_name else "")),
            ("Ofsted judgement", f"{provider.ofsted_judgement.label}"
             + (f" ({format_date(provider.last_inspection_date)})" if provider.last_inspection_date else "")),
            ("Risk level", provider.effective_risk.label + (" (officer override)" if provider.risk_override else "")),
            ("Period", f"{format_date(start)} to {format_date(end)}"),
        ],
        risk_lines=risk_lines,
    )
    series: dict[str, KpiSeries] = {}
    for point in provider_values(session, provider, start=month_start(start), end=end):
        series.setdefault(point.code, KpiSeries(point.code, point.name, point.unit, point.target)).points.append(point)
    data.kpis = list(series.values())
    inspections = session.scalars(select(Inspection).where(
        Inspection.provider_id == provider.id, Inspection.inspection_date <= end).order_by(
        Inspection.inspection_date.desc()))
    for inspection in inspections:
        if inspection.inspection_date < start and data.inspections:
            break
        data.inspections.append((inspection.inspection_date, inspection.inspection_type,
                                 inspection.judgement.label, inspection.summary))
    for visit in visits_for(session, provider, start=start, end=end):
        data.visits.append((visit.visit_date, visit.visit_type.label, visit.rating.label if visit.rating else "",
                            visit.officer, visit.findings))
    caps = session.scalars(select(Cap).where(
        Cap.provider_id == provider.id, Cap.opened_on <= end,
        or_(Cap.closed_on.is_(None), Cap.closed_on >= start)).order_by(Cap.opened_on))
    for cap in caps:
        open_actions = sum(1 for a in cap.actions if a.status.value not in ("complete", "waived"))
        overdue = sum(1 for a in cap.actions if a.is_overdue(today))
        status = cap.status.label if cap.status is not CapStatus.CLOSED else f"Closed ({cap.outcome.label if cap.outcome else ''})"
        data.caps.append((cap.ref, cap.issue, status, cap.opened_on, cap.approach.label, open_actions, overdue,
                          cap_rag(cap, today)))
    return data


def kpi_chart(kpi: KpiSeries, fonts: fontlib.FontSet, width: float = CHART_W, height: float = CHART_H) -> Drawing:
    """A small trend chart: values over months, the target dashed, red months marked."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 9, f"{kpi.name[:44]} ({kpi.unit})", fontName=fonts.bold, fontSize=8,
                       fillColor=INK))
    plot = LinePlot()
    plot.x, plot.y = 26, 16
    plot.width, plot.height = width - 32, height - 32
    ordinals = [p.period.year * 12 + p.period.month for p in kpi.points]
    first = ordinals[0]
    xs = [o - first for o in ordinals]
    values = [p.value for p in kpi.points]
    plot.data = [list(zip(xs, values, strict=True))]
    low = min([*values, kpi.target])
    high = max([*values, kpi.target])
    if is_count(kpi):
        # Counts (complaints, incidents, moves) are whole numbers: so are the ticks.
        step = max(1, math.ceil((high - max(0.0, low - 1)) / 5))
        bottom = max(0, math.floor(low) - 1)
        top = bottom + step * max(1, math.ceil((high + 1 - bottom) / step))
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = bottom, top
        plot.yValueAxis.valueSteps = list(range(bottom, top + 1, step))
    else:
        pad = (high - low) * 0.1 or 1.0
        plot.yValueAxis.valueMin = max(0.0, low - pad)
        plot.yValueAxis.valueMax = high + pad
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max(xs[-1], 1)
    span = max(xs[-1], 1)
    step = max(1, round(span / 5))
    plot.xValueAxis.valueSteps = list(range(0, span + 1, step))
    plot.xValueAxis.labelTextFormat = lambda x: _month_label(first + int(x))
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = fonts.regular
        axis.labels.fontSize = 6.5
        axis.strokeColor = RULE
    plot.yValueAxis.labelTextFormat = "%g"
    plot.lines[0].strokeColor = colors.HexColor("#2b6cb0")
    plot.lines[0].strokeWidth = 1.2
    plot.lines[0].symbol = makeMarker("Circle", size=2.2)
    drawing.add(plot)
    # The target as a dashed line across the plot.
    y_range = plot.yValueAxis.valueMax - plot.yValueAxis.valueMin
    target_y = plot.y + (kpi.target - plot.yValueAxis.valueMin) / y_range * plot.height
    drawing.add(Line(plot.x, target_y, plot.x + plot.width, target_y, strokeColor=RAG_INK[Rag.GREEN],
                     strokeDashArray=[3, 2], strokeWidth=0.8))
    # Red months as red dots over the line.
    for x, p in zip(xs, kpi.points, strict=True):
        if p.rag is Rag.RED:
            cx = plot.x + x / plot.xValueAxis.valueMax * plot.width
            cy = plot.y + (p.value - plot.yValueAxis.valueMin) / y_range * plot.height
            marker = makeMarker("FilledCircle", size=3.5)
            marker.x, marker.y = cx, cy
            marker.fillColor = RAG_INK[Rag.RED]
            marker.strokeColor = RAG_INK[Rag.RED]
            drawing.add(marker)
    return drawing


def is_count(kpi: KpiSeries) -> bool:
    """A KPI counted in whole things (not a percentage), every value and its target whole."""
    return kpi.unit != "%" and all(float(v).is_integer() for v in [kpi.target, *(p.value for p in kpi.points)])


def with_unit(value: float, unit: str) -> str:
    """A KPI value as people read it: one decimal at most, ``92.5%``, ``1 move`` or ``3 moves``."""
    number = f"{value:.1f}".rstrip("0").rstrip(".")
    return quantity(float(number), unit)


def _month_label(ordinal: int) -> str:
    year, month = divmod(ordinal - 1, 12)
    return dt.date(year, month + 1, 1).strftime("%b %y")


def _story(data: ProviderReportData) -> list[Flowable]:
    st = styles()
    fonts = st
    w = CONTENT_WIDTH
    out: list[Flowable] = [
        para(f"{TITLE}: {data.provider}", st.title, fonts),
        para(f"{format_date(data.start)} to {format_date(data.end)} · made {format_date(data.made_on)}",
             st.small, fonts),
        Spacer(1, 6), facts(data.facts, st),
        para("Risk", st.heading, fonts),
    ]
    for line in data.risk_lines:
        out.append(para(line, st.body, fonts))
    out.append(para("KPIs", st.heading, fonts))
    if data.kpis:
        rows: list[list[Any]] = [[para(h, st.cell_bold, fonts) for h in
                                  ("KPI", "Target", "Latest", "Month", "RAG", "Red months")]]
        extra: list[tuple[Any, ...]] = []
        for i, k in enumerate(data.kpis, start=1):
            latest = k.latest
            assert latest is not None
            rows.append([para(k.name, st.cell, fonts), para(with_unit(k.target, k.unit), st.cell, fonts),
                         para(with_unit(latest.value, k.unit), st.cell, fonts),
                         para(latest.period.strftime("%b %Y"), st.cell, fonts),
                         para(latest.rag.label, st.cell_bold, fonts),
                         para(f"{k.reds} of {len(k.points)}", st.cell_right, fonts)])
            extra += rag_style(4, i, latest.rag)
        out.append(table(rows, [w * 0.36, w * 0.14, w * 0.14, w * 0.12, w * 0.1, w * 0.14], extra=extra))
        out.append(para("Charts: each month's value; the dashed green line is the target; red dots are red months.",
                        st.small, fonts))
        charts = [kpi_chart(k, st.fonts) for k in data.kpis]
        grid = [charts[i:i + 2] + [""] * (2 - len(charts[i:i + 2])) for i in range(0, len(charts), 2)]
        chart_table = Table(grid, colWidths=[w / 2, w / 2], hAlign="LEFT")
        chart_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        out.append(chart_table)
    else:
        out.append(para("No KPI values were recorded for this period. Record them in the month grid or import "
                        "the provider's return on the Monitoring tab.", st.body, fonts))
    out.append(para("Ofsted inspections", st.heading, fonts))
    if data.inspections:
        rows = [[para(h, st.cell_bold, fonts) for h in ("Date", "Type", "Judgement", "Summary")]]
        rows += [[para(format_date(d), st.cell, fonts), para(t, st.cell, fonts), para(j, st.cell, fonts),
                  para(s, st.cell, fonts)] for d, t, j, s in data.inspections]
        out.append(table(rows, [w * 0.13, w * 0.2, w * 0.22, w * 0.45]))
    else:
        out.append(para("No inspection is recorded up to the end of the period.", st.body, fonts))
    out.append(para("Visits and reviews", st.heading, fonts))
    if data.visits:
        rows = [[para(h, st.cell_bold, fonts) for h in ("Date", "Type", "Rating", "Officer", "Findings")]]
        rows += [[para(format_date(d), st.cell, fonts), para(t, st.cell, fonts), para(r or "–", st.cell, fonts),
                  para(o, st.cell, fonts), para(f, st.cell, fonts)] for d, t, r, o, f in data.visits]
        out.append(table(rows, [w * 0.12, w * 0.18, w * 0.16, w * 0.14, w * 0.4]))
    else:
        out.append(para("No visits or reviews in the period.", st.body, fonts))
    out.append(para("Corrective action plans", st.heading, fonts))
    if data.caps:
        rows = [[para(h, st.cell_bold, fonts) for h in
                 ("CAP", "Issue", "Status", "Opened", "Approach", "Open actions", "Overdue", "RAG")]]
        extra = []
        for i, (ref, issue, status, opened, approach, open_n, overdue, rag) in enumerate(data.caps, start=1):
            rows.append([para(ref, st.cell, fonts), para(issue, st.cell, fonts), para(status, st.cell, fonts),
                         para(format_date(opened), st.cell, fonts), para(approach, st.cell, fonts),
                         para(str(open_n), st.cell, fonts),
                         para(str(overdue), st.cell_red if overdue else st.cell, fonts),
                         para(rag.label, st.cell_bold, fonts)])
            extra += rag_style(7, i, rag)
        out.append(table(rows, [w * 0.17, w * 0.21, w * 0.11, w * 0.12, w * 0.11, w * 0.09, w * 0.11, w * 0.08],
                         extra=extra))
    else:
        out.append(para("No corrective action plan was open during the period.", st.body, fonts))
    return out


def render_provider_report(data: ProviderReportData) -> bytes:
    """The provider monitoring report as PDF bytes."""
    return build_pdf(_story(data), title=TITLE, reference=data.provider_ref, made_on=data.made_on,
                     subject=f"{TITLE} for {data.provider_ref}, {data.start.isoformat()} to {data.end.isoformat()}")


def make_provider_report(session: Session, provider: Provider, *, start: dt.date, end: dt.date, today: dt.date,
                         store: bool = True) -> tuple[str, bytes]:
    """Render the report (and keep it as a stored document); returns (file name, PDF bytes)."""
    content = render_provider_report(provider_report_data(session, provider, start=start, end=end, today=today))
    filename = f"{provider.ref} monitoring {start.isoformat()} to {end.isoformat()}.pdf"
    if store:
        store_document(session, filename, content, KIND)
    return filename, content


__all__ = ["KIND", "TITLE", "KpiSeries", "ProviderReportData", "find_provider", "kpi_chart", "make_provider_report", "with_unit",
           "provider_report_data", "render_provider_report"]
