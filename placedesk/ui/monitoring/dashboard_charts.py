"""The dashboard's four charts (QtCharts): RAG by provider type, KPI reds over time,
open and overdue CAP actions by provider, weekly spend by funding partner.

Counts are drawn on whole-number axes. Each chart keeps its view and is
refilled when the figures change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QGridLayout, QWidget

from placedesk.models.enums import FundingPartner, ProviderType, Rag
from placedesk.services.common.parsing import format_money
from placedesk.services.monitoring.dashboard_series import DashboardCharts
from placedesk.ui.monitoring.style import AMBER, GREEN, RED

BLUE = QColor("#2b6cb0")
GREY = QColor("#8a94a6")
CHART_HEIGHT = 200


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Chart(QChartView):
    """A titled chart view with an accessible name, refilled in place."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title
        self._keep: list[object] = []
        self.setRenderHint(QPainter.Antialiasing)
        self.setMinimumHeight(CHART_HEIGHT)
        self.setAccessibleName(title)
        self.reset()

    def reset(self, empty: str = "") -> QChart:
        chart = QChart()
        chart.setTitle(f"{self._title}" + (f" – {empty}" if empty else ""))
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.legend().setAlignment(Qt.AlignBottom)
        self.setChart(chart)
        self._keep = [chart]
        return chart


def _count_axis(maximum: float) -> QValueAxis:
    """A whole-number axis from 0 that fits ``maximum`` with at most six ticks."""
    step = max(1, math.ceil(maximum / 5)) if maximum > 0 else 1
    top = max(step, step * math.ceil(maximum / step)) if maximum > 0 else 1
    axis = QValueAxis()
    axis.setRange(0, top)
    axis.setTickCount(int(top / step) + 1)
    axis.setLabelFormat("%d")
    return axis


def _attach(chart: QChart, series: object, categories: Sequence[str], values_axis: QValueAxis,
            *, horizontal: bool = False) -> list[object]:
    chart.addSeries(series)  # type: ignore[arg-type]
    category_axis = QBarCategoryAxis()
    category_axis.append(list(categories))
    chart.addAxis(category_axis, Qt.AlignLeft if horizontal else Qt.AlignBottom)
    chart.addAxis(values_axis, Qt.AlignBottom if horizontal else Qt.AlignLeft)
    series.attachAxis(category_axis)  # type: ignore[attr-defined]
    series.attachAxis(values_axis)  # type: ignore[attr-defined]
    return [series, category_axis, values_axis]


class ChartsPanel(QWidget):
    """The four charts in a two-by-two grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rag_chart = _Chart("KPI RAG by provider type (latest month)")
        self.reds_chart = _Chart("KPI reds over time")
        self.actions_chart = _Chart("Open and overdue CAP actions by provider")
        self.spend_chart = _Chart("Weekly spend by funding partner")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, chart in enumerate((self.rag_chart, self.reds_chart, self.actions_chart, self.spend_chart)):
            grid.addWidget(chart, index // 2, index % 2)

    def show_charts(self, charts: DashboardCharts) -> None:
        self._rag(charts.rag_by_type)
        self._reds(charts.reds_by_month)
        self._actions(charts)
        self._spend(charts.spend_by_partner)

    def _rag(self, data: dict[ProviderType, dict[Rag, int]]) -> None:
        if not data:
            self.rag_chart.reset("no KPI values yet")
            return
        chart = self.rag_chart.reset()
        kinds = [kind for kind in ProviderType if kind in data]
        series = QStackedBarSeries()
        for status, colour in ((Rag.RED, RED), (Rag.AMBER, AMBER), (Rag.GREEN, GREEN)):
            bar = QBarSet(status.label)
            bar.setColor(colour)
            bar.append([data[kind].get(status, 0) for kind in kinds])
            series.append(bar)
            self.rag_chart._keep.append(bar)
        biggest = max(sum(data[kind].values()) for kind in kinds)
        self.rag_chart._keep += _attach(chart, series, [_short(k.label, 18) for k in kinds], _count_axis(biggest))

    def _reds(self, data: list[tuple[object, int, int]]) -> None:
        if not any(total for _, _, total in data):
            self.reds_chart.reset("none in the last year")
            return
        chart = self.reds_chart.reset()
        bar = QBarSet("Red KPI values")
        bar.setColor(RED)
        bar.append([reds for _, reds, _ in data])
        series = QBarSeries()
        series.append(bar)
        self.reds_chart._keep.append(bar)
        # Twelve consecutive months have twelve different names, so "Jan" alone is a unique category.
        months = [month.strftime("%b") for month, _, _ in data]  # type: ignore[attr-defined]
        parts = _attach(chart, series, months, _count_axis(max(reds for _, reds, _ in data)))
        small = QFont()
        small.setPointSize(7)
        parts[1].setLabelsFont(small)  # type: ignore[attr-defined]
        # Upright labels would be cut to "…" in a chart half the dashboard wide.
        parts[1].setLabelsAngle(-90)  # type: ignore[attr-defined]
        self.reds_chart._keep += parts
        chart.legend().hide()

    def _actions(self, charts: DashboardCharts) -> None:
        rows = charts.actions_by_provider
        if not rows:
            self.actions_chart.reset("no open CAP actions")
            return
        chart = self.actions_chart.reset()
        ordered = list(reversed(rows))  # the biggest at the top
        open_set, overdue_set = QBarSet("Open"), QBarSet("Overdue")
        open_set.setColor(BLUE)
        overdue_set.setColor(RED)
        open_set.append([r.open for r in ordered])
        overdue_set.append([r.overdue for r in ordered])
        series = QHorizontalBarSeries()
        series.append(open_set)
        series.append(overdue_set)
        self.actions_chart._keep += [open_set, overdue_set]
        self.actions_chart._keep += _attach(chart, series, [_short(r.provider) for r in ordered],
                                            _count_axis(max(r.open for r in rows)), horizontal=True)

    def _spend(self, data: dict[FundingPartner, int]) -> None:
        if not data:
            self.spend_chart.reset("none recorded")
            return
        chart = self.spend_chart.reset()
        partners = [p for p in FundingPartner if p in data]
        bar = QBarSet("Weekly spend (£)")
        bar.setColor(BLUE)
        bar.append([data[p] / 100 for p in partners])
        series = QBarSeries()
        series.append(bar)
        series.setLabelsVisible(True)
        series.setLabelsFormat("£@value")
        self.spend_chart._keep.append(bar)
        axis = QValueAxis()
        top = max(data.values()) / 100
        axis.setRange(0, top * 1.15 if top else 1)
        axis.setLabelFormat("£%.0f")
        labels = [f"{p.label} ({format_money(data[p])})" for p in partners]
        self.spend_chart._keep += _attach(chart, series, labels, axis)
        chart.legend().hide()


__all__ = ["ChartsPanel"]
