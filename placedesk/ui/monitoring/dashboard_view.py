"""The dashboard across all providers: risk counts, CAP actions, KPI reds, weekly spend, and charts.

The figures and the charts' series come from
:func:`placedesk.services.monitoring.dashboard_series.dashboard_with_charts`
(pandas over the database), run off the GUI thread with its own session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from placedesk.models.enums import RiskLevel
from placedesk.services.common.parsing import format_date, format_money
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.style import AMBER, GREEN, RED
from placedesk.ui.monitoring.table import RecordTable
from placedesk.ui.tasks import run_task
from placedesk.ui.widgets.rows_model import Row

if TYPE_CHECKING:
    from placedesk.services.monitoring.dashboard import DashboardFigures
    from placedesk.services.monitoring.dashboard_series import DashboardCharts


class Tile(QFrame):
    """A big number with a caption."""

    def __init__(self, caption: str, colour: str = "") -> None:
        super().__init__()
        self.setFrameShape(QFrame.StyledPanel)
        self.number = QLabel("–")
        self.number.setAlignment(Qt.AlignCenter)
        self.number.setStyleSheet(f"font-size: 22pt; font-weight: 600; {('color:' + colour) if colour else ''}")
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignCenter)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)

    def set_value(self, value: int) -> None:
        self.number.setText(f"{value:,}")


class DashboardView(QWidget):
    """Tiles for the counts, tables for KPI reds by provider and spend by provider type."""

    provider_chosen = Signal(object)  # provider id

    def __init__(self, ctx: AppContext, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today
        self.figures: DashboardFigures | None = None
        self.heading = QLabel("Dashboard")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        self.tiles = {
            "high": Tile("High-risk providers", RED.name()),
            "medium": Tile("Medium-risk providers", AMBER.name()),
            "low": Tile("Low-risk providers", GREEN.name()),
            "caps": Tile("Open CAPs"),
            "actions": Tile("Open CAP actions"),
            "overdue": Tile("Overdue CAP actions", RED.name()),
        }
        grid = QGridLayout()
        for i, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, 0, i)
        self.reds = RecordTable(["Provider", "Ref", "Latest month", "Red KPIs"],
                                "No KPI values recorded yet. Record them per provider on the Providers view.",
                                numeric_columns=(3,), widths=(170, 100, 80),
                                name="Providers with red KPIs")
        self.reds.view.doubleClicked.connect(
            lambda index: self.provider_chosen.emit(self.reds.model.key(index.row())))
        self.spend = RecordTable(["Provider type", "Weekly spend"],
                                 "No active placements today, so no weekly spend.", numeric_columns=(1,),
                                 widths=(230,), name="Weekly spend by provider type")
        # Imported here so QtCharts loads only with the dashboard.
        from placedesk.ui.monitoring.dashboard_charts import ChartsPanel

        self.charts = ChartsPanel()
        tables = QHBoxLayout()
        left = QVBoxLayout()
        reds_label = QLabel("<b>KPI reds by provider</b> (latest month; double-click to open)")
        reds_label.setWordWrap(True)
        left.addWidget(reds_label)
        left.addWidget(self.reds, 3)
        left.addWidget(QLabel("<b>Weekly spend by provider type</b>"))
        left.addWidget(self.spend, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.charts)
        scroll.setAccessibleName("Dashboard charts")
        tables.addLayout(left, 2)
        tables.addWidget(scroll, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addLayout(tables, 1)

    def refresh(self) -> None:
        """Recompute in the background; the figures appear when ready."""
        on = self.today()
        db = self.ctx.db
        self.refresh_button.setEnabled(False)
        self.heading.setText(f"Dashboard for {format_date(on)} – working…")

        def work() -> tuple[DashboardFigures, DashboardCharts]:
            # Imported here so pandas loads only when the dashboard is first shown.
            from placedesk.services.monitoring.dashboard_series import dashboard_with_charts

            with db.session() as session:
                return dashboard_with_charts(session, on=on)

        def failed(exc: BaseException) -> None:
            from placedesk.ui.tasks import show_error

            self.refresh_button.setEnabled(True)
            self.heading.setText("Dashboard")
            show_error(self, exc)

        run_task(self, "Working out the dashboard…", work, lambda result: self.show_figures(*result), failed)

    def show_figures(self, figures: DashboardFigures, charts: DashboardCharts | None = None) -> None:
        self.figures = figures
        self.refresh_button.setEnabled(True)
        self.heading.setText(f"Dashboard for {format_date(figures.on)}")
        for level in RiskLevel:
            self.tiles[level.value].set_value(figures.providers_by_risk.get(level, 0))
        self.tiles["caps"].set_value(figures.open_caps)
        self.tiles["actions"].set_value(figures.open_cap_actions)
        self.tiles["overdue"].set_value(figures.overdue_cap_actions)
        self.reds.set_rows([
            Row([r.provider_name, r.provider_ref, r.period.strftime("%b %Y"), r.reds], key=r.provider_id,
                colours={3: RED} if r.reds else {})
            for r in figures.kpi_reds_by_provider])
        rows = [Row([kind.label, format_money(pence)]) for kind, pence in figures.weekly_spend_by_type.items()]
        if rows:
            rows.append(Row(["All types", format_money(figures.weekly_spend_total)]))
        self.spend.set_rows(rows)
        if charts is not None:
            self.charts.show_charts(charts)
