"""The dashboard charts' series, against the dashboard fixture with values worked out by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.models import Placement, PlacementFundingShare
from placedesk.models.enums import FeeLineKind, FundingPartner, LineFunding, ProviderType, Rag
from placedesk.services.monitoring.dashboard import figure_rows
from placedesk.services.monitoring.dashboard_series import dashboard_with_charts
from placedesk.services.referrals.funding import refresh_placement_funding
from tests.services.monitoring.test_dashboard import ON, _fixture

D = dt.date


def _fund(session: Session) -> None:
    placements = {p.ref: p for p in session.scalars(select(Placement))}
    one = placements["PLC-1"]
    # PLC-1: core £3,500 shared (social care 100%), the £500 line an education element funded by education.
    one.fee_lines[1].kind, one.fee_lines[1].funded_by = FeeLineKind.EDUCATION, LineFunding.EDUCATION
    one.funding_shares.append(PlacementFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=10000,
                                                    weekly_amount_pence=0))
    refresh_placement_funding(one)
    # PLC-2: £4,000 shared 60/40 between social care and health: £2,400 and £1,600.
    two = placements["PLC-2"]
    two.funding_shares += [
        PlacementFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=6000, weekly_amount_pence=0),
        PlacementFundingShare(partner=FundingPartner.HEALTH, share_bp=4000, weekly_amount_pence=0)]
    refresh_placement_funding(two)
    session.flush()


def test_chart_series_match_hand_computed_values(session: Session) -> None:
    _fixture(session)
    _fund(session)
    figures, charts = dashboard_with_charts(session, on=ON)
    # HOME's May: attendance 80 and 3 missing episodes red, 1 complaint amber; IFA's June: stability 95 green.
    assert charts.rag_by_type == {ProviderType.CHILDRENS_HOME: {Rag.RED: 2, Rag.AMBER: 1},
                                  ProviderType.IFA: {Rag.GREEN: 1}}
    months = {month: (reds, total) for month, reds, total in charts.reds_by_month}
    assert len(charts.reds_by_month) == 12 and charts.reds_by_month[0][0] == D(2025, 7, 1)
    # April: attendance 50 red. May: HOME's two reds and IFA's stability 10. June: stability 95 only.
    assert months[D(2026, 4, 1)] == (1, 1) and months[D(2026, 5, 1)] == (3, 4) and months[D(2026, 6, 1)] == (0, 1)
    assert months[D(2025, 7, 1)] == (0, 0)
    # HOME's open CAP: "Plan" (due 14/06, overdue) and "Meet school" (due today, not overdue).
    [home] = charts.actions_by_provider
    assert (home.open, home.overdue) == (2, 1)
    # Active on 15/06: PLC-1 (social care 3,500; education 500) and PLC-2 (ends today: 2,400 and 1,600).
    assert charts.spend_by_partner == {FundingPartner.SOCIAL_CARE: 350000 + 240000,
                                       FundingPartner.EDUCATION: 50000, FundingPartner.HEALTH: 160000}
    rows = dict(figure_rows(figures))
    assert rows["weekly_spend_pence_by_partner:education"] == "50000"


def test_an_empty_database_gives_empty_series(session: Session) -> None:
    _, charts = dashboard_with_charts(session, on=ON)
    assert charts.rag_by_type == {} and charts.actions_by_provider == [] and charts.spend_by_partner == {}
    assert all(reds == total == 0 for _, reds, total in charts.reds_by_month)
