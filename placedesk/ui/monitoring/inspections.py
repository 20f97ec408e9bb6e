"""Ofsted inspection history for a provider, and the form to record an inspection."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from placedesk.models import Inspection, Provider
from placedesk.models.enums import OfstedJudgement
from placedesk.services.monitoring.inspections import record_inspection
from placedesk.services.monitoring.view import ProviderOverview
from placedesk.services.common.parsing import format_date
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.monitoring.style import AMBER, RED, date_edit, date_of
from placedesk.ui.widgets.combo import enum_data
from placedesk.ui.monitoring.evidence_panel import EvidencePanel
from placedesk.ui.widgets.rows_model import Row

JUDGEMENT_COLOURS = {"Inadequate": RED, "Requires improvement to be good": AMBER}


class InspectionDialog(ServiceDialog):
    """Record an Ofsted inspection; the provider's current judgement follows the latest one."""

    def __init__(self, ctx: AppContext, provider_id: uuid.UUID, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record an Ofsted inspection", self._save, ("inspection", "provider"), parent)
        self.provider_id = provider_id
        self.today = today
        self.inspection_date = date_edit(today)
        self.judgement = QComboBox()
        self.judgement.addItem("Choose the judgement…", None)
        for judgement in OfstedJudgement:
            if judgement is not OfstedJudgement.NOT_YET_INSPECTED:
                self.judgement.addItem(judgement.label, judgement)
        self.inspection_type = QLineEdit("Full inspection")
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("Main findings, in a sentence or two")
        self.summary.setFixedHeight(80)
        self.form.add("inspection_date", "Inspection date", self.inspection_date)
        self.form.add("judgement", "Overall judgement", self.judgement)
        self.form.add("inspection_type", "Type", self.inspection_type)
        self.form.add("summary", "Summary", self.summary)

    def _save(self, session: Session) -> Inspection:
        provider = session.get(Provider, self.provider_id)
        assert provider is not None
        judgement = enum_data(self.judgement, OfstedJudgement) or OfstedJudgement.NOT_YET_INSPECTED
        return record_inspection(session, provider, inspection_date=date_of(self.inspection_date),
                                 judgement=judgement, today=self.today,
                                 inspection_type=self.inspection_type.text(), summary=self.summary.toPlainText())


class InspectionsPanel(EvidencePanel):
    """The provider's inspections, newest first."""

    def __init__(self) -> None:
        super().__init__(["Date", "Type", "Judgement", "Summary"],
                         "No inspections recorded. Record one when Ofsted publishes its report.",
                         (90, 140, 220), "Record an inspection…")

    def show_overview(self, overview: ProviderOverview) -> None:
        rows = []
        for record_id, (day, kind, judgement, summary) in zip(overview.inspection_ids, overview.inspections,
                                                              strict=True):
            colour = JUDGEMENT_COLOURS.get(judgement)
            evidence = f"Ofsted inspection {format_date(day)}: {judgement}. {summary}".strip()
            rows.append(Row([format_date(day), kind, judgement, summary], key=(record_id, evidence),
                            colours={2: colour} if colour else {}, tooltip=summary))
        self.show_rows(rows)
