"""Paged, sorted, filtered record lists behind the main window's tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from placedesk.models import Child, Provider, Referral
from placedesk.models.enums import OfstedJudgement, ProviderType, ReferralStatus
from placedesk.services.common.listing import ListRequest, count_rows, fetch_page
from placedesk.services.referrals.record_lists import provider_list, referral_list


def _providers(session: Session, n: int) -> None:
    for i in range(n):
        session.add(Provider(
            ref=f"PRV-T-{i:04d}", name=f"Provider {i:04d}", provider_type=list(ProviderType)[i % 6],
            local_authority="Leeds" if i % 2 else "York", places=3, vacancies=i % 3,
            ofsted_judgement=OfstedJudgement.INADEQUATE if i % 10 == 0 else OfstedJudgement.GOOD,
        ))
    session.flush()


def test_pages_cover_every_row_once_in_order(session: Session) -> None:
    _providers(session, 45)
    spec, request = provider_list(), ListRequest()
    seen = [row for offset in range(0, 45, 10) for row in fetch_page(session, spec, request, offset, 10)]
    names = [row[1] for row in seen]
    assert count_rows(session, spec, request) == 45
    assert names == sorted(names) and len(set(names)) == 45


def test_search_words_and_filters_narrow_the_list(session: Session) -> None:
    _providers(session, 30)
    spec = provider_list()
    # Every word must match some searchable column: name, URN, ref, town, postcode, LA.
    assert [r[1] for r in fetch_page(session, spec, ListRequest(text="provider 0012"), 0, 50)] == ["Provider 0012"]
    assert count_rows(session, spec, ListRequest(text="york provider")) == 15
    inadequate = ListRequest().with_filter("ofsted_judgement", "inadequate")
    assert count_rows(session, spec, inadequate) == 3
    full_in_leeds = ListRequest().with_filter("has_vacancy", False).with_filter("local_authority", "Leeds")
    assert all(r[8] == 0 and r[4] == "Leeds" for r in fetch_page(session, spec, full_in_leeds, 0, 50))
    assert count_rows(session, spec, inadequate.with_filter("ofsted_judgement", None)) == 30


def test_sort_descending_by_vacancies(session: Session) -> None:
    _providers(session, 9)
    rows = fetch_page(session, provider_list(), ListRequest(sort_key="vacancies", descending=True), 0, 9)
    assert [r[8] for r in rows] == [2, 2, 2, 1, 1, 1, 0, 0, 0]


def test_referral_rows_show_the_childs_full_name_and_age(session: Session) -> None:
    child = Child(case_reference="CR-77", first_name="zofia", last_name="Łukasik", date_of_birth=dt.date(2010, 6, 15))
    session.add(child)
    session.flush()
    session.add(Referral(ref="REF-T-0001", child_id=child.id, status=ReferralStatus.SENT,
                         referred_on=dt.date(2026, 6, 1)))
    session.flush()
    spec = referral_list(dt.date(2026, 6, 15))
    (row,) = fetch_page(session, spec, ListRequest(), 0, 10)
    values = dict(zip([c.key for c in spec.columns], row[1:]))
    assert values["child"] == "zofia Łukasik"
    assert values["age"] == 16  # the 16th birthday itself
    assert values["days_open"] == 14
    assert count_rows(session, spec, ListRequest("łukasik")) + count_rows(session, spec, ListRequest("zofia")) >= 1
    assert count_rows(session, spec, ListRequest().with_filter("status", "draft")) == 0
