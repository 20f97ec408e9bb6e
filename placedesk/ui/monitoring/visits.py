"""Quality visits for a provider, and the form to record a visit, desk review or Reg 44 report."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from placedesk.models import MonitoringVisit, Provider
from placedesk.models.enums import VisitRating, VisitType
from placedesk.services.monitoring.view import ProviderOverview
from placedesk.services.common.parsing import format_date
from placedesk.services.monitoring.visits import record_visit
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.monitoring.style import AMBER, RED, date_edit, date_of
from placedesk.ui.widgets.combo import enum_data
from placedesk.ui.monitoring.evidence_panel import EvidencePanel
from placedesk.ui.widgets.rows_model import Row

RATING_COLOURS = {"Inadequate": RED, "Requires improvement": AMBER}


class VisitDialog(ServiceDialog):
    """Record a visit or review with what was found and the officer's rating."""

    def __init__(self, ctx: AppContext, provider_id: uuid.UUID, today: dt.date, officer: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record a visit", self._save, ("monitoring_visit", "provider"), parent)
        self.provider_id = provider_id
        self.today = today
        self.visit_date = date_edit(today)
        self.visit_type = QComboBox()
        for kind in VisitType:
            self.visit_type.addItem(kind.label, kind)
        self.rating = QComboBox()
        self.rating.addItem("Choose your rating…", None)
        for rating in VisitRating:
            self.rating.addItem(rating.label, rating)
        self.officer = QLineEdit(officer)
        self.findings = QPlainTextEdit()
        self.findings.setPlaceholderText("What you saw, heard and read; what must change")
        self.findings.setFixedHeight(110)
        self.form.add("visit_date", "Date", self.visit_date)
        self.form.add("visit_type", "Kind of visit", self.visit_type)
        self.form.add("rating", "Your rating", self.rating, "Not needed for a Reg 44 report received.")
        self.form.add("officer", "Visiting officer", self.officer)
        self.form.add("findings", "Findings", self.findings)

    def _save(self, session: Session) -> MonitoringVisit:
        provider = session.get(Provider, self.provider_id)
        assert provider is not None
        return record_visit(session, provider, visit_date=date_of(self.visit_date),
                            visit_type=enum_data(self.visit_type, VisitType),  # type: ignore[arg-type]
                            findings=self.findings.toPlainText(),
                            rating=enum_data(self.rating, VisitRating), today=self.today, officer=self.officer.text())


class VisitsPanel(EvidencePanel):
    """The provider's visits and reviews, newest first."""

    def __init__(self) -> None:
        super().__init__(["Date", "Kind", "Rating", "Officer", "Findings"],
                         "No visits recorded yet. Record each visit, desk review or Reg 44 report here.",
                         (90, 150, 150, 130), "Record a visit…")

    def show_overview(self, overview: ProviderOverview) -> None:
        rows = []
        for record_id, (day, kind, rating, officer, findings) in zip(overview.visit_ids, overview.visits,
                                                                     strict=True):
            colour = RATING_COLOURS.get(rating)
            evidence = f"{kind} {format_date(day)} ({rating or 'no rating'}): {findings}"
            rows.append(Row([format_date(day), kind, rating or "–", officer, findings], key=(record_id, evidence),
                            colours={2: colour} if colour else {}, tooltip=findings))
        self.show_rows(rows)
