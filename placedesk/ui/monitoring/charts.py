"""Line charts for KPI trends and children's outcome readings (QtCharts).

One chart view per panel is kept and its series replaced when the selection
changes, so switching KPI or child redraws without rebuilding widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QDate, QDateTime, QMargins, Qt, QTime
from PySide6.QtGui import QColor, QPainter, QPen

from placedesk.models.enums import Rag
from placedesk.services.monitoring.kpis import KpiPoint
from placedesk.ui.monitoring.style import GREEN, RED, with_unit

LINE = QColor("#2b6cb0")
SERIES_COLOURS = [QColor("#2b6cb0"), QColor("#6b46c1"), QColor("#2f855a"), QColor("#c05621")]


def msecs(day: dt.date) -> float:
    return float(QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0)).toMSecsSinceEpoch())


class TrendChart(QChartView):
    """A date-by-value line chart with an optional dashed target line and red points."""

    def __init__(self, empty_title: str) -> None:
        super().__init__()
        self._empty_title = empty_title
        # PySide would otherwise free axes and series whose Python wrappers go out of scope.
        self._keep: list[object] = []
        self.setRenderHint(QPainter.Antialiasing)
        self.setMinimumHeight(220)
        self.show_empty()

    def _fresh_chart(self, title: str) -> QChart:
        chart = QChart()
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setVisible(False)
        chart.setAnimationOptions(QChart.NoAnimation)
        old = self.chart()
        self._keep = [chart]
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        return chart

    def show_empty(self, title: str | None = None) -> None:
        self._fresh_chart(title or self._empty_title)

    def _axes(self, chart: QChart, first: dt.date, last: dt.date, low: float, high: float,
              unit: str) -> tuple[QDateTimeAxis, QValueAxis]:
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MMM yy")
        span_months = (last.year - first.year) * 12 + last.month - first.month
        x_axis.setTickCount(max(2, min(7, span_months + 1)))
        x_axis.setRange(QDateTime(QDate(first.year, first.month, first.day), QTime(0, 0)),
                        QDateTime(QDate(last.year, last.month, last.day), QTime(0, 0)))
        y_axis = QValueAxis()
        pad = (high - low) * 0.1 or 1.0
        y_axis.setRange(max(0.0, low - pad) if low >= 0 else low - pad, high + pad)
        y_axis.setLabelFormat("%.0f" if high - low > 5 else "%.1f")
        y_axis.setTitleText(unit)
        chart.addAxis(x_axis, Qt.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignLeft)
        self._keep += [x_axis, y_axis]
        return x_axis, y_axis

    def show_kpi(self, name: str, unit: str, target: float, points: Sequence[KpiPoint]) -> None:
        """One KPI over time: values, the target dashed in green, red months as red dots."""
        if not points:
            self.show_empty(f"{name}: no values recorded yet")
            return
        chart = self._fresh_chart(f"{name} (target {with_unit(target, unit)})")
        values = QLineSeries()
        values.setName(name)
        values.setPen(QPen(LINE, 2))
        reds = QScatterSeries()
        reds.setName("Red")
        reds.setColor(RED)
        reds.setBorderColor(RED)
        reds.setMarkerSize(8)
        for p in points:
            x = msecs(p.period)
            values.append(x, p.value)
            if p.rag is Rag.RED:
                reds.append(x, p.value)
        target_line = QLineSeries()
        target_line.setName("Target")
        pen = QPen(GREEN, 1.5)
        pen.setStyle(Qt.DashLine)
        target_line.setPen(pen)
        first, last = points[0].period, points[-1].period
        target_line.append(msecs(first), target)
        target_line.append(msecs(last), target)
        numbers = [p.value for p in points] + [target]
        x_axis, y_axis = self._axes(chart, first, last, min(numbers), max(numbers), unit)
        for series in (values, target_line, reds):
            self._keep.append(series)
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)

    def show_readings(self, title: str, series: dict[str, list[tuple[dt.date, float]]]) -> None:
        """Outcome readings: one line per tool or scale, points marked."""
        if not any(series.values()):
            self.show_empty(f"{title}: no readings yet")
            return
        chart = self._fresh_chart(title)
        chart.legend().setVisible(True)
        chart.legend().setAlignment(Qt.AlignBottom)
        all_points = [p for pts in series.values() for p in pts]
        dates = [d for d, _ in all_points]
        first, last = min(dates), max(dates)
        if first == last:
            first = first - dt.timedelta(days=15)
            last = last + dt.timedelta(days=15)
        numbers = [v for _, v in all_points]
        x_axis, y_axis = self._axes(chart, first, last, min(numbers), max(numbers), "score")
        for i, (name, pts) in enumerate(series.items()):
            line = QLineSeries()
            line.setName(name)
            line.setPen(QPen(SERIES_COLOURS[i % len(SERIES_COLOURS)], 2))
            line.setPointsVisible(True)
            for day, value in pts:
                line.append(msecs(day), value)
            self._keep.append(line)
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
