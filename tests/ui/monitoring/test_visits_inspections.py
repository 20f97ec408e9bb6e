"""Recording visits and inspections from their forms, with the provider's risk following."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models import Provider
from placedesk.models.enums import OfstedJudgement, RiskLevel, VisitRating, VisitType
from placedesk.ui.monitoring.inspections import InspectionDialog
from placedesk.ui.monitoring.dialogs.risk_dialog import RiskOverrideDialog
from placedesk.ui.monitoring.visits import VisitDialog
from tests.services.monitoring.helpers import make_provider
from tests.ui.monitoring.ui_helpers import TODAY, make_ctx, pick


def test_visit_needs_findings_and_rating(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as session:
        provider = make_provider(session, "P1", ofsted_judgement=OfstedJudgement.GOOD)
    dialog = VisitDialog(make_ctx(db), provider.id, TODAY, "Jo Officer")
    qtbot.addWidget(dialog)
    pick(dialog.visit_type, VisitType.UNANNOUNCED)
    dialog.accept()
    assert "found" in dialog.error_text("findings")
    dialog.findings.setPlainText("Rota short on two nights")
    dialog.accept()
    assert "rating" in dialog.error_text("rating")
    pick(dialog.rating, VisitRating.INADEQUATE)
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        assert session.get(Provider, provider.id).risk_level is RiskLevel.HIGH


def test_inspection_sets_the_current_judgement(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as session:
        provider = make_provider(session, "P1")
    dialog = InspectionDialog(make_ctx(db), provider.id, TODAY)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert "judgement" in dialog.error_text("judgement")
    pick(dialog.judgement, OfstedJudgement.OUTSTANDING)
    dialog.inspection_date.setDate(TODAY.replace(day=1))
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        stored = session.get(Provider, provider.id)
        assert stored.ofsted_judgement is OfstedJudgement.OUTSTANDING
        assert stored.last_inspection_date == TODAY.replace(day=1)


def test_risk_override_needs_a_reason(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as session:
        provider = make_provider(session, "P1")
    dialog = RiskOverrideDialog(make_ctx(db), provider.id, RiskLevel.MEDIUM, "Medium: Not yet inspected", None, "")
    qtbot.addWidget(dialog)
    pick(dialog.level, RiskLevel.HIGH)
    dialog.accept()
    assert "why" in dialog.error_text("reason").lower()
    dialog.reason.setPlainText("Allegation under investigation")
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        assert session.get(Provider, provider.id).effective_risk is RiskLevel.HIGH
