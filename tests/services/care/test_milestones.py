"""Milestones for a child: pathway plan, 18th birthday, placement ends and reviews, IPA and EHCP reviews."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import NotFound
from placedesk.models import Agreement, Child, Placement, Provider
from placedesk.models.enums import AgreementStatus, PlacementType, ProviderType
from placedesk.services.care.milestones import (
    ChildFacts,
    MilestoneKind,
    PlacementFacts,
    caseload_milestones,
    child_milestones,
    milestones_for_child,
)

D = dt.date
CHILD_ID = uuid.uuid4()


def facts(**kw: object) -> ChildFacts:
    values: dict[str, object] = dict(id=CHILD_ID, date_of_birth=D(2009, 6, 15), pathway_plan_date=None,
                                     ehcp_review_date=None, transition_plan="")
    values.update(kw)
    return ChildFacts(**values)  # type: ignore[arg-type]


def test_pathway_plan_falls_due_on_16th_birthday_when_none_recorded() -> None:
    found = {m.kind: m for m in child_milestones(facts(), [])}
    plan = found[MilestoneKind.PATHWAY_PLAN]
    assert plan.due_on == D(2025, 6, 15) and "none recorded" in plan.description
    assert plan.overdue(D(2025, 6, 16)) and not plan.overdue(D(2025, 6, 15))


def test_recorded_pathway_plan_date_wins() -> None:
    found = {m.kind: m for m in child_milestones(facts(pathway_plan_date=D(2026, 1, 10)), [])}
    assert found[MilestoneKind.PATHWAY_PLAN].due_on == D(2026, 1, 10)


def test_18th_birthday_says_whether_a_transition_plan_exists_and_is_never_overdue() -> None:
    without = {m.kind: m for m in child_milestones(facts(), [])}[MilestoneKind.BIRTHDAY_18]
    assert without.due_on == D(2027, 6, 15)
    assert "no transition plan recorded" in without.description
    assert not without.overdue(D(2030, 1, 1))
    planned = {m.kind: m for m in child_milestones(facts(transition_plan="Staying put with carers"), [])}
    assert "(plan recorded)" in planned[MilestoneKind.BIRTHDAY_18].description


def test_placement_and_ipa_and_ehcp_dates_in_date_order() -> None:
    pid = uuid.uuid4()
    placement = PlacementFacts(pid, "PLC-1", D(2026, 9, 1), D(2026, 3, 1), (D(2026, 2, 1), D(2026, 5, 1)))
    got = child_milestones(facts(ehcp_review_date=D(2026, 4, 1)), [placement])
    assert [m.kind for m in got] == [
        MilestoneKind.PATHWAY_PLAN, MilestoneKind.IPA_REVIEW, MilestoneKind.PLACEMENT_REVIEW,
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
    got = milestones_for_child(session, placed_child.id)
    ipa = [m.due_on for m in got if m.kind is MilestoneKind.IPA_REVIEW]
    assert ipa == [D(2026, 1, 12)]


def test_unknown_child_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        milestones_for_child(session, uuid.uuid4())


def test_caseload_window_keeps_overdue_tasks_and_drops_past_events(session: Session, placed_child: Child) -> None:
    got = caseload_milestones(session, today=D(2026, 1, 10), until=D(2026, 1, 17))
    kinds = {m.kind: m.due_on for m in got}
    # EHCP (01/02) and planned end (20/01) are beyond the window; IPA review 12/01 is in it.
    assert kinds == {
        MilestoneKind.PATHWAY_PLAN: D(2025, 6, 15),   # overdue task: none recorded since 16
        MilestoneKind.PLACEMENT_REVIEW: D(2026, 1, 5),  # overdue task
        MilestoneKind.IPA_REVIEW: D(2026, 1, 12),
    }


def test_18th_birthday_today_is_listed_and_adults_drop_off(session: Session) -> None:
    session.add_all([
        Child(case_reference="T1", first_name="Tia", last_name="Ray", date_of_birth=D(2008, 1, 10),
              pathway_plan_date=D(2025, 12, 1)),
        Child(case_reference="T2", first_name="Ola", last_name="Ade", date_of_birth=D(2008, 1, 9),
              pathway_plan_date=D(2025, 12, 1)),
    ])
    session.commit()
    got = caseload_milestones(session, today=D(2026, 1, 10), until=D(2026, 1, 20))
    assert sorted((m.kind.value, m.due_on) for m in got) == [
        ("birthday_18", D(2026, 1, 10)),
        ("pathway_plan", D(2025, 12, 1)),  # Tia's, overdue; Ola turned 18 yesterday, so hers is not tracked
    ]
