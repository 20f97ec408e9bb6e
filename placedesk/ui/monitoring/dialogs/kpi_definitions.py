"""The officer's KPI set: add the defaults from DOMAIN.md, define new KPIs, change targets and thresholds.

RAG is always computed from these targets, so changing a target here
changes every value's status on the next refresh.
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from placedesk.models import Baseline, KpiDefinition
from placedesk.models.enums import KpiDirection, KpiKind, KpiScope
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import all_definitions, create_definition, update_definition
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.monitoring.style import with_unit
from placedesk.ui.widgets.combo import enum_data
from placedesk.ui.monitoring.table import RecordTable
from placedesk.ui.widgets.rows_model import Row

CHANGES = ("kpi_definition",)


def _number() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, 100000)
    box.setDecimals(1)
    return box


def _combo(enum_cls: type) -> QComboBox:
    combo = QComboBox()
    for member in enum_cls:
        combo.addItem(member.label, member)
    return combo


class KpiDefinitionDialog(ServiceDialog):
    """A new KPI, or changes to one (its code stays: recorded values refer to it)."""

    def __init__(self, ctx: AppContext, definition: KpiDefinition | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Edit KPI" if definition else "New KPI", self._save, CHANGES, parent)
        self.definition_id: uuid.UUID | None = definition.id if definition else None
        self.code = QLineEdit(definition.code if definition else "")
        self.code.setEnabled(definition is None)
        self.name = QLineEdit(definition.name if definition else "")
        self.kind = _combo(KpiKind)
        self.unit = QLineEdit(definition.unit if definition else "%")
        self.direction = _combo(KpiDirection)
        self.target = _number()
        self.amber = _number()
        self.scope = _combo(KpiScope)
        self.active = QCheckBox("In use (offered in the month grid and returns)")
        self.description = QPlainTextEdit(definition.description if definition else "")
        self.description.setFixedHeight(60)
        if definition is not None:
            for combo, value in ((self.kind, definition.kind), (self.direction, definition.direction),
                                 (self.scope, definition.scope)):
                combo.setCurrentIndex(combo.findData(value))
            self.target.setValue(definition.target)
            self.amber.setValue(definition.amber_threshold)
            self.active.setChecked(definition.active)
        else:
            self.active.setChecked(True)
        for name, label, widget, hint in (
            ("code", "Code", self.code, "Capitals, digits and _, e.g. STAFF_TURNOVER. Cannot change later."),
            ("name", "Name", self.name, ""), ("kind", "Kind", self.kind, ""), ("unit", "Unit", self.unit, ""),
            ("direction", "Direction", self.direction, ""), ("target", "Target", self.target, "Green from here."),
            ("amber_threshold", "Amber threshold", self.amber, "Amber between the target and this; red beyond."),
            ("scope", "Recorded per", self.scope, ""), ("active", "", self.active, ""),
            ("description", "Description", self.description, ""),
        ):
            self.form.add(name, label, widget, hint)

    def _save(self, session: Session) -> KpiDefinition:
        values = {"name": self.name.text(), "kind": enum_data(self.kind, KpiKind),
                  "direction": enum_data(self.direction, KpiDirection), "target": self.target.value(),
                  "amber_threshold": self.amber.value(), "unit": self.unit.text(),
                  "scope": enum_data(self.scope, KpiScope), "description": self.description.toPlainText()}
        if self.definition_id is None:
            return create_definition(session, code=self.code.text(), **values)  # type: ignore[arg-type]
        definition = session.get(KpiDefinition, self.definition_id)
        assert definition is not None
        return update_definition(session, definition, active=self.active.isChecked(), **values)


class KpiListDialog(QDialog):
    """Every KPI with its target; buttons to add the defaults, add one, or edit the chosen one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("KPIs")
        self.resize(760, 460)
        self.table = RecordTable(["Code", "KPI", "Target", "Amber from", "Direction", "In use"],
                                 "No KPIs yet. Add the default set (from DOMAIN.md's examples) or define your own.",
                                 widths=(150, 240, 80, 90, 120))
        self.table.view.doubleClicked.connect(lambda _: self.edit())
        self.defaults_button = QPushButton("Add the default KPIs")
        self.defaults_button.clicked.connect(self.add_defaults)
        self.new_button = QPushButton("New KPI…")
        self.new_button.clicked.connect(lambda: self._run(KpiDefinitionDialog(self.ctx, None, self)))
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit)
        bar = QHBoxLayout()
        for button in (self.defaults_button, self.new_button, self.edit_button):
            bar.addWidget(button)
        bar.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("RAG is worked out from each KPI's target and amber threshold; changing them "
                                "changes the status of values already recorded."))
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self._definitions: list[KpiDefinition] = []
        # The versions of the KPIs listed: an edit opened from here is checked against them.
        self.baseline = Baseline()
        self.reload()

    def reload(self) -> None:
        self.baseline.clear()
        with self.ctx.read(self.baseline) as session:
            self._definitions = all_definitions(session)
        self.table.set_rows([
            Row([d.code, d.name, with_unit(d.target, d.unit), with_unit(d.amber_threshold, d.unit),
                 d.direction.label, "Yes" if d.active else "No"], key=d.id, tooltip=d.description)
            for d in self._definitions])

    def add_defaults(self) -> None:
        with self.ctx.action() as session:
            ensure_default_kpis(session)
        self.ctx.notify(CHANGES)
        self.reload()

    def edit(self) -> None:
        rows = self.table.view.selectionModel().selectedRows()
        if not rows:
            dialogs.inform(self, "KPIs", "Choose a KPI in the list first.")
            return
        self._run(KpiDefinitionDialog(self.ctx, self._definitions[rows[0].row()], self))

    def _run(self, dialog: QDialog) -> None:
        if dialogs.run_modal(dialog):
            self.reload()
