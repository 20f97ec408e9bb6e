"""Provider risk: every rule with its reason, the highest level winning, stored level and override."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import CapSeverity, OfstedJudgement, RiskLevel, SanctionKind, VisitRating
from placedesk.services.monitoring.caps import add_action, escalate, open_cap
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import record_value
from placedesk.services.monitoring.risk import RiskFacts, assess, assess_provider, override_risk, refresh_all_risks, refresh_risk
from tests.services.monitoring.helpers import make_provider, make_visit

D = dt.date
TODAY = D(2026, 6, 15)
GOOD = OfstedJudgement.GOOD
LOW, MEDIUM, HIGH = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH


@pytest.mark.parametrize(
    ("facts", "level", "reason"),
    [
        (RiskFacts(judgement=OfstedJudgement.OUTSTANDING), LOW, None),
        (RiskFacts(judgement=GOOD), LOW, None),
        (RiskFacts(judgement=OfstedJudgement.INADEQUATE, inspection_date=D(2026, 1, 5)), HIGH,
         "Ofsted judged the provider Inadequate (05/01/2026)"),
        (RiskFacts(judgement=OfstedJudgement.REQUIRES_IMPROVEMENT), MEDIUM, "Requires improvement"),
        (RiskFacts(judgement=OfstedJudgement.NOT_YET_INSPECTED), MEDIUM, "Not yet inspected"),
        (RiskFacts(judgement=GOOD, kpi_reds=1), MEDIUM, "1 KPI value(s) red in the last 3 months"),
        (RiskFacts(judgement=GOOD, kpi_reds=2), MEDIUM, "2 KPI value(s) red"),
        (RiskFacts(judgement=GOOD, kpi_reds=3), HIGH, "3 KPI values red in the last 3 months"),
        (RiskFacts(judgement=GOOD, escalated_caps=["CAP-1"]), HIGH, "Escalated CAP: CAP-1"),
        (RiskFacts(judgement=GOOD, open_actions=2, overdue_actions=1), HIGH, "1 CAP action(s) overdue"),
        (RiskFacts(judgement=GOOD, open_actions=2), MEDIUM, "2 CAP action(s) open"),
        (RiskFacts(judgement=GOOD, visit_rating=VisitRating.INADEQUATE), HIGH, "Latest visit rated Inadequate"),
        (RiskFacts(judgement=GOOD, visit_rating=VisitRating.REQUIRES_IMPROVEMENT), MEDIUM,
         "Latest visit rated Requires improvement"),
        (RiskFacts(judgement=GOOD, visit_rating=VisitRating.GOOD), LOW, None),
    ],
)
def test_each_rule_gives_its_level_and_reason(facts: RiskFacts, level: RiskLevel, reason: str | None) -> None:
    result = assess(facts)
    assert result.level is level
    if reason is None:
        assert result.reasons == [] and "No risk factors" in result.explain()
    else:
        assert any(reason in r.reason and r.level is level for r in result.reasons)


def test_highest_rule_wins_and_reasons_are_listed_highest_first() -> None:
    result = assess(RiskFacts(judgement=OfstedJudgement.REQUIRES_IMPROVEMENT, overdue_actions=2, open_actions=2))
    assert result.level is HIGH
    assert [r.level for r in result.reasons] == [HIGH, MEDIUM]


def test_the_officer_reads_every_reason_word_for_word_highest_first() -> None:
    # Worked out by hand from the rules in risk.py's docstring: three HIGH reasons in rule order,
    # then three MEDIUM ones; two of the three open actions are not overdue.
    result = assess(RiskFacts(
        judgement=OfstedJudgement.REQUIRES_IMPROVEMENT, inspection_date=D(2025, 11, 3), kpi_reds=3,
        escalated_caps=["CAP-9", "CAP-2"], open_actions=3, overdue_actions=1,
        visit_rating=VisitRating.REQUIRES_IMPROVEMENT, visit_date=D(2026, 5, 20)))
    assert result.level is HIGH
    assert result.explain() == (
        "High: 3 KPI values red in the last 3 months\n"
        "High: Escalated CAP: CAP-2, CAP-9\n"
        "High: 1 CAP action(s) overdue\n"
        "Medium: Ofsted judged the provider Requires improvement (03/11/2025)\n"
        "Medium: 2 CAP action(s) open\n"
        "Medium: Latest visit rated Requires improvement (20/05/2026)")


def test_undated_judgements_and_visits_are_shown_without_a_date() -> None:
    assert [r.reason for r in assess(RiskFacts(judgement=OfstedJudgement.INADEQUATE,
                                               visit_rating=VisitRating.INADEQUATE)).reasons] == [
        "Ofsted judged the provider Inadequate", "Latest visit rated Inadequate"]
    assert assess(RiskFacts()).explain() == "Medium: Not yet inspected by Ofsted: quality is unknown"
    assert assess(RiskFacts(judgement=GOOD)).explain() == (
        "No risk factors: good inspection, no recent KPI reds, no open CAP actions, no poor visits.")
    assert [r.level for r in assess(RiskFacts(judgement=GOOD, open_actions=2, overdue_actions=2)).reasons] == [HIGH]


def test_facts_come_from_the_database(session: Session) -> None:
    kpis = {k.code: k for k in ensure_default_kpis(session)}
    p = make_provider(session, "P1", ofsted_judgement=GOOD)
    assert refresh_risk(session, p, today=TODAY).level is LOW
    # Red in May counts; red five months ago is outside the window.
    record_value(session, p, kpis["SCHOOL_ATTENDANCE"], D(2026, 5, 1), 70)
    record_value(session, p, kpis["SCHOOL_ATTENDANCE"], D(2026, 1, 1), 70)
    record_value(session, p, kpis["COMPLAINTS"], D(2026, 6, 1), 1)  # amber, not red
    result = refresh_risk(session, p, today=TODAY)
    assert result.level is MEDIUM and p.risk_level is MEDIUM
    assert [r.reason for r in result.reasons] == ["1 KPI value(s) red in the last 3 months"]
    # A poor visit over a year ago no longer counts; a recent one does.
    make_visit(session, p, D(2025, 6, 1), VisitRating.INADEQUATE)
    assert assess_provider(session, p, today=TODAY).level is MEDIUM
    make_visit(session, p, D(2026, 6, 1), VisitRating.INADEQUATE)
    assert assess_provider(session, p, today=TODAY).level is HIGH


def test_cap_actions_drive_risk_and_overdue_starts_the_day_after(session: Session) -> None:
    p = make_provider(session, "P1", ofsted_judgement=GOOD)
    cap = open_cap(session, p, issue="Late reports", severity=CapSeverity.LOW, opened_on=D(2026, 6, 1))
    add_action(session, cap, description="Send reports", owner="Manager", due_date=TODAY, today=TODAY)
    assert p.risk_level is MEDIUM
    assert assess_provider(session, p, today=TODAY + dt.timedelta(days=1)).level is HIGH
    escalate(session, cap, SanctionKind.FINE, amount_pence=10000, today=TODAY, notes="Breach")
    reasons = [r.reason for r in assess_provider(session, p, today=TODAY).reasons]
    assert any(r.startswith("Escalated CAP") for r in reasons)


def test_override_needs_a_reason_and_drives_effective_risk(session: Session) -> None:
    p = make_provider(session, "P1", ofsted_judgement=GOOD)
    with pytest.raises(ValidationError) as err:
        override_risk(session, p, HIGH, " ")
    assert err.value.field == "reason"
    override_risk(session, p, HIGH, "Police concerns shared at strategy meeting")
    assert p.effective_risk is HIGH and p.risk_level is LOW
    override_risk(session, p, None)
    assert p.effective_risk is LOW and p.risk_override_reason == ""


def test_refresh_all_risks_updates_every_provider(session: Session) -> None:
    make_provider(session, "P1", ofsted_judgement=OfstedJudgement.INADEQUATE)
    make_provider(session, "P2", ofsted_judgement=GOOD)
    make_provider(session, "P3", ofsted_judgement=OfstedJudgement.REQUIRES_IMPROVEMENT)
    assert refresh_all_risks(session, today=TODAY) == 2
    assert refresh_all_risks(session, today=TODAY) == 0
