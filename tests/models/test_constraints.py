"""The database itself rejects rows that break the rules it can check."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from placedesk.models import (
    CapAction,
    CarePeriod,
    Child,
    OutcomeAssessment,
    Provider,
    Referral,
    ReferralFundingShare,
)
from placedesk.models.enums import CapActionStatus, FundingPartner, OutcomeTool, ProviderType


def _child(session: Session) -> Child:
    child = Child(case_reference=f"C{uuid.uuid4().hex[:6]}", first_name="Kai", last_name="Moss",
                  date_of_birth=dt.date(2009, 3, 3))
    session.add(child)
    session.flush()
    return child


def _provider(**kw: Any) -> Provider:
    values: dict[str, Any] = dict(ref=f"P-{uuid.uuid4().hex[:6]}", name="Oak House", provider_type=ProviderType.CHILDRENS_HOME,
                                  places=4, vacancies=1)
    values.update(kw)
    return Provider(**values)


def _referral_share(session: Session, bp: int) -> ReferralFundingShare:
    referral = Referral(ref=f"R-{uuid.uuid4().hex[:6]}", child_id=_child(session).id)
    session.add(referral)
    session.flush()
    return ReferralFundingShare(referral_id=referral.id, partner=FundingPartner.HEALTH, share_bp=bp)


BAD_ROWS: dict[str, Callable[[Session], Any]] = {
    "vacancies above places": lambda s: _provider(places=2, vacancies=3),
    "negative places": lambda s: _provider(places=-1, vacancies=0),
    "rate range reversed": lambda s: _provider(weekly_rate_from_pence=500_00, weekly_rate_to_pence=400_00),
    "duplicate URN": lambda s: [_provider(urn="SC123456"), _provider(urn="SC123456")],
    "share over 100%": lambda s: _referral_share(s, 10001),
    "negative share": lambda s: _referral_share(s, -1),
    "care period ends before it starts": lambda s: CarePeriod(
        child_id=_child(s).id, start_date=dt.date(2020, 5, 1), end_date=dt.date(2020, 4, 1), legal_status="C2"),
    "WEMWBS total out of range": lambda s: OutcomeAssessment(
        child_id=_child(s).id, tool=OutcomeTool.WEMWBS, assessed_on=dt.date(2024, 1, 1), total=71),
    "SWEMWBS total out of range": lambda s: OutcomeAssessment(
        child_id=_child(s).id, tool=OutcomeTool.SWEMWBS, assessed_on=dt.date(2024, 1, 1), total=6),
    "care period for a child that does not exist": lambda s: CarePeriod(
        child_id=uuid.uuid4(), start_date=dt.date(2020, 5, 1), legal_status="C2"),
    "waived action without a reason": lambda s: CapAction(
        cap_id=uuid.uuid4(), description="x", due_date=dt.date(2024, 1, 1), status=CapActionStatus.WAIVED),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_row_is_rejected(session: Session, case: str) -> None:
    rows = BAD_ROWS[case](session)
    session.add_all(rows if isinstance(rows, list) else [rows])
    with pytest.raises(IntegrityError):
        session.flush()


def test_unknown_enum_value_is_rejected(session: Session) -> None:
    provider = _provider()
    session.add(provider)
    session.flush()
    with pytest.raises(IntegrityError):
        session.connection().exec_driver_sql(
            "UPDATE provider SET provider_type = 'castle' WHERE ref = ?", (provider.ref,)
        )


def test_good_rows_are_accepted(session: Session) -> None:
    session.add(_provider(urn="SC000001"))
    session.add(_provider(urn=None))
    session.add(_provider(urn=None))
    session.add(_referral_share(session, 10000))
    session.flush()
