"""Quality visits: what is required, and that a poor rating raises the provider's risk."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import OfstedJudgement, RiskLevel, VisitRating, VisitType
from placedesk.services.monitoring.visits import record_visit, visits_for
from tests.services.monitoring.helpers import make_child, make_placement, make_provider

D = dt.date
TODAY = D(2026, 6, 1)


def test_visit_is_recorded_and_poor_rating_raises_risk(session: Session) -> None:
    p = make_provider(session, "P1", ofsted_judgement=OfstedJudgement.GOOD)
    record_visit(session, p, visit_date=D(2026, 5, 1), visit_type=VisitType.UNANNOUNCED,
                 findings="Staffing below ratio at night", rating=VisitRating.INADEQUATE, today=TODAY)
    assert p.risk_level is RiskLevel.HIGH
    record_visit(session, p, visit_date=D(2026, 5, 20), visit_type=VisitType.REG44_REPORT,
                 findings="Reg 44 visitor found improvements", rating=None, today=TODAY)
    assert [v.visit_type for v in visits_for(session, p)] == [VisitType.REG44_REPORT, VisitType.UNANNOUNCED]
    assert len(visits_for(session, p, start=D(2026, 5, 10))) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"visit_date": D(2026, 6, 2)}, "visit_date"), ({"findings": "  "}, "findings"), ({"rating": None}, "rating")],
)
def test_visit_needs_a_past_date_findings_and_rating(session: Session, kwargs: dict[str, object],
                                                    field: str) -> None:
    p = make_provider(session, "P1")
    args: dict[str, object] = {"visit_date": D(2026, 5, 1), "visit_type": VisitType.ANNOUNCED,
                               "findings": "All well", "rating": VisitRating.GOOD, "today": TODAY, **kwargs}
    with pytest.raises(ValidationError) as err:
        record_visit(session, p, **args)  # type: ignore[arg-type]
    assert err.value.field == field


def test_visit_placement_must_be_with_the_provider(session: Session) -> None:
    p, other = make_provider(session, "P1"), make_provider(session, "P2")
    placement = make_placement(session, other, make_child(session, "C1"), "PLC-1", start=D(2026, 1, 1))
    with pytest.raises(ValidationError) as err:
        record_visit(session, p, visit_date=D(2026, 5, 1), visit_type=VisitType.ANNOUNCED, findings="ok",
                     rating=VisitRating.GOOD, today=TODAY, placement=placement)
    assert err.value.field == "placement"
