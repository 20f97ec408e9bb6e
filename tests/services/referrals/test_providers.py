"""The provider directory: search with each filter, and the detail an officer checks before referring."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import Cap, CapAction, CapSanction, Inspection, Placement, PlacementFeeLine
from placedesk.models.enums import (
    CapSeverity,
    CapStatus,
    ContractRoute,
    FeeLineKind,
    OfstedJudgement,
    PlacementType,
    ProviderType,
    RiskLevel,
    SanctionKind,
)
from placedesk.services.referrals.providers import ProviderFilters, local_authorities, provider_detail, search_providers
from tests.services.referrals.helpers import TODAY, make_child, make_provider


def _names(session: Session, text: str = "", **filters: object) -> list[str]:
    page = search_providers(session, text, ProviderFilters(**filters))
    name_at = page.column_keys.index("name") + 1
    assert page.total == len(page.rows)
    return [row[name_at] for row in page.rows]


@pytest.fixture
def directory(session: Session) -> Session:
    make_provider(session, "Oak House", local_authority="Sheffield", vacancies=1)
    make_provider(session, "Bright Fostering", provider_type=ProviderType.IFA, local_authority="Leeds",
                  contract_route=ContractRoute.SPOT, vacancies=0, ofsted_judgement=OfstedJudgement.OUTSTANDING)
    make_provider(session, "Elm Lodge", local_authority="Leeds", suspended=True, suspension_reason="Investigation",
                  vacancies=0, town="Headingley")
    return session


def test_search_by_text_and_each_filter(directory: Session) -> None:
    s = directory
    assert _names(s) == ["Bright Fostering", "Elm Lodge", "Oak House"]
    assert _names(s, "headingley") == ["Elm Lodge"]
    assert _names(s, provider_type=ProviderType.IFA) == ["Bright Fostering"]
    assert _names(s, local_authority="Leeds") == ["Bright Fostering", "Elm Lodge"]
    assert _names(s, judgement=OfstedJudgement.OUTSTANDING) == ["Bright Fostering"]
    assert _names(s, has_vacancy=True) == ["Oak House"]
    assert _names(s, has_vacancy=False) == ["Bright Fostering", "Elm Lodge"]
    assert _names(s, contract_route=ContractRoute.SPOT) == ["Bright Fostering"]
    assert _names(s, suspended=True) == ["Elm Lodge"]
    assert _names(s, "lodge", local_authority="Sheffield") == []
    assert local_authorities(s) == ["Leeds", "Sheffield"]


def test_detail_gathers_services_inspections_placements_and_caps(session: Session) -> None:
    provider = make_provider(session, "Oak House", capabilities=["autism", "missing"],
                             weekly_rate_from_pence=400000, weekly_rate_to_pence=450000,
                             ofsted_judgement=OfstedJudgement.REQUIRES_IMPROVEMENT)
    session.add(Inspection(provider_id=provider.id, inspection_date=dt.date(2025, 10, 1),
                           judgement=OfstedJudgement.REQUIRES_IMPROVEMENT))
    child = make_child(session, first_name="Amira", last_name="Haddad")
    placement = Placement(ref="PLC-T-1", child_id=child.id, provider=provider, placement_type=PlacementType.CHILDRENS_HOME,
                          start_date=dt.date(2026, 1, 5))
    placement.fee_lines.append(PlacementFeeLine(kind=FeeLineKind.CORE, weekly_amount_pence=420000))
    session.add(placement)
    cap = Cap(ref="CAP-T-1", provider_id=provider.id, issue="Late notifications", severity=CapSeverity.HIGH,
              opened_on=dt.date(2026, 1, 10), status=CapStatus.ESCALATED)
    cap.actions.append(CapAction(description="Weekly returns", due_date=dt.date(2026, 2, 1)))
    cap.sanctions.append(CapSanction(kind=SanctionKind.RESTRICT_REFERRALS, imposed_on=dt.date(2026, 2, 15)))
    session.add(cap)
    session.flush()

    detail = provider_detail(session, provider.id, today=TODAY)
    assert detail.capabilities == ["Autism", "Going missing"]
    assert detail.rates == "£4,000.00 to £4,500.00 a week"
    assert [(i.judgement, i.inspection_date) for i in detail.inspections] == [
        (OfstedJudgement.REQUIRES_IMPROVEMENT, dt.date(2025, 10, 1))]
    assert [(p.ref, p.initials, p.weekly_total_pence) for p in detail.placements] == [("PLC-T-1", "AH", 420000)]
    assert detail.active_placements == 1
    assert [(c.ref, c.overdue_actions) for c in detail.caps] == [("CAP-T-1", 1)]
    assert detail.closed_reason.startswith("Restriction of new referrals under CAP-T-1")
    assert any("Escalated CAP" in r for r in detail.risk_reasons)


def test_detail_shows_an_override_first(session: Session) -> None:
    provider = make_provider(session, risk_override=RiskLevel.HIGH, risk_override_reason="Whistleblowing concern")
    detail = provider_detail(session, provider.id, today=TODAY)
    assert detail.risk_level is RiskLevel.HIGH
    assert detail.risk_reasons[0] == "Officer override (High): Whistleblowing concern"


def test_unknown_provider(session: Session) -> None:
    import uuid

    with pytest.raises(NotFound):
        provider_detail(session, uuid.uuid4(), today=TODAY)
