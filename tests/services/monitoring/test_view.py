"""What the Monitoring tab reads: the provider list at a glance and one provider's overview."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from placedesk.models.enums import Rag, RiskLevel
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import record_value
from placedesk.services.common.listing import ListRequest, count_rows, fetch_page
from placedesk.services.monitoring.view import load_overview, monitoring_provider_list
from tests.services.monitoring.helpers import build_monitored_provider, make_child, make_placement, make_provider

TODAY = dt.date(2026, 6, 15)


def test_list_gives_risk_worst_latest_kpi_and_cap_counts(session: Session) -> None:
    provider, _ = build_monitored_provider(session, TODAY)
    kpis = {k.code: k for k in ensure_default_kpis(session)}
    amber_only = make_provider(session, "P-AMBER", name="Amber House")
    record_value(session, amber_only, kpis["COMPLAINTS"], dt.date(2026, 5, 1), 1)
    record_value(session, amber_only, kpis["COMPLAINTS"], dt.date(2026, 4, 1), 9)  # red, but not latest
    make_provider(session, "P-NONE", name="No Returns")
    spec = monitoring_provider_list(TODAY)
    rows = {row[1]: row for row in fetch_page(session, spec, ListRequest(), 0, 50)}
    keys = ["id"] + [c.key for c in spec.columns]
    brook = dict(zip(keys, rows["Brook Lodge"], strict=True))
    assert brook["risk"] is RiskLevel.HIGH and brook["kpi_rag"] is Rag.RED
    assert (brook["open_caps"], brook["overdue"]) == (1, 1)
    assert dict(zip(keys, rows["Amber House"], strict=True))["kpi_rag"] is Rag.AMBER
    assert dict(zip(keys, rows["No Returns"], strict=True))["kpi_rag"] is None
    monitored = ListRequest(filters=(("scope", "monitored"),))
    assert [r[1] for r in fetch_page(session, spec, monitored, 0, 50)] == ["Brook Lodge"]
    assert count_rows(session, spec, ListRequest(filters=(("risk", "high"),))) == 1


def test_overview_has_everything_the_detail_shows(session: Session) -> None:
    provider, cap = build_monitored_provider(session, TODAY)
    make_placement(session, provider, make_child(session, "C1", first="Ava", last="Khan"), "PLC-1",
                   start=dt.date(2026, 1, 1))
    overview = load_overview(session, provider.id, today=TODAY)
    assert overview.risk is RiskLevel.HIGH and any("Escalated CAP" in r.reason for r in overview.reasons)
    assert set(overview.kpi_series()) == {"School attendance", "Complaints"}
    assert len(overview.kpi_series()["School attendance"]) == 24
    [cap_view] = overview.caps
    assert cap_view.ref == cap.ref and cap_view.overdue == 1 and cap_view.rag is Rag.RED
    assert [s.can_lift for s in cap_view.sanctions] == [True]
    assert overview.placements[0].child_name == "Ava Khan"
    assert overview.visits[0][1] == "Unannounced visit"
