"""Finding a child by any name part, known-as name, case reference or date of birth; what their page lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from placedesk.models import Child
from placedesk.services.care.children import child_list, child_records
from placedesk.services.common.listing import ListRequest, count_rows, fetch_page

TODAY = dt.date(2026, 6, 15)


def _children(session: Session) -> None:
    session.add_all([
        Child(case_reference="LAC-20417", first_name="Ava", last_name="Brown", known_as="Avie",
              date_of_birth=dt.date(2012, 5, 17)),
        Child(case_reference="LAC-30001", first_name="Jay", last_name="Okafor-Brown", date_of_birth=dt.date(2009, 1, 2)),
        Child(case_reference="C-77", first_name="Siân", last_name="Ŵyn", date_of_birth=dt.date(2010, 12, 31)),
    ])
    session.commit()


def _names(session: Session, text: str) -> list[str]:
    spec = child_list(TODAY)
    request = ListRequest(text)
    rows = fetch_page(session, spec, request, 0, 50)
    assert count_rows(session, spec, request) == len(rows)
    return sorted(row[1] for row in rows)


def test_a_child_is_found_by_any_name_part_known_as_reference_or_birthday(session: Session) -> None:
    _children(session)
    assert _names(session, "brown") == ["Ava Brown", "Jay Okafor-Brown"]
    assert _names(session, "okafor") == ["Jay Okafor-Brown"]
    assert _names(session, "avie") == ["Ava Brown"]
    assert _names(session, "20417") == ["Ava Brown"]
    assert _names(session, "17/05/2012") == ["Ava Brown"]
    assert _names(session, "2009-01-02") == ["Jay Okafor-Brown"]
    assert _names(session, "ava brown") == ["Ava Brown"]
    assert _names(session, "nobody") == []


def test_the_list_shows_full_names_and_age(session: Session) -> None:
    _children(session)
    spec = child_list(TODAY)
    row = fetch_page(session, spec, ListRequest("LAC-20417"), 0, 1)[0]
    values = dict(zip([c.key for c in spec.columns], row[1:]))
    assert values["name"] == "Ava Brown" and values["known_as"] == "Avie" and values["age"] == 14


def test_the_demo_childs_records_cover_referrals_placements_and_agreements(demo_db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from placedesk.models import Placement

    with demo_db.session() as session:
        child_id = session.scalars(select(Placement.child_id)).first()
        records = child_records(session, child_id)
        assert records.placements and all(p.provider for p in records.placements)
        assert records.referrals
