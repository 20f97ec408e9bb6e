"""Dashboard figures against hand-computed values on a tiny fixture."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from placedesk.models.enums import CapActionStatus, CapOutcome, CapSeverity, ProviderType, RiskLevel
from placedesk.services.monitoring.caps import add_action, close_cap, open_cap, set_action_status
from placedesk.services.monitoring.dashboard import compute_dashboard, figure_rows
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import record_value
from tests.services.monitoring.helpers import make_child, make_placement, make_provider

D = dt.date
ON = D(2026, 6, 15)


def _fixture(session: Session) -> None:
    kpis = {k.code: k for k in ensure_default_kpis(session)}
    home = make_provider(session, "HOME", risk_level=RiskLevel.HIGH)
    ifa = make_provider(session, "IFA", provider_type=ProviderType.IFA, risk_level=RiskLevel.LOW,
                        risk_override=RiskLevel.MEDIUM, risk_override_reason="New manager")
    make_provider(session, "QUIET", risk_level=RiskLevel.LOW)
    # Spend: two active home placements (3,500 + 500 and 4,000), one ended, one IFA (900), one not started.
    make_placement(session, home, make_child(session, "C1"), "PLC-1", start=D(2026, 1, 1),
                   weekly_pence=(350000, 50000))
    make_placement(session, home, make_child(session, "C2"), "PLC-2", start=D(2026, 2, 1), end=ON,
                   weekly_pence=(400000,))
    make_placement(session, home, make_child(session, "C3"), "PLC-3", start=D(2025, 1, 1), end=D(2026, 6, 14),
                   weekly_pence=(999999,))
    make_placement(session, ifa, make_child(session, "C4"), "PLC-4", start=D(2026, 3, 1), weekly_pence=(90000,))
    make_placement(session, ifa, make_child(session, "C5"), "PLC-5", start=D(2026, 7, 1), weekly_pence=(77777,))
    # KPIs: HOME's latest period is May (2 red of 3); April's reds do not count. IFA's latest is June (0 red).
    record_value(session, home, kpis["SCHOOL_ATTENDANCE"], D(2026, 4, 1), 50)
    record_value(session, home, kpis["SCHOOL_ATTENDANCE"], D(2026, 5, 1), 80)   # red (< 90)
    record_value(session, home, kpis["MISSING"], D(2026, 5, 1), 3)              # red (> 2)
    record_value(session, home, kpis["COMPLAINTS"], D(2026, 5, 1), 1)           # amber
    record_value(session, ifa, kpis["STABILITY"], D(2026, 5, 1), 10)           # red, but not latest
    record_value(session, ifa, kpis["STABILITY"], D(2026, 6, 1), 95)            # green
    # CAPs: one open with 3 actions (1 overdue, 1 due today, 1 complete); one closed with an old action.
    cap = open_cap(session, home, issue="Attendance", severity=CapSeverity.MEDIUM, opened_on=D(2026, 5, 1))
    add_action(session, cap, description="Plan", owner="RM", due_date=D(2026, 6, 14))
    add_action(session, cap, description="Meet school", owner="RM", due_date=ON)
    done = add_action(session, cap, description="Audit", owner="RM", due_date=D(2026, 5, 2))
    set_action_status(session, done, CapActionStatus.COMPLETE, on=D(2026, 5, 2), evidence="Report")
    closed = open_cap(session, ifa, issue="Old", severity=CapSeverity.LOW, opened_on=D(2025, 1, 1))
    old = add_action(session, closed, description="Old", owner="RM", due_date=D(2025, 2, 1))
    set_action_status(session, old, CapActionStatus.WAIVED, on=D(2025, 2, 1), waived_reason="Superseded")
    close_cap(session, closed, CapOutcome.RESOLVED, "Done", today=D(2025, 3, 1))


def test_dashboard_figures_match_hand_computed_values(session: Session) -> None:
    _fixture(session)
    figures = compute_dashboard(session, on=ON)
    assert figures.providers_by_risk == {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 1}
    assert (figures.open_caps, figures.open_cap_actions, figures.overdue_cap_actions) == (1, 2, 1)
    reds = {(r.provider_ref, r.period, r.reds, r.values) for r in figures.kpi_reds_by_provider}
    assert reds == {("HOME", D(2026, 5, 1), 2, 3), ("IFA", D(2026, 6, 1), 0, 1)}
    assert figures.kpi_reds_by_provider[0].provider_ref == "HOME"
    assert figures.weekly_spend_by_type == {ProviderType.CHILDRENS_HOME: 350000 + 50000 + 400000,
                                            ProviderType.IFA: 90000}
    rows = dict(figure_rows(figures))
    assert rows["providers_risk_high"] == "1" and rows["cap_actions_overdue"] == "1"
    assert rows["kpi_reds_latest_period:HOME"] == "2"
    assert rows["weekly_spend_pence:childrens_home"] == "800000" and rows["weekly_spend_pence:total"] == "890000"
    assert rows["weekly_spend_pence:supported_accommodation"] == "0"


def test_empty_database_gives_zero_figures(session: Session) -> None:
    figures = compute_dashboard(session, on=ON)
    assert figures.providers_by_risk == {level: 0 for level in RiskLevel}
    assert figures.kpi_reds_by_provider == [] and figures.weekly_spend_total == 0
    assert figures.open_cap_actions == 0
