"""Milestones for a child: pathway plan, 18th birthday, placement ends and reviews, IPA and EHCP reviews."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import Agreement, CarePeriod, Child, Placement, Provider
from placedesk.models.enums import AgreementStatus, PlacementType, ProviderType
from placedesk.services.care.leaving_care import Period, leaving_care_status
from placedesk.services.care.milestones import (
    ChildFacts,
    MilestoneKind,
    PlacementFacts,
    caseload_milestones,
    child_milestones,
    leaving_care_milestones,
    milestones_for_child,
)

D = dt.date
CHILD_ID = uuid.uuid4()


def facts(**kw: object) -> ChildFacts:
    values: dict[str, object] = dict(id=CHILD_ID, date_of_birth=D(2009, 6, 15), pathway_plan_date=None,
                                     ehcp_review_date=None, transition_plan="")
    values.update(kw)
    return ChildFacts(**values)  # type: ignore[arg-type]


# The child in these tests: born 15/06/2009, so 14 on 15/06/2023, 16 on 15/06/2025, 18 on 15/06/2027,
# 21 on 15/06/2030 and 25 on 15/06/2034.
LOOKED_AFTER_FROM_13 = (Period(D(2023, 1, 1), None, "C2"),)
# Left care at 16 years 8 months, having been eligible from the 16th birthday: relevant, then former relevant.
LEFT_CARE_AT_16 = (Period(D(2023, 1, 1), D(2026, 3, 1), "C2"),)
# Looked after for 31 days after 16 only (fewer than 13 weeks): a qualifying young person from 01/08/2025.
SHORT_SPELL_AFTER_16 = (Period(D(2025, 7, 1), D(2025, 8, 1), "V2"),)


def _duties(on: dt.date, periods: tuple[Period, ...], plan: dt.date | None = None,
            until: dt.date | None = None) -> list[tuple[MilestoneKind, dt.date, bool]]:
    status = leaving_care_status(D(2009, 6, 15), periods, on)
    return [(m.kind, m.due_on, m.is_task)
            for m in leaving_care_milestones(CHILD_ID.hex, D(2009, 6, 15), plan, status, until)]


def test_an_eligible_childs_needs_assessment_is_due_three_months_after_the_16th_birthday() -> None:
    # Eligible from the 16th birthday (13 weeks since 14 long met): due 15/09/2025.
    assert _duties(D(2025, 6, 15), LOOKED_AFTER_FROM_13) == [(MilestoneKind.NEEDS_ASSESSMENT, D(2025, 9, 15), True)]
    [m] = leaving_care_milestones(CHILD_ID.hex, D(2009, 6, 15), None,
                                  leaving_care_status(D(2009, 6, 15), LOOKED_AFTER_FROM_13, D(2025, 9, 15)), None)
    assert not m.overdue(D(2025, 9, 15)) and m.overdue(D(2025, 9, 16))
    assert "within three months of the 16th birthday" in m.description


def test_a_looked_after_child_under_16_is_shown_the_assessment_ahead() -> None:
    assert _duties(D(2025, 1, 1), LOOKED_AFTER_FROM_13) == [(MilestoneKind.NEEDS_ASSESSMENT, D(2025, 9, 15), True)]


def test_becoming_eligible_after_16_dates_the_assessment_from_that_day() -> None:
    # Looked after from 01/08/2025 (aged 16): the 91st day is 30/10/2025, so the assessment is due 30/01/2026.
    periods = (Period(D(2025, 8, 1), None, "C2"),)
    status = leaving_care_status(D(2009, 6, 15), periods, D(2025, 10, 30))
    [m] = leaving_care_milestones(CHILD_ID.hex, D(2009, 6, 15), None, status, None)
    assert (m.kind, m.due_on) == (MilestoneKind.NEEDS_ASSESSMENT, D(2026, 1, 30))
    assert "becoming eligible on 30/10/2025" in m.description
    # The day before, not yet eligible but on the way: the same assessment is shown ahead.
    assert _duties(D(2025, 10, 29), periods) == [(MilestoneKind.NEEDS_ASSESSMENT, D(2026, 1, 30), True)]


def test_a_recorded_plan_is_reviewed_then_every_six_months_for_a_relevant_child() -> None:
    # Relevant on 01/04/2026 (left care 01/03/2026 after being eligible); plan review 01/05/2026.
    assert _duties(D(2026, 4, 1), LEFT_CARE_AT_16, plan=D(2026, 5, 1), until=D(2027, 6, 1)) == [
        (MilestoneKind.PATHWAY_PLAN, D(2026, 5, 1), True),
        (MilestoneKind.PATHWAY_PLAN, D(2026, 11, 1), False),
        (MilestoneKind.PATHWAY_PLAN, D(2027, 5, 1), False),
    ]
    # Without a plan, the needs assessment (due 15/09/2025) is overdue.
    assert _duties(D(2026, 4, 1), LEFT_CARE_AT_16) == [(MilestoneKind.NEEDS_ASSESSMENT, D(2025, 9, 15), True)]


def test_a_former_relevant_young_persons_reviews_stop_before_the_21st_birthday_unless_extended() -> None:
    # Former relevant from the 18th birthday; reviews every six months from 01/08/2027.
    got = _duties(D(2027, 7, 1), LEFT_CARE_AT_16, plan=D(2027, 8, 1), until=D(2031, 1, 1))
    assert got[-1] == (MilestoneKind.PATHWAY_PLAN, D(2030, 2, 1), False)  # 01/08/2030 is after 15/06/2030
    # From the 21st birthday (support to 25 in education or training) reviews go on.
    assert _duties(D(2030, 6, 15), LEFT_CARE_AT_16, plan=D(2030, 8, 1)) == [
        (MilestoneKind.PATHWAY_PLAN, D(2030, 8, 1), True), (MilestoneKind.PATHWAY_PLAN, D(2031, 2, 1), False)]
    # The day before the 25th birthday still former relevant; on it, nothing.
    assert _duties(D(2034, 6, 14), LEFT_CARE_AT_16, plan=D(2034, 6, 1))[0] == \
        (MilestoneKind.PATHWAY_PLAN, D(2034, 6, 1), True)
    assert _duties(D(2034, 6, 15), LEFT_CARE_AT_16, plan=D(2034, 6, 1)) == []


def test_a_qualifying_young_person_gets_advice_and_assistance_checks_not_a_pathway_plan() -> None:
    # Qualifying from 01/08/2025: first check 01/11/2025, then every six months; a plan date is ignored.
    assert _duties(D(2025, 9, 1), SHORT_SPELL_AFTER_16, plan=D(2025, 8, 1), until=D(2026, 6, 1)) == [
        (MilestoneKind.ADVICE_ASSISTANCE, D(2025, 11, 1), False),
        (MilestoneKind.ADVICE_ASSISTANCE, D(2026, 5, 1), False),
    ]
    # Past the first check, the next one is shown, never an overdue one.
    assert _duties(D(2025, 11, 2), SHORT_SPELL_AFTER_16) == [(MilestoneKind.ADVICE_ASSISTANCE, D(2026, 5, 1), False)]
    # The last day looked after (31/07/2025) the young person is not yet qualifying: nothing.
    assert _duties(D(2025, 7, 31), SHORT_SPELL_AFTER_16) == []


def test_no_care_history_means_no_leaving_care_milestone() -> None:
    assert _duties(D(2025, 9, 1), ()) == []
    kinds = {m.kind for m in child_milestones(facts(), [], on=D(2025, 9, 1))}
    assert kinds == {MilestoneKind.BIRTHDAY_18}


def test_the_child_page_lists_the_duties_from_the_care_history() -> None:
    got = child_milestones(facts(care_periods=LOOKED_AFTER_FROM_13), [], on=D(2025, 9, 1))
    assert [(m.kind, m.due_on) for m in got] == [(MilestoneKind.NEEDS_ASSESSMENT, D(2025, 9, 15)),
                                                  (MilestoneKind.BIRTHDAY_18, D(2027, 6, 15))]


def test_18th_birthday_says_whether_a_transition_plan_exists_and_is_never_overdue() -> None:
    without = {m.kind: m for m in child_milestones(facts(), [], on=D(2026, 1, 1))}[MilestoneKind.BIRTHDAY_18]
    assert without.due_on == D(2027, 6, 15)
    assert "no transition plan recorded" in without.description
    assert not without.overdue(D(2030, 1, 1))
    planned = {m.kind: m for m in child_milestones(facts(transition_plan="Staying put with carers"), [],
                                                   on=D(2026, 1, 1))}
    assert "(plan recorded)" in planned[MilestoneKind.BIRTHDAY_18].description


def test_placement_and_ipa_and_ehcp_dates_in_date_order() -> None:
    pid = uuid.uuid4()
    placement = PlacementFacts(pid, "PLC-1", D(2026, 9, 1), D(2026, 3, 1), (D(2026, 2, 1), D(2026, 5, 1)))
    got = child_milestones(facts(ehcp_review_date=D(2026, 4, 1), care_periods=LOOKED_AFTER_FROM_13), [placement],
                           on=D(2026, 1, 1))
    assert [m.kind for m in got] == [
        MilestoneKind.NEEDS_ASSESSMENT, MilestoneKind.IPA_REVIEW, MilestoneKind.PLACEMENT_REVIEW,
        MilestoneKind.EHCP_REVIEW, MilestoneKind.IPA_REVIEW, MilestoneKind.PLANNED_END, MilestoneKind.BIRTHDAY_18,
    ]
    review = next(m for m in got if m.kind is MilestoneKind.PLACEMENT_REVIEW)
    assert (review.entity, review.entity_id, review.key) == ("placement", pid, f"review-{pid.hex}")
    assert len({m.key for m in got}) == len(got)


@pytest.fixture
def placed_child(session: Session) -> Child:
    child = Child(case_reference="C1", first_name="Ava", last_name="Brown", date_of_birth=D(2009, 6, 15),
                  ehcp_review_date=D(2026, 2, 1))
    provider = Provider(ref="PRV-1", name="Oak House", provider_type=ProviderType.CHILDRENS_HOME)
    session.add_all([child, provider])
    session.flush()
    session.add(CarePeriod(child_id=child.id, start_date=D(2023, 1, 1), end_date=None, legal_status="C2"))
    placement = Placement(ref="PLC-1", child_id=child.id, provider_id=provider.id,
                          placement_type=PlacementType.CHILDRENS_HOME, start_date=D(2025, 1, 1),
                          planned_end_date=D(2026, 1, 20), review_date=D(2026, 1, 5))
    session.add(placement)
    session.flush()
    session.add_all([
        Agreement(placement_id=placement.id, ref="IPA-PLC-1", version_number=1, status=AgreementStatus.SUPERSEDED,
                  review_dates=["2026-01-02"]),
        Agreement(placement_id=placement.id, ref="IPA-PLC-1", version_number=2, status=AgreementStatus.COUNTERSIGNED,
                  review_dates=["2026-01-12", "not a date"]),
    ])
    session.commit()
    return child


def test_milestones_for_child_reads_current_agreement_only(session: Session, placed_child: Child) -> None:
    got = milestones_for_child(session, placed_child.id, on=D(2026, 1, 10))
    ipa = [m.due_on for m in got if m.kind is MilestoneKind.IPA_REVIEW]
    assert ipa == [D(2026, 1, 12)]


def test_unknown_child_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        milestones_for_child(session, uuid.uuid4(), on=D(2026, 1, 10))


def test_caseload_window_keeps_overdue_tasks_and_drops_past_events(session: Session, placed_child: Child) -> None:
    got = caseload_milestones(session, today=D(2026, 1, 10), until=D(2026, 1, 17))
    kinds = {m.kind: m.due_on for m in got}
    # EHCP (01/02) and planned end (20/01) are beyond the window; IPA review 12/01 is in it.
    assert kinds == {
        # Looked after since 01/01/2023, so eligible at 16: the needs assessment was due 15/09/2025.
        MilestoneKind.NEEDS_ASSESSMENT: D(2025, 9, 15),
        MilestoneKind.PLACEMENT_REVIEW: D(2026, 1, 5),  # overdue task
        MilestoneKind.IPA_REVIEW: D(2026, 1, 12),
    }


def test_18th_birthday_today_is_listed_and_adults_drop_off(session: Session) -> None:
    tia = Child(case_reference="T1", first_name="Tia", last_name="Ray", date_of_birth=D(2008, 1, 10),
                pathway_plan_date=D(2025, 12, 1))
    ola = Child(case_reference="T2", first_name="Ola", last_name="Ade", date_of_birth=D(2008, 1, 9),
                pathway_plan_date=D(2025, 12, 1))
    kai = Child(case_reference="T3", first_name="Kai", last_name="Lee", date_of_birth=D(2008, 1, 9),
                pathway_plan_date=D(2025, 12, 1))
    session.add_all([tia, ola, kai])
    session.flush()
    # Tia and Ola looked after since they were 13 (eligible, then former relevant); Kai only for a
    # month after 16 (qualifying): no pathway plan for Kai however the date field is filled.
    session.add_all([CarePeriod(child_id=tia.id, start_date=D(2021, 1, 1), end_date=None, legal_status="C2"),
                     CarePeriod(child_id=ola.id, start_date=D(2021, 1, 1), end_date=None, legal_status="C2"),
                     CarePeriod(child_id=kai.id, start_date=D(2024, 3, 1), end_date=D(2024, 4, 1),
                                legal_status="V2")])
    session.commit()
    got = caseload_milestones(session, today=D(2026, 1, 10), until=D(2026, 1, 20))
    assert sorted((m.subject, m.kind.value, m.due_on) for m in got) == [
        ("OA T2", "pathway_plan", D(2025, 12, 1)),  # former relevant since yesterday: still reviewed, overdue
        ("TR T1", "birthday_18", D(2026, 1, 10)),
        ("TR T1", "pathway_plan", D(2025, 12, 1)),  # eligible, overdue review
    ]


def test_pathway_reviews_stop_before_a_review_would_fall_on_the_21st_birthday() -> None:
    # Former relevant at 20; the plan's review on 15/12/2029 puts the next one on 15/06/2030, the 21st
    # birthday, when support has ended: only the review already due is listed.
    assert _duties(D(2030, 1, 1), LEFT_CARE_AT_16, plan=D(2029, 12, 15), until=D(2030, 12, 31)) == [
        (MilestoneKind.PATHWAY_PLAN, D(2029, 12, 15), True)]


def test_an_advice_check_due_today_or_on_the_windows_last_day_is_listed() -> None:
    assert _duties(D(2025, 11, 1), SHORT_SPELL_AFTER_16) == [(MilestoneKind.ADVICE_ASSISTANCE, D(2025, 11, 1), False)]
    assert _duties(D(2025, 9, 1), SHORT_SPELL_AFTER_16, until=D(2026, 5, 1)) == [
        (MilestoneKind.ADVICE_ASSISTANCE, D(2025, 11, 1), False),
        (MilestoneKind.ADVICE_ASSISTANCE, D(2026, 5, 1), False)]


def test_the_assessment_and_the_plan_reviews_it_leads_to_are_one_calendar_event() -> None:
    # The calendar export updates an event by its key: recording the plan must not leave a second event.
    [assessment] = [m for m in child_milestones(facts(care_periods=LOOKED_AFTER_FROM_13), [], on=D(2025, 9, 1))
                    if m.kind is MilestoneKind.NEEDS_ASSESSMENT]
    [review] = [m for m in child_milestones(facts(care_periods=LOOKED_AFTER_FROM_13, pathway_plan_date=D(2026, 3, 1)),
                                            [], on=D(2025, 9, 1)) if m.kind is MilestoneKind.PATHWAY_PLAN and m.is_task]
    assert assessment.key == review.key == f"pathway-{CHILD_ID.hex}"
    # On the child's own page nobody is named: the subject is left for caseload lists to fill.
    assert (assessment.subject, review.subject) == ("", "")


def test_a_badly_stored_ipa_review_date_does_not_hide_the_ones_after_it(session: Session, placed_child: Child) -> None:
    placement = session.query(Placement).one()
    session.add(Agreement(placement_id=placement.id, ref="IPA-PLC-1", version_number=3, status=AgreementStatus.DRAFT,
                          review_dates=["2026-01-12", "31/02/2026", "2026-04-12"]))
    session.commit()
    got = milestones_for_child(session, placed_child.id, on=D(2026, 1, 10))
    assert [m.due_on for m in got if m.kind is MilestoneKind.IPA_REVIEW] == [D(2026, 1, 12), D(2026, 4, 12)]


def test_pathway_plan_reviews_as_the_caseload_list_shows_them() -> None:
    status = leaving_care_status(D(2009, 6, 15), LEFT_CARE_AT_16, D(2028, 1, 1))  # former relevant at 18
    got = leaving_care_milestones(CHILD_ID.hex, D(2009, 6, 15), D(2028, 3, 1), status, D(2029, 3, 31), "AB C1")
    ref = CHILD_ID.hex
    assert [(m.kind, m.due_on, m.description, m.entity, m.entity_ref, m.key, m.is_task, m.subject) for m in got] == [
        (MilestoneKind.PATHWAY_PLAN, D(2028, 3, 1), "Pathway plan review due (at least every six months)",
         "child", ref, f"pathway-{ref}", True, "AB C1"),
        (MilestoneKind.PATHWAY_PLAN, D(2028, 9, 1), "Pathway plan review (six-monthly, after the next one)",
         "child", ref, f"pathway-{ref}-20280901", False, "AB C1"),
        (MilestoneKind.PATHWAY_PLAN, D(2029, 3, 1), "Pathway plan review (six-monthly, after the next one)",
         "child", ref, f"pathway-{ref}-20290301", False, "AB C1"),
    ]


def test_extended_support_reviews_stop_before_a_review_would_fall_on_the_25th_birthday() -> None:
    # 24 and former relevant (support extended past 21): the review after 15/12/2033 would fall on the
    # 25th birthday, 15/06/2034, when support ends.
    assert _duties(D(2033, 6, 1), LEFT_CARE_AT_16, plan=D(2033, 12, 15), until=D(2034, 12, 31)) == [
        (MilestoneKind.PATHWAY_PLAN, D(2033, 12, 15), True)]


def test_advice_checks_as_the_caseload_list_shows_them_until_21_or_25() -> None:
    ref = CHILD_ID.hex
    # Qualifying since 01/08/2025; at 20 the checks run up to the 21st birthday (15/06/2030) only.
    status = leaving_care_status(D(2009, 6, 15), SHORT_SPELL_AFTER_16, D(2029, 12, 1))
    got = leaving_care_milestones(ref, D(2009, 6, 15), None, status, D(2030, 12, 31), "AB C1")
    assert [(m.kind, m.due_on, m.description, m.entity, m.entity_ref, m.key, m.is_task, m.subject) for m in got] == [
        (MilestoneKind.ADVICE_ASSISTANCE, D(2030, 5, 1),
         "Advice and assistance check (qualifying young person: no pathway plan)", "child", ref,
         f"advice-{ref}-20300501", False, "AB C1")]
    # At 24 (past 21, so support runs to 25): up to the 25th birthday, 15/06/2034.
    assert _duties(D(2033, 12, 1), SHORT_SPELL_AFTER_16, until=D(2034, 12, 31)) == [
        (MilestoneKind.ADVICE_ASSISTANCE, D(2034, 5, 1), False)]


def test_the_needs_assessment_names_whom_it_concerns_on_the_caseload_list() -> None:
    status = leaving_care_status(D(2009, 6, 15), LOOKED_AFTER_FROM_13, D(2025, 9, 1))
    [m] = leaving_care_milestones(CHILD_ID.hex, D(2009, 6, 15), None, status, None, "AB C1")
    assert (m.kind, m.due_on, m.subject, m.key) == (MilestoneKind.NEEDS_ASSESSMENT, D(2025, 9, 15), "AB C1",
                                                    f"pathway-{CHILD_ID.hex}")


def _young_person(session: Session, ref: str, born: dt.date, periods: list[tuple[dt.date, dt.date | None]],
                  plan: dt.date | None = None) -> None:
    child = Child(case_reference=ref, first_name=ref, last_name="Test", date_of_birth=born, pathway_plan_date=plan)
    session.add(child)
    session.flush()
    session.add_all([CarePeriod(child_id=child.id, start_date=start, end_date=end, legal_status="C2")
                     for start, end in periods])


def test_the_caseload_reads_exactly_the_young_people_at_the_edges_of_the_age_window(session: Session) -> None:
    # Coming up works out leaving-care duties only for children whose age can bring one into
    # the window (SQL picks them by date of birth). At each edge, one child is just inside and
    # one just outside; what each is due was worked out by hand from the regulations.
    today = D(2026, 3, 2)
    # 25 tomorrow: a former relevant young person (looked after from 14 to 18) still supported, whose
    # needs assessment was due three months after the 16th birthday (03/03/2017) and is overdue.
    _young_person(session, "NIA", D(2001, 3, 3), [(D(2015, 3, 3), D(2019, 3, 3))])
    # 25 today, with the same history: support has ended, nothing is due.
    _young_person(session, "ZED", D(2001, 3, 2), [(D(2015, 3, 2), D(2019, 3, 2))])
    # 16 on 15/11/2025, looked after for a month after it and left on 10/12/2025 (fewer than 13 weeks):
    # a qualifying young person since, whose first advice and assistance check falls on 10/03/2026. The
    # pathway plan date recorded for the autumn does not matter: a qualifying young person has none.
    _young_person(session, "QUI", D(2009, 11, 15), [(D(2025, 11, 10), D(2025, 12, 10))], plan=D(2026, 9, 1))
    # 16 on 05/03/2026, in care since 14 with the next pathway plan review in September: nothing
    # falls in the window (under 16 today, so never a qualifying young person).
    _young_person(session, "UNA", D(2010, 3, 5), [(D(2024, 3, 5), None)], plan=D(2026, 9, 1))
    # 16 on 31/03/2026 and 01/04/2026, both in care since 14 with no pathway plan: the needs assessment
    # is due within three months of the 16th birthday, on 30/06/2026 (June has 30 days) for Ava and
    # 01/07/2026 for Bea.
    _young_person(session, "AVA", D(2010, 3, 31), [(D(2024, 3, 31), None)])
    _young_person(session, "BEA", D(2010, 4, 1), [(D(2024, 4, 1), None)])
    # 16 only on 01/09/2026, after both windows, but in care since 13 (so eligible at 16) and with a
    # pathway plan already, reviewed next on 20/03/2026: that review is listed, as on her page.
    _young_person(session, "PIA", D(2010, 9, 1), [(D(2023, 9, 1), None)], plan=D(2026, 3, 20))
    session.commit()

    def listed(until: dt.date) -> list[tuple[str, str, dt.date, bool]]:
        got = caseload_milestones(session, today=today, until=until)
        return sorted((m.subject, m.kind.value, m.due_on, m.overdue(today)) for m in got)

    assert listed(D(2026, 3, 19)) == [
        ("NT NIA", "needs_assessment", D(2017, 6, 3), True),
        ("QT QUI", "advice_assistance", D(2026, 3, 10), False),
    ]
    assert listed(D(2026, 3, 30)) == [
        ("NT NIA", "needs_assessment", D(2017, 6, 3), True),
        ("PT PIA", "pathway_plan", D(2026, 3, 20), False),
        ("QT QUI", "advice_assistance", D(2026, 3, 10), False),
    ]
    # Four months ahead: Ava's assessment falls on the window's last day, Bea's the day after it.
    assert listed(D(2026, 6, 30)) == [
        ("AT AVA", "needs_assessment", D(2026, 6, 30), False),
        ("NT NIA", "needs_assessment", D(2017, 6, 3), True),
        ("PT PIA", "pathway_plan", D(2026, 3, 20), False),
        ("QT QUI", "advice_assistance", D(2026, 3, 10), False),
    ]

    def on_page(ref: str) -> list[dt.date]:
        child_id = session.scalars(select(Child.id).where(Child.case_reference == ref)).one()
        return [m.due_on for m in milestones_for_child(session, child_id, on=today)]

    assert on_page("BEA") == [D(2026, 7, 1), D(2028, 4, 1)]
    assert on_page("PIA")[0] == D(2026, 3, 20)


def test_coming_up_again_follows_a_changed_care_history_and_pathway_plan(session: Session) -> None:
    # Each young person's duties are kept between refreshes: a change to what they follow from
    # must show at the next one.
    today, until = D(2026, 3, 2), D(2026, 3, 30)
    # 16 on 15/11/2025, looked after for a month after it: qualifying, advice check on 10/03/2026.
    _young_person(session, "QUI", D(2009, 11, 15), [(D(2025, 11, 10), D(2025, 12, 10))])
    session.commit()

    def listed() -> list[tuple[str, dt.date]]:
        got = caseload_milestones(session, today=today, until=until)
        session.rollback()
        return sorted((m.kind.value, m.due_on) for m in got)

    assert listed() == [("advice_assistance", D(2026, 3, 10))]
    # The history corrected: looked after from 14 until 10/12/2025, so eligible at 16 and relevant
    # now; with no pathway plan, the needs assessment was due on 15/02/2026.
    child = session.scalars(select(Child).where(Child.case_reference == "QUI")).one()
    period = session.scalars(select(CarePeriod).where(CarePeriod.child_id == child.id)).one()
    period.start_date = D(2023, 11, 15)
    session.commit()
    assert listed() == [("needs_assessment", D(2026, 2, 15))]
    # The plan recorded, reviewed next on 20/03/2026.
    child.pathway_plan_date = D(2026, 3, 20)
    session.commit()
    assert listed() == [("pathway_plan", D(2026, 3, 20))]
