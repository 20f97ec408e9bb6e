"""When reviews fall due: intervals by risk, overrides, never-reviewed providers, date boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.config import MonitoringSettings
from placedesk.models import Cap
from placedesk.models.enums import CapSeverity, CapStatus, RiskLevel
from placedesk.services.monitoring.schedule import due_reviews
from tests.services.monitoring.helpers import make_child, make_placement, make_provider, make_visit

D = dt.date
INTERVALS = MonitoringSettings(low_days=365, medium_days=180, high_days=90)


@pytest.mark.parametrize(
    ("risk", "days"), [(RiskLevel.LOW, 365), (RiskLevel.MEDIUM, 180), (RiskLevel.HIGH, 90)]
)
def test_next_review_follows_the_risk_interval(session: Session, risk: RiskLevel, days: int) -> None:
    p = make_provider(session, "P1", risk_level=risk)
    make_placement(session, p, make_child(session, "C1"), "PLC-1", start=D(2025, 1, 1))
    make_visit(session, p, D(2026, 1, 10))
    [due] = due_reviews(session, today=D(2026, 1, 11), intervals=INTERVALS)
    assert due.last_review == D(2026, 1, 10)
    assert due.due_on == D(2026, 1, 10) + dt.timedelta(days=days)
    assert due.risk is risk and due.provider_ref == "P1" and not due.overdue


def test_override_sets_the_interval(session: Session) -> None:
    p = make_provider(session, "P1", risk_level=RiskLevel.LOW, risk_override=RiskLevel.HIGH,
                      risk_override_reason="Whistleblowing concern")
    make_placement(session, p, make_child(session, "C1"), "PLC-1", start=D(2025, 1, 1))
    make_visit(session, p, D(2026, 1, 1))
    [due] = due_reviews(session, today=D(2026, 1, 2), intervals=INTERVALS)
    assert due.risk is RiskLevel.HIGH and due.due_on == D(2026, 4, 1)


def test_due_today_is_not_overdue_but_tomorrow_it_is(session: Session) -> None:
    p = make_provider(session, "P1", risk_level=RiskLevel.HIGH)
    make_placement(session, p, make_child(session, "C1"), "PLC-1", start=D(2025, 1, 1))
    make_visit(session, p, D(2026, 1, 1))
    due_day = D(2026, 4, 1)
    assert not due_reviews(session, today=due_day, intervals=INTERVALS)[0].overdue
    assert due_reviews(session, today=due_day + dt.timedelta(days=1), intervals=INTERVALS)[0].overdue


def test_never_reviewed_provider_is_due_from_its_first_current_placement(session: Session) -> None:
    p = make_provider(session, "P1")
    make_placement(session, p, make_child(session, "C1"), "PLC-1", start=D(2026, 2, 1))
    make_placement(session, p, make_child(session, "C2"), "PLC-2", start=D(2026, 3, 1))
    [due] = due_reviews(session, today=D(2026, 3, 5), intervals=INTERVALS)
    assert due.last_review is None and due.due_on == D(2026, 2, 1) and due.overdue


def test_only_monitored_providers_are_listed(session: Session) -> None:
    ended = make_provider(session, "ENDED")
    make_placement(session, ended, make_child(session, "C1"), "PLC-1", start=D(2024, 1, 1), end=D(2025, 1, 1))
    make_provider(session, "NEVER-USED")
    capped = make_provider(session, "CAPPED")
    session.add(Cap(ref="CAP-1", provider_id=capped.id, issue="Late reports", severity=CapSeverity.LOW,
                    opened_on=D(2026, 1, 5), status=CapStatus.OPEN))
    session.flush()
    refs = [d.provider_ref for d in due_reviews(session, today=D(2026, 2, 1), intervals=INTERVALS)]
    assert refs == ["CAPPED"]


def test_overdue_first_then_by_due_date(session: Session) -> None:
    for ref, visit in (("LATE", D(2025, 1, 1)), ("SOON", D(2025, 6, 1)), ("LATER", D(2025, 9, 1))):
        p = make_provider(session, ref, risk_level=RiskLevel.MEDIUM)
        make_placement(session, p, make_child(session, f"C-{ref}"), f"PLC-{ref}", start=D(2024, 1, 1))
        make_visit(session, p, visit)
    today = D(2025, 11, 20)
    reviews = due_reviews(session, today=today, intervals=INTERVALS)
    assert [r.provider_ref for r in reviews] == ["LATE", "SOON", "LATER"]
    assert [r.overdue for r in reviews] == [True, False, False]
    soon = due_reviews(session, today=today, intervals=INTERVALS, within_days=28)
    assert [r.provider_ref for r in soon] == ["LATE", "SOON"]


def test_a_review_due_on_the_last_day_of_the_window_is_in_it(session: Session) -> None:
    today = D(2026, 3, 1)
    for ref, days_ahead in (("EDGE", 28), ("AFTER", 29)):
        p = make_provider(session, ref, risk_level=RiskLevel.HIGH)
        make_placement(session, p, make_child(session, f"C-{ref}"), f"PLC-{ref}", start=D(2025, 1, 1))
        make_visit(session, p, today + dt.timedelta(days=days_ahead - 90))
    assert [r.provider_ref for r in due_reviews(session, today=today, intervals=INTERVALS, within_days=28)] == [
        "EDGE"]
    assert len(due_reviews(session, today=today, intervals=INTERVALS)) == 2
