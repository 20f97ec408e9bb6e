"""The child's page data: identity, counted care history and the leaving-care status in one call."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import CarePeriod, Child
from placedesk.services.care.child_summary import child_page
from placedesk.services.care.leaving_care import CareLeaverStatus


def test_page_counts_days_and_explains_each_period(session: Session) -> None:
    child = Child(case_reference="C1", first_name="Ava", last_name="Brown", date_of_birth=dt.date(2009, 6, 15),
                  social_worker_name="Sam Lee", social_worker_email="sam@example.org")
    session.add(child)
    session.flush()
    session.add_all([
        CarePeriod(child_id=child.id, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 1, 11), legal_status="L2"),
        CarePeriod(child_id=child.id, start_date=dt.date(2025, 7, 1), legal_status="V2"),
        CarePeriod(child_id=child.id, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 1, 3), legal_status="ZZ"),
    ])
    session.commit()
    page = child_page(session, child.id, dt.date(2025, 7, 10))
    assert [(r.start_date, r.days, r.counting) for r in page.care_history] == [
        (dt.date(2025, 7, 1), 10, "Counts towards 13 weeks"),
        (dt.date(2025, 1, 1), 10, "Not counted: not looked after"),
        (dt.date(2024, 1, 1), 2, "Not counted: unknown legal status"),
    ]
    assert page.social_worker == "Sam Lee, sam@example.org"
    assert page.age == 16
    assert page.leaving_care.status is CareLeaverStatus.NONE and page.leaving_care.looked_after_now
    assert page.leaving_care.changes[0][0] == dt.date(2025, 9, 29)  # the 91st day from 01/07


def test_unknown_child_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="refresh the list"):
        child_page(session, uuid.uuid4(), dt.date(2025, 1, 1))
