"""Entering KPI values: a month's values in one grid, and importing a provider's return with a column mapping."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from placedesk.models import Provider
from placedesk.models.enums import KpiDirection
from placedesk.services.monitoring.kpis import (
    PERIOD,
    GridSaved,
    ImportReport,
    ReturnsTable,
    import_returns,
    month_grid,
    month_start,
    save_month_grid,
)
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.monitoring.style import date_edit, date_of, with_unit

CHANGES = ("kpi_value", "provider")


class MonthGridDialog(ServiceDialog):
    """Every provider KPI for one month, typed in one go; a blank box clears that month's value."""

    def __init__(self, ctx: AppContext, provider_id: uuid.UUID, provider_name: str, month: dt.date,
                 today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"KPI values – {provider_name}", self._save, CHANGES, parent,
                         intro="Type each KPI's value for the month. RAG is worked out from each KPI's target; "
                               "leave a box empty where there is no figure.", scroll=True)
        self.provider_id = provider_id
        self.today = today
        self.month = date_edit(month_start(month))
        self.month.dateChanged.connect(lambda _: self.load_values())
        self.form.add("month", "Month", self.month, "Any day in the month: the whole month's values are shown")
        self.inputs: dict[str, QLineEdit] = {}
        with ctx.read(self.baseline) as session:
            rows = month_grid(session, session.get(Provider, provider_id), month)  # type: ignore[arg-type]
            for row in rows:
                d = row.definition
                edit = QLineEdit()
                edit.setPlaceholderText("no value")
                better = "higher" if d.direction is KpiDirection.HIGHER_IS_BETTER else "lower"
                hint = (f"Target {with_unit(d.target, d.unit)}, amber from {with_unit(d.amber_threshold, d.unit)}; "
                        f"{better} is better")
                self.form.add(d.code, d.name, edit, hint)
                self.inputs[d.code] = edit
        if not self.inputs:
            self.show_error(None, "No provider KPIs are in use. Close this form and use \"KPIs and targets…\" to add the default set or your own.")
        self.load_values()

    def load_values(self) -> None:
        """Show the values already recorded for the chosen month."""
        with self.ctx.read(self.baseline) as session:
            rows = month_grid(session, session.get(Provider, self.provider_id), date_of(self.month))  # type: ignore[arg-type]
            for row in rows:
                edit = self.inputs.get(row.definition.code)
                if edit is not None:
                    edit.setText("" if row.value is None else f"{row.value:g}")

    def _save(self, session: Session) -> GridSaved:
        provider = session.get(Provider, self.provider_id)
        assert provider is not None
        entries = {code: edit.text() for code, edit in self.inputs.items()}
        return save_month_grid(session, provider, date_of(self.month), entries, today=self.today)


class ImportReturnsDialog(ServiceDialog):
    """Map each column of a provider's return to a KPI (or the month) and import the good rows."""

    def __init__(self, ctx: AppContext, provider_id: uuid.UUID, path: Path, table: ReturnsTable,
                 suggested: dict[str, str], kpis: list[tuple[str, str]], today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Import KPI return – {path.name}", self._import, CHANGES, parent,
                         save_text="Import",
                         intro=f"{len(table.rows)} data row(s) in {path.name}. Say which column holds the month "
                               "and which KPI each other column is; PlaceDesk remembers this for the provider.",
                         scroll=True)
        self.provider_id = provider_id
        self.path = path
        self.table = table
        self.today = today
        self.combos: dict[str, QComboBox] = {}
        for header in table.headers:
            combo = QComboBox()
            combo.addItem("(ignore this column)", "")
            combo.addItem("Month of the row", PERIOD)
            for code, name in kpis:
                combo.addItem(name, code)
            wanted = suggested.get(header, "")
            combo.setCurrentIndex(max(0, combo.findData(wanted)))
            sample = next((row[table.headers.index(header)] for _, row in table.rows
                           if table.headers.index(header) < len(row) and row[table.headers.index(header)]), "")
            self.form.add(f"column:{header}", header or "(no heading)", combo,
                          f"e.g. {sample}" if sample else "")
            self.combos[header] = combo

    def mapping(self) -> dict[str, str]:
        return {header: str(combo.currentData()) for header, combo in self.combos.items() if combo.currentData()}

    def _import(self, session: Session) -> ImportReport:
        provider = session.get(Provider, self.provider_id)
        assert provider is not None
        return import_returns(session, provider, self.table, self.mapping(), source=f"import:{self.path.name}",
                              today=self.today)
