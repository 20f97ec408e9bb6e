"""The provider's KPIs: latest value and RAG per KPI, and the chosen KPI's trend as a chart."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from placedesk.services.monitoring.kpis import KpiPoint
from placedesk.services.monitoring.view import ProviderOverview
from placedesk.ui.monitoring.charts import TrendChart
from placedesk.ui.monitoring.style import rag_colour, with_unit
from placedesk.ui.widgets.rows_model import Row, RowsModel


class KpiPanel(QWidget):
    """KPI table on the left, trend chart on the right; buttons to record or import values."""

    record_requested = Signal()
    import_requested = Signal()
    definitions_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.model = RowsModel(["KPI", "Latest", "Value", "RAG", "Red months"], numeric_columns=(2, 4))
        self.table = QTableView()
        self.table.setAccessibleName("KPI values by month")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((200, 62, 92, 62)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.chart = TrendChart("Choose a KPI to see its trend")
        self.record_button = QPushButton("Record a month's values…")
        self.record_button.clicked.connect(self.record_requested)
        self.import_button = QPushButton("Import a return (CSV/XLSX)…")
        self.import_button.clicked.connect(self.import_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.import_button)
        self.definitions_button = QPushButton("KPIs and targets…")
        self.definitions_button.clicked.connect(self.definitions_requested)
        buttons.addWidget(self.definitions_button)
        buttons.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setSizes([470, 430])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self._series: dict[str, list[KpiPoint]] = {}

    def show_overview(self, overview: ProviderOverview) -> None:
        self._series = overview.kpi_series()
        rows = []
        for name, points in self._series.items():
            latest = points[-1]
            reds = sum(1 for p in points if p.rag.value == "red")
            colour = rag_colour(latest.rag)
            rows.append(Row([name, latest.period.strftime("%b %y"), with_unit(latest.value, latest.unit),
                             latest.rag.label, f"{reds} of {len(points)}"],
                            key=name, colours={3: colour, 2: colour} if colour is not None else {},
                            tooltip=f"{name}: target {with_unit(latest.target, latest.unit)}; "
                                    f"{len(points)} month(s) recorded, {reds} red"))
        self.model.set_rows(rows)
        if rows:
            # The worst KPI first: that is the one the officer will ask about.
            worst = next((i for i, r in enumerate(rows) if r.values[3] == "Red"), 0)
            self.table.selectRow(worst)
        else:
            self.chart.show_empty("No KPI values yet: record a month or import the provider's return")

    def _show_selected(self) -> None:
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            return
        name = str(self.model.key(selected[0].row()))
        points = self._series.get(name, [])
        if points:
            self.chart.show_kpi(name, points[0].unit, points[-1].target, points)
