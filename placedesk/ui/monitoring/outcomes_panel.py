"""Placements with the provider and, for the chosen one, the child's outcome readings over time."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QVBoxLayout, QWidget

from placedesk.services.monitoring.view import PlacementView, ProviderOverview
from placedesk.services.monitoring.outcomes import Reading
from placedesk.services.common.parsing import format_date
from placedesk.ui.monitoring.charts import TrendChart
from placedesk.ui.monitoring.style import GREEN, RED
from placedesk.ui.monitoring.table import RecordTable
from placedesk.ui.widgets.rows_model import Row


class OutcomesPanel(QWidget):
    """Placements on top; the chosen child's readings as a chart and a table of changes below."""

    placement_selected = Signal(object)  # PlacementView or None
    record_requested = Signal()
    scale_requested = Signal()
    child_requested = Signal(object)  # the chosen child's id: open their page

    def __init__(self) -> None:
        super().__init__()
        self.placements = RecordTable(["Placement", "Child", "Started", "Ended"],
                                      "No children have been placed with this provider.",
                                      widths=(130, 200, 100), name="Children placed with this provider")
        self.placements.view.selectionModel().selectionChanged.connect(lambda *_: self._placement_changed())
        self.chart = TrendChart("Choose a placement to see the child's outcome readings")
        self.readings = RecordTable(["Date", "Measure", "Score", "Change"],
                                    "No readings yet for this child. Record WEMWBS, SWEMWBS or a star scale.",
                                    widths=(90, 130, 70), name="The child's outcome readings")
        self.record_button = QPushButton("Record an outcome reading…")
        self.record_button.clicked.connect(self.record_requested)
        self.record_button.setEnabled(False)
        self.scale_button = QPushButton("New star scale…")
        self.scale_button.clicked.connect(self.scale_requested)
        self.child_button = QPushButton("Child's pa&ge")
        self.child_button.setToolTip("Open the chosen child's page (Ctrl+Shift+C)")
        self.child_button.setShortcut("Ctrl+Shift+C")
        self.child_button.setEnabled(False)
        self.child_button.clicked.connect(self._child_requested)
        bar = QHBoxLayout()
        bar.addWidget(self.child_button)
        bar.addWidget(self.record_button)
        bar.addWidget(self.scale_button)
        bar.addStretch(1)
        lower = QSplitter(Qt.Horizontal)
        lower.addWidget(self.chart)
        lower.addWidget(self.readings)
        lower.setSizes([560, 380])
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.placements)
        split.addWidget(lower)
        split.setSizes([150, 330])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self._rows: list[PlacementView] = []

    def _child_requested(self) -> None:
        placement = self.current()
        if placement is not None:
            self.child_requested.emit(placement.child_id)

    def show_overview(self, overview: ProviderOverview) -> None:
        self._rows = list(overview.placements)
        self.placements.set_rows([
            Row([p.ref, p.child_name, format_date(p.start_date), format_date(p.end_date) or "current"], key=p.id)
            for p in self._rows])
        self.chart.show_empty("Choose a placement to see the child's outcome readings")
        self.readings.set_rows([])
        self.record_button.setEnabled(False)

    def current(self) -> PlacementView | None:
        selected = self.placements.view.selectionModel().selectedRows()
        return self._rows[selected[0].row()] if selected else None

    def select_placement(self, placement_id: uuid.UUID) -> None:
        for row, placement in enumerate(self._rows):
            if placement.id == placement_id:
                self.placements.view.selectRow(row)

    def _placement_changed(self) -> None:
        placement = self.current()
        self.record_button.setEnabled(placement is not None)
        self.child_button.setEnabled(placement is not None)
        self.placement_selected.emit(placement)

    def show_readings(self, child_name: str, readings: list[Reading]) -> None:
        series: dict[str, list[tuple]] = {}
        rows = []
        for r in readings:
            series.setdefault(r.series, []).append((r.assessed_on, r.score))
            change = "" if r.change is None else f"{r.change:+g}"
            colour = {} if r.change in (None, 0) else {3: GREEN if (r.change or 0) > 0 else RED}
            rows.append(Row([format_date(r.assessed_on), r.series, f"{r.score:g}", change], colours=colour))
        self.chart.show_readings(f"{child_name}: outcome readings", series)
        self.readings.set_rows(list(reversed(rows)))
