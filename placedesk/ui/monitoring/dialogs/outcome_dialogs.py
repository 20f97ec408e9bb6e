"""Recording a child's outcome reading (WEMWBS, SWEMWBS or a star scale) and defining a star scale.

Each item is a spin box that starts blank ("–"): a missing item is refused
by the service with a message under that item, as is any score out of range.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget
from sqlalchemy.orm import Session

from placedesk.models import Child, OutcomeAssessment, Placement, StarScale
from placedesk.models.enums import OutcomeTool
from placedesk.services.monitoring.outcomes import (
    ITEM_MAX,
    ITEM_MIN,
    SWEMWBS_ITEMS,
    WEMWBS_ITEMS,
    create_star_scale,
    record_assessment,
    star_scales,
)
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.monitoring.style import date_edit, date_of
from placedesk.ui.widgets.field_error import FieldForm

CHANGES = ("outcome_assessment",)
BLANK = "–"


class OutcomeDialog(ServiceDialog):
    """One reading for a child: pick the tool, score every item, save."""

    def __init__(self, ctx: AppContext, child_id: uuid.UUID, child_name: str, placement_id: uuid.UUID | None,
                 today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Record an outcome reading – {child_name}", self._save, CHANGES, parent,
                         scroll=True)
        self.child_id = child_id
        self.placement_id = placement_id
        self.tool = QComboBox()
        self.tool.addItem("WEMWBS (14 statements)", (OutcomeTool.WEMWBS, None))
        self.tool.addItem("SWEMWBS (7 statements)", (OutcomeTool.SWEMWBS, None))
        self._scales: dict[uuid.UUID, tuple[str, list[str], int, int]] = {}
        with ctx.read(self.baseline) as session:
            for scale in star_scales(session):
                self._scales[scale.id] = (scale.name, list(scale.areas), scale.min_score, scale.max_score)
                self.tool.addItem(f"{scale.name} (star scale)", (OutcomeTool.STAR, scale.id))
        self.assessed_on = date_edit(today)
        self.notes = QLineEdit()
        self.form.add("tool", "Measure", self.tool)
        self.form.add("assessed_on", "Date", self.assessed_on)
        self.form.add("notes", "Notes", self.notes)
        self.items_form = FieldForm()
        self.forms.append(self.items_form)
        self.body.layout().addWidget(self.items_form)
        self.items: list[QSpinBox] = []
        self.tool.currentIndexChanged.connect(lambda _: self._build_items())
        self._build_items()

    def _labels(self) -> tuple[list[str], int, int]:
        tool, scale_id = self.tool.currentData()
        if tool is OutcomeTool.WEMWBS:
            return list(WEMWBS_ITEMS), ITEM_MIN, ITEM_MAX
        if tool is OutcomeTool.SWEMWBS:
            return list(SWEMWBS_ITEMS), ITEM_MIN, ITEM_MAX
        _, areas, low, high = self._scales[scale_id]
        return areas, low, high

    def _build_items(self) -> None:
        labels, low, high = self._labels()
        form = self.items_form.form
        while form.rowCount():
            form.removeRow(0)
        self.items_form.fields.clear()
        self.items = []
        for number, label in enumerate(labels, start=1):
            spin = QSpinBox()
            # One below the lowest score stands for "not answered yet".
            spin.setRange(low - 1, high)
            spin.setSpecialValueText(BLANK)
            spin.setValue(low - 1)
            self.items_form.add(f"item_{number}", f"{number}. {label}", spin)
            self.items.append(spin)

    def scores(self) -> list[int | None]:
        return [None if spin.value() == spin.minimum() else spin.value() for spin in self.items]

    def _save(self, session: Session) -> OutcomeAssessment:
        child = session.get(Child, self.child_id)
        assert child is not None
        tool, scale_id = self.tool.currentData()
        scale = session.get(StarScale, scale_id) if scale_id else None
        placement = session.get(Placement, self.placement_id) if self.placement_id else None
        return record_assessment(session, child, tool, self.scores(), date_of(self.assessed_on),
                                 star_scale=scale, placement=placement, notes=self.notes.text())


class StarScaleDialog(ServiceDialog):
    """Define an outcomes-star style scale: its name, up to 10 areas, and the score range."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "New star scale", self._save, ("star_scale",), parent, save_text="Create scale")
        self.name = QLineEdit()
        self.areas = QPlainTextEdit()
        self.areas.setPlaceholderText("One area per line, e.g.\nPhysical health\nEducation and learning")
        self.areas.setFixedHeight(140)
        self.min_score = QSpinBox()
        self.min_score.setRange(0, 20)
        self.min_score.setValue(1)
        self.max_score = QSpinBox()
        self.max_score.setRange(1, 100)
        self.max_score.setValue(10)
        self.form.add("name", "Name", self.name)
        self.form.add("areas", "Areas", self.areas, "Up to 10.")
        self.form.add("min_score", "Lowest score", self.min_score)
        self.form.add("max_score", "Highest score", self.max_score)

    def _save(self, session: Session) -> StarScale:
        return create_star_scale(session, self.name.text(), self.areas.toPlainText().splitlines(),
                                 min_score=self.min_score.value(), max_score=self.max_score.value())
