"""Recording Ofsted inspections keeps the provider's latest judgement and its risk current."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import OfstedJudgement, RiskLevel
from placedesk.services.monitoring.inspections import delete_inspection, inspection_history, record_inspection
from tests.services.monitoring.helpers import make_provider

D = dt.date
TODAY = D(2026, 6, 1)


def test_latest_inspection_sets_the_providers_judgement(session: Session) -> None:
    p = make_provider(session, "P1")
    record_inspection(session, p, inspection_date=D(2025, 3, 1), judgement=OfstedJudgement.GOOD, today=TODAY)
    assert p.ofsted_judgement is OfstedJudgement.GOOD and p.last_inspection_date == D(2025, 3, 1)
    assert p.risk_level is RiskLevel.LOW
    latest = record_inspection(session, p, inspection_date=D(2026, 2, 1), judgement=OfstedJudgement.INADEQUATE,
                               today=TODAY)
    assert p.ofsted_judgement is OfstedJudgement.INADEQUATE and p.risk_level is RiskLevel.HIGH
    # An older inspection added later is history; it does not replace the current judgement.
    record_inspection(session, p, inspection_date=D(2023, 1, 1), judgement=OfstedJudgement.OUTSTANDING,
                      today=TODAY)
    assert p.ofsted_judgement is OfstedJudgement.INADEQUATE
    assert [i.inspection_date for i in inspection_history(session, p)] == [D(2026, 2, 1), D(2025, 3, 1),
                                                                           D(2023, 1, 1)]
    delete_inspection(session, latest)
    assert p.ofsted_judgement is OfstedJudgement.GOOD and p.last_inspection_date == D(2025, 3, 1)


def test_future_duplicate_and_blank_judgements_are_refused(session: Session) -> None:
    p = make_provider(session, "P1")
    with pytest.raises(ValidationError) as err:
        record_inspection(session, p, inspection_date=D(2026, 6, 2), judgement=OfstedJudgement.GOOD, today=TODAY)
    assert err.value.field == "inspection_date"
    with pytest.raises(ValidationError) as err:
        record_inspection(session, p, inspection_date=D(2026, 1, 2), judgement=OfstedJudgement.NOT_YET_INSPECTED,
                          today=TODAY)
    assert err.value.field == "judgement"
    record_inspection(session, p, inspection_date=D(2026, 1, 2), judgement=OfstedJudgement.GOOD, today=TODAY)
    with pytest.raises(ValidationError, match="already recorded"):
        record_inspection(session, p, inspection_date=D(2026, 1, 2), judgement=OfstedJudgement.GOOD, today=TODAY)
