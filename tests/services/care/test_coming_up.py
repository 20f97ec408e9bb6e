"""The officer's week against a caseload holding exactly one item of each kind."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from placedesk.config import MonitoringSettings
from placedesk.db import Database
from placedesk.errors import ValidationError
from placedesk.models import (
    Agreement,
    CarePeriod,
    Cap,
    CapAction,
    CapReview,
    Child,
    MonitoringVisit,
    Offer,
    Placement,
    Provider,
    Referral,
    ReferralRecipient,
)
from placedesk.models.enums import (
    AgreementStatus,
    CapActionStatus,
    CapSeverity,
    PlacementType,
    ProviderType,
    RecipientResponse,
    ReferralStatus,
    RiskLevel,
    VisitType,
)
from placedesk.services.care.coming_up import ItemKind, coming_up

TODAY = dt.date(2026, 3, 10)
D = dt.date


def make_caseload(session: Session) -> dict[str, uuid.UUID]:
    """One referral awaiting responses, one open offer, one IPA awaiting countersignature, one CAP
    action and review, one provider due a visit, and one child with each milestone."""
    # Ava turns 18 on 20/03/2026; her pathway plan is recorded for 25/03, EHCP review 01/04.
    ava = Child(case_reference="C100", first_name="Ava", last_name="Brown", date_of_birth=D(2008, 3, 20),
                pathway_plan_date=D(2026, 3, 25), ehcp_review_date=D(2026, 4, 1), has_ehcp=True)
    ben = Child(case_reference="C200", first_name="Ben", last_name="Cole", date_of_birth=D(2012, 1, 1),
                pathway_plan_date=D(2028, 1, 1))
    # Cai turned 16 on 20/12/2025, looked after since 2022 with no pathway plan: needs assessment due 20/03/2026.
    cai = Child(case_reference="C300", first_name="Cai", last_name="Dunn", date_of_birth=D(2009, 12, 20))
    # Dee (16 on 01/06/2025) was looked after for 30 days after 16, to 25/12/2025: a qualifying young
    # person, whose advice and assistance check falls on 25/03/2026.
    dee = Child(case_reference="C400", first_name="Dee", last_name="Eze", date_of_birth=D(2009, 6, 1))
    home = Provider(ref="PRV-1", name="Oak House", provider_type=ProviderType.CHILDRENS_HOME,
                    risk_level=RiskLevel.HIGH)
    ifa = Provider(ref="PRV-2", name="Bright Futures IFA", provider_type=ProviderType.IFA)
    session.add_all([ava, ben, cai, dee, home, ifa])
    session.flush()
    session.add_all([
        # Ava looked after since she was 12: eligible, so her recorded pathway plan is reviewed.
        CarePeriod(child_id=ava.id, start_date=D(2020, 6, 1), end_date=None, legal_status="C2"),
        CarePeriod(child_id=cai.id, start_date=D(2022, 1, 1), end_date=None, legal_status="C2"),
        CarePeriod(child_id=dee.id, start_date=D(2025, 11, 25), end_date=D(2025, 12, 25), legal_status="V2"),
    ])
    referral = Referral(ref="REF-1", child_id=ben.id, status=ReferralStatus.OFFERS_RECEIVED,
                        response_by=D(2026, 3, 8))
    session.add(referral)
    session.flush()
    waiting = ReferralRecipient(referral_id=referral.id, provider_id=home.id, sent_on=D(2026, 3, 1))
    offered = ReferralRecipient(referral_id=referral.id, provider_id=ifa.id, sent_on=D(2026, 3, 1),
                                response=RecipientResponse.OFFERED, responded_on=D(2026, 3, 5))
    session.add_all([waiting, offered])
    session.flush()
    offer = Offer(recipient_id=offered.id, received_on=D(2026, 3, 5), expires_on=D(2026, 3, 15))
    placement = Placement(ref="PLC-1", child_id=ava.id, provider_id=home.id,
                          placement_type=PlacementType.CHILDRENS_HOME, start_date=D(2025, 6, 1),
                          planned_end_date=D(2026, 4, 5), review_date=D(2026, 3, 12))
    session.add_all([offer, placement])
    session.flush()
    agreement = Agreement(placement_id=placement.id, ref="IPA-PLC-1", status=AgreementStatus.OFFICER_SIGNED,
                          officer_signed_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc),
                          review_dates=["2026-03-30", "2025-12-01"])
    cap = Cap(ref="CAP-1", provider_id=home.id, issue="Late notifications", severity=CapSeverity.MEDIUM,
              opened_on=D(2026, 1, 5))
    visit = MonitoringVisit(provider_id=home.id, visit_date=D(2025, 12, 20), visit_type=VisitType.ANNOUNCED)
    session.add_all([agreement, cap, visit])
    session.flush()
    action = CapAction(cap_id=cap.id, description="Send the missing\nnotifications", due_date=D(2026, 3, 3))
    done = CapAction(cap_id=cap.id, description="Done already", due_date=D(2026, 3, 1),
                     status=CapActionStatus.COMPLETE, completed_on=D(2026, 3, 1))
    review = CapReview(cap_id=cap.id, review_date=D(2026, 3, 20))
    session.add_all([action, done, review])
    session.commit()
    return {"ava": ava.id, "ben": ben.id, "cai": cai.id, "dee": dee.id, "referral": referral.id, "placement": placement.id,
            "agreement": agreement.id, "cap": cap.id, "home": home.id, "action": action.id, "offer": offer.id}


def test_one_row_of_each_kind_with_its_date_and_record(session: Session) -> None:
    ids = make_caseload(session)
    items = coming_up(session, today=TODAY, days=28, intervals=MonitoringSettings())
    by_kind = {i.kind: i for i in items}
    assert len(items) == len(by_kind) == len(ItemKind), [i.title for i in items]
    expected = {
        ItemKind.REFERRAL_RESPONSE: (D(2026, 3, 8), True, "referral", ids["referral"]),
        ItemKind.OFFER_EXPIRY: (D(2026, 3, 15), False, "referral", ids["referral"]),
        ItemKind.COUNTERSIGNATURE: (D(2026, 3, 15), False, "agreement", ids["agreement"]),
        ItemKind.CAP_ACTION: (D(2026, 3, 3), True, "cap", ids["cap"]),
        ItemKind.CAP_REVIEW: (D(2026, 3, 20), False, "cap", ids["cap"]),
        # High risk: 90 days after the visit on 20/12/2025.
        ItemKind.MONITORING_VISIT: (D(2026, 3, 20), False, "provider", ids["home"]),
        ItemKind.PLACEMENT_REVIEW: (D(2026, 3, 12), False, "placement", ids["placement"]),
        ItemKind.PLANNED_END: (D(2026, 4, 5), False, "placement", ids["placement"]),
        ItemKind.IPA_REVIEW: (D(2026, 3, 30), False, "placement", ids["placement"]),
        ItemKind.NEEDS_ASSESSMENT: (D(2026, 3, 20), False, "child", ids["cai"]),
        ItemKind.PATHWAY_PLAN: (D(2026, 3, 25), False, "child", ids["ava"]),
        ItemKind.ADVICE_ASSISTANCE: (D(2026, 3, 25), False, "child", ids["dee"]),
        ItemKind.BIRTHDAY_18: (D(2026, 3, 20), False, "child", ids["ava"]),
        ItemKind.EHCP_REVIEW: (D(2026, 4, 1), False, "child", ids["ava"]),
    }
    got = {k: (i.due_on, i.overdue, i.entity, i.entity_id) for k, i in by_kind.items()}
    assert got == expected
    # Overdue first, then by date.
    assert [i.kind for i in items[:2]] == [ItemKind.CAP_ACTION, ItemKind.REFERRAL_RESPONSE]


def test_titles_name_children_by_initials_and_reference_only(session: Session) -> None:
    make_caseload(session)
    items = coming_up(session, today=TODAY, days=28, intervals=MonitoringSettings())
    by_kind = {i.kind: i for i in items}
    assert by_kind[ItemKind.BIRTHDAY_18].title.startswith("18th birthday")
    assert by_kind[ItemKind.BIRTHDAY_18].subject == "AB C100"
    assert by_kind[ItemKind.MONITORING_VISIT].text == (
        "Monitoring visit due (high risk, last 20/12/2025) (Oak House)")
    assert by_kind[ItemKind.REFERRAL_RESPONSE].title == "REF-1: 1 provider has not responded"
    assert by_kind[ItemKind.REFERRAL_RESPONSE].subject == "BC C200"
    assert by_kind[ItemKind.CAP_ACTION].title == "CAP-1: Send the missing notifications"
    # What may leave the laptop (a calendar export) carries no name; the screen shows it in full.
    assert all("Ava" not in i.text and "Brown" not in i.text for i in items)
    assert by_kind[ItemKind.BIRTHDAY_18].screen_subject == "Ava Brown (C100)"


def test_a_shorter_window_leaves_out_later_items_but_keeps_overdue_ones(session: Session) -> None:
    make_caseload(session)
    items = coming_up(session, today=TODAY, days=3, intervals=MonitoringSettings())
    assert {i.kind for i in items} == {ItemKind.REFERRAL_RESPONSE, ItemKind.CAP_ACTION, ItemKind.PLACEMENT_REVIEW}


def test_done_things_drop_off(session: Session) -> None:
    ids = make_caseload(session)
    action = session.get(CapAction, ids["action"])
    assert action is not None
    action.status = CapActionStatus.COMPLETE
    action.completed_on = TODAY
    offer = session.get(Offer, ids["offer"])
    assert offer is not None
    offer.recipient.referral.status = ReferralStatus.WITHDRAWN
    session.commit()
    kinds = {i.kind for i in coming_up(session, today=TODAY, days=28, intervals=MonitoringSettings())}
    assert ItemKind.CAP_ACTION not in kinds
    assert ItemKind.OFFER_EXPIRY not in kinds and ItemKind.REFERRAL_RESPONSE not in kinds


def test_negative_window_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError, match="cannot be negative"):
        coming_up(session, today=TODAY, days=-1, intervals=MonitoringSettings())


def test_empty_caseload_has_nothing_coming_up(session: Session) -> None:
    assert coming_up(session, today=TODAY, days=28, intervals=MonitoringSettings()) == []


@pytest.mark.sqlite_only  # reads SQLite's own query plan
def test_the_week_never_reads_every_placement_row(db: Database) -> None:
    # Open placements are a small part of a large file: reading them all row by row was most of
    # the list's time on the large demo, so each read must go through an index.
    with db.session_scope() as s:
        make_caseload(s)
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        with db.session() as s:
            coming_up(s, today=TODAY, days=28, intervals=MonitoringSettings())
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    with db.engine.connect() as conn:
        steps = [row[3] for sql, params in statements if "placement" in sql
                 for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert any("ix_placement_open" in step for step in steps)
    # "SCAN placement" with no index named is SQLite reading the whole table.
    assert [step for step in steps if re.fullmatch(r"SCAN placement\w*", step)] == []
