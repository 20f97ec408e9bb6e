"""The CAP report: plan, actions with RAG and overdue marked, sanctions and the audit history."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.models import StoredDocument
from placedesk.models.enums import Rag
from placedesk.reports.cap_report import cap_report_data, make_cap_report
from tests.services.monitoring.helpers import build_monitored_provider

TODAY = dt.date(2026, 6, 15)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_report_shows_plan_actions_sanction_and_history(session: Session) -> None:
    _, cap = build_monitored_provider(session, TODAY)
    session.commit()
    filename, pdf = make_cap_report(session, cap, today=TODAY)
    text = _text(pdf)
    assert filename == "CAP-T1-0001 CAP report 2026-06-15.pdf"
    for expected in ("Corrective action plan CAP-T1-0001", "Night staffing below ratio", "Children at risk at night",
                     "Recruit two waking night", "OVERDUE", "Training register", "Restriction of new",
                     "In force", "Plan opened", "Action added", "Sanction imposed", "Page 1 of"):
        assert expected in text, expected
    stored = session.scalars(select(StoredDocument).where(StoredDocument.kind == "cap_report")).all()
    assert [d.filename for d in stored] == [filename] and stored[0].size == len(pdf)


def test_report_data_rags_and_history_order(session: Session) -> None:
    _, cap = build_monitored_provider(session, TODAY)
    data = cap_report_data(session, cap, today=TODAY)
    assert data.rag is Rag.RED
    assert [(a.description, a.overdue, a.rag) for a in data.actions] == [
        ("Missing-from-care training", False, Rag.GREEN), ("Recruit two waking night staff", True, Rag.RED)]
    whats = [h.what for h in data.history]
    assert whats[0] == "Plan opened" and "Sanction imposed" in whats and "Action changed" in whats
    assert ("Contract breached", "No") in data.factors


def test_report_with_no_actions_says_what_to_do(session: Session) -> None:
    from placedesk.models.enums import CapSeverity
    from placedesk.services.monitoring.caps import open_cap
    from tests.services.monitoring.helpers import make_provider

    cap = open_cap(session, make_provider(session, "P1"), issue="Late returns", severity=CapSeverity.LOW,
                   opened_on=TODAY)
    _, pdf = make_cap_report(session, cap, today=TODAY, store=False)
    assert "No actions have been agreed yet" in _text(pdf)
    assert session.scalars(select(StoredDocument)).all() == []
