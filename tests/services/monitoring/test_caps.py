"""CAPs: opening, actions and their overdue boundaries, escalation closing the matcher, closing rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError, WorkflowError
from placedesk.models import Cap, Provider
from placedesk.models.enums import (
    CapActionStatus,
    CapApproach,
    CapOutcome,
    CapSeverity,
    CapStatus,
    OfstedJudgement,
    Rag,
    RiskLevel,
    SanctionKind,
)
from placedesk.services.monitoring.caps import (
    action_rag,
    add_action,
    add_review,
    cap_rag,
    close_cap,
    escalate,
    find_cap,
    lift_sanction,
    open_cap,
    overdue_actions,
    record_review,
    set_action_status,
)
from placedesk.services.monitoring.restrictions import active_restrictions
from tests.services.monitoring.helpers import make_provider

D = dt.date
OPENED = D(2026, 3, 1)


def _cap(session: Session, provider: Provider | None = None) -> Cap:
    provider = provider or make_provider(session, "P1", ofsted_judgement=OfstedJudgement.GOOD)
    return open_cap(session, provider, issue="Notifications sent late", evidence="3 late in February",
                    severity=CapSeverity.MEDIUM, opened_on=OPENED, laptop_id="ab12",
                    review_dates=[D(2026, 4, 1)])


def test_open_cap_gives_a_reference_and_reviews(session: Session) -> None:
    cap = _cap(session)
    second = open_cap(session, cap.provider, issue="Staffing", severity=CapSeverity.LOW, opened_on=OPENED,
                      laptop_id="ab12")
    assert (cap.ref, second.ref) == ("CAP-AB12-0001", "CAP-AB12-0002")
    assert cap.status is CapStatus.OPEN and cap.approach is CapApproach.DEVELOPMENTAL
    assert [r.review_date for r in cap.reviews] == [D(2026, 4, 1)]
    assert find_cap(session, "cap-ab12-0001") is cap
    with pytest.raises(NotFound):
        find_cap(session, "CAP-NOPE")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"issue": " "}, "issue"), ({"approach": CapApproach.PUNITIVE}, "factor_seriousness"),
     ({"review_dates": [D(2026, 2, 1)]}, "review_dates")],
)
def test_open_cap_validation(session: Session, kwargs: dict[str, object], field: str) -> None:
    p = make_provider(session, "P1")
    args: dict[str, object] = {"issue": "Late reports", "severity": CapSeverity.LOW, "opened_on": OPENED, **kwargs}
    with pytest.raises(ValidationError) as err:
        open_cap(session, p, **args)  # type: ignore[arg-type]
    assert err.value.field == field


@pytest.mark.parametrize(
    ("today", "overdue", "rag"),
    [
        (D(2026, 3, 31), True, Rag.RED),    # the day after the due date
        (D(2026, 3, 30), False, Rag.AMBER),  # due today is not overdue
        (D(2026, 3, 29), False, Rag.AMBER),  # the day before
        (D(2026, 3, 23), False, Rag.AMBER),  # a week ahead: chase it
        (D(2026, 3, 22), False, Rag.GREEN),  # more than a week ahead
    ],
)
def test_overdue_at_date_boundaries(session: Session, today: dt.date, overdue: bool, rag: Rag) -> None:
    cap = _cap(session)
    action = add_action(session, cap, description="Send notifications within 24 hours", owner="Manager",
                        due_date=D(2026, 3, 30))
    assert action.is_overdue(today) is overdue
    assert action_rag(action, today) is rag and cap_rag(cap, today) is rag
    assert (overdue_actions(session, today) == [action]) is overdue


def test_complete_and_waived_actions_are_never_overdue(session: Session) -> None:
    cap = _cap(session)
    done = add_action(session, cap, description="Train staff", owner="Manager", due_date=D(2026, 3, 10))
    waived = add_action(session, cap, description="Audit rota", owner="RI", due_date=D(2026, 3, 10))
    with pytest.raises(ValidationError) as err:
        set_action_status(session, done, CapActionStatus.COMPLETE, on=D(2026, 3, 9))
    assert err.value.field == "evidence"
    set_action_status(session, done, CapActionStatus.COMPLETE, on=D(2026, 3, 9), evidence="Training log")
    with pytest.raises(ValidationError) as err:
        set_action_status(session, waived, CapActionStatus.WAIVED, on=D(2026, 3, 9))
    assert err.value.field == "waived_reason"
    set_action_status(session, waived, CapActionStatus.WAIVED, on=D(2026, 3, 9),
                      waived_reason="Rota audited by Ofsted")
    assert done.completed_on == D(2026, 3, 9)
    assert overdue_actions(session, D(2027, 1, 1)) == []
    set_action_status(session, done, CapActionStatus.IN_PROGRESS, on=D(2026, 3, 12))
    assert done.completed_on is None and overdue_actions(session, D(2026, 3, 12)) == [done]


def test_action_validation(session: Session) -> None:
    cap = _cap(session)
    with pytest.raises(ValidationError) as err:
        add_action(session, cap, description="x", owner="y", due_date=D(2026, 2, 1))
    assert err.value.field == "due_date"
    with pytest.raises(ValidationError) as err:
        add_action(session, cap, description="x", owner=" ", due_date=D(2026, 4, 1))
    assert err.value.field == "owner"


def test_escalation_restricts_referrals_until_lifted(session: Session) -> None:
    cap = _cap(session)
    sanction = escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 4, 2),
                        notes="No improvement at review")
    assert cap.status is CapStatus.ESCALATED and cap.approach is CapApproach.PUNITIVE
    reasons = active_restrictions(session, D(2026, 4, 2))
    assert "Restriction of new referrals under CAP-AB12-0001" in reasons[cap.provider_id]
    assert cap.provider.risk_level is RiskLevel.HIGH
    with pytest.raises(WorkflowError, match="already in force"):
        escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 4, 3), notes="again")
    lift_sanction(session, sanction, today=D(2026, 5, 1), notes="Improvements evidenced")
    assert cap.provider_id not in active_restrictions(session, D(2026, 5, 1))
    with pytest.raises(WorkflowError, match="already lifted"):
        lift_sanction(session, sanction, today=D(2026, 5, 2))


def test_framework_suspension_also_closes_the_matcher(session: Session) -> None:
    cap = _cap(session)
    escalate(session, cap, SanctionKind.FRAMEWORK_SUSPENSION, today=D(2026, 4, 2), notes="Safeguarding")
    assert "Suspension from the framework" in active_restrictions(session, D(2026, 4, 2))[cap.provider_id]


def test_escalation_excludes_provider_from_matching(session: Session) -> None:
    from placedesk.models import Referral
    from placedesk.models.enums import PlacementType
    from placedesk.services.referrals.matching import match_referral
    from tests.services.monitoring.helpers import make_child

    cap = _cap(session)
    referral = Referral(ref="REF-1", child_id=make_child(session, "C1").id,
                        placement_type=PlacementType.CHILDRENS_HOME)
    session.add(referral)
    session.flush()
    before = match_referral(session, referral, today=D(2026, 4, 2))
    assert before.row_for(cap.provider_id) is not None
    escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 4, 2), notes="No improvement")
    after = match_referral(session, referral, today=D(2026, 4, 2))
    assert after.row_for(cap.provider_id) is None
    [excluded] = [e for e in after.excluded if e.provider_id == cap.provider_id]
    assert "Restriction of new referrals under CAP-AB12-0001" in excluded.reason


def test_fines_need_an_amount_and_other_sanctions_none(session: Session) -> None:
    cap = _cap(session)
    with pytest.raises(ValidationError) as err:
        escalate(session, cap, SanctionKind.FINE, today=D(2026, 4, 2), notes="Breach")
    assert err.value.field == "amount"
    with pytest.raises(ValidationError):
        escalate(session, cap, SanctionKind.TERMINATION_NOTICE, amount_pence=100, today=D(2026, 4, 2), notes="x")
    with pytest.raises(ValidationError) as err:
        escalate(session, cap, SanctionKind.TERMINATION_NOTICE, today=D(2026, 4, 2), notes=" ")
    assert err.value.field == "notes"
    fine = escalate(session, cap, SanctionKind.FINE, amount_pence=250000, today=D(2026, 4, 2), notes="Breach")
    assert fine.amount_pence == 250000 and cap.provider_id not in active_restrictions(session, D(2026, 4, 2))
    with pytest.raises(WorkflowError, match="not lifted"):
        lift_sanction(session, fine, today=D(2026, 4, 3))


def test_close_needs_outcome_notes_and_every_action_done(session: Session) -> None:
    cap = _cap(session)
    a1 = add_action(session, cap, description="Train staff", owner="Manager", due_date=D(2026, 3, 20))
    add_action(session, cap, description="Audit rota", owner="RI", due_date=D(2026, 3, 25))
    with pytest.raises(ValidationError) as err:
        close_cap(session, cap, None, "done", today=D(2026, 4, 1))
    assert err.value.field == "outcome"
    with pytest.raises(ValidationError) as err:
        close_cap(session, cap, CapOutcome.RESOLVED, " ", today=D(2026, 4, 1))
    assert err.value.field == "notes"
    with pytest.raises(WorkflowError) as wf:
        close_cap(session, cap, CapOutcome.RESOLVED, "All done", today=D(2026, 4, 1))
    assert "'Train staff'" in str(wf.value) and "'Audit rota'" in str(wf.value) and "2 action(s)" in str(wf.value)
    set_action_status(session, a1, CapActionStatus.COMPLETE, on=D(2026, 3, 19), evidence="Certificates")
    with pytest.raises(WorkflowError) as wf:
        close_cap(session, cap, CapOutcome.RESOLVED, "All done", today=D(2026, 4, 1))
    assert "'Audit rota'" in str(wf.value) and "Train staff" not in str(wf.value)
    set_action_status(session, cap.actions[1], CapActionStatus.WAIVED, on=D(2026, 3, 30),
                      waived_reason="Covered by the new rota system")
    close_cap(session, cap, CapOutcome.RESOLVED, "All done", today=D(2026, 4, 1))
    assert cap.status is CapStatus.CLOSED and cap.closed_on == D(2026, 4, 1) and cap_rag(cap, D(2027, 1, 1)) is Rag.GREEN
    with pytest.raises(WorkflowError, match="closed"):
        add_action(session, cap, description="More", owner="x", due_date=D(2026, 5, 1))


def test_resolved_close_needs_restrictions_lifted(session: Session) -> None:
    cap = _cap(session)
    sanction = escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 4, 2), notes="No change")
    with pytest.raises(WorkflowError, match="lift the restriction"):
        close_cap(session, cap, CapOutcome.RESOLVED, "Fixed", today=D(2026, 5, 1))
    close_cap(session, cap, CapOutcome.TERMINATED, "Contract ended", today=D(2026, 5, 1))
    assert cap.provider_id in active_restrictions(session, D(2026, 5, 1))
    assert sanction.lifted_on is None


def test_reviews_are_recorded_once_held(session: Session) -> None:
    cap = _cap(session)
    review = add_review(session, cap, D(2026, 5, 1))
    with pytest.raises(ValidationError, match="still to come"):
        record_review(session, review, "Progress", today=D(2026, 4, 30))
    record_review(session, review, "Good progress", today=D(2026, 5, 1))
    assert review.held and review.notes == "Good progress"


def test_status_given_as_stored_text_is_understood(session: Session) -> None:
    # Qt combo boxes hand string enums back as plain text; the rules must still apply.
    cap = _cap(session)
    action = add_action(session, cap, description="Send reports", owner="RM", due_date=D(2026, 3, 20))
    set_action_status(session, action, "complete", on=D(2026, 3, 19), evidence="Reports")  # type: ignore[arg-type]
    assert action.status is CapActionStatus.COMPLETE and action.completed_on == D(2026, 3, 19)
    sanction = escalate(session, cap, "fine", amount_pence=100, today=D(2026, 4, 1), notes="x")  # type: ignore[arg-type]
    assert sanction.kind is SanctionKind.FINE


def test_changing_an_action_keeps_the_old_due_date_in_the_history(session: Session) -> None:
    from placedesk.reports.cap_report import cap_report_data
    from placedesk.services.monitoring.caps import change_action, due_date_history

    cap = open_cap(session, make_provider(session, "P9"), issue="Late reports", severity=CapSeverity.LOW,
                   opened_on=D(2026, 6, 1), laptop_id="T1")
    action = add_action(session, cap, description="Send reports", owner="RM", due_date=D(2026, 6, 30))
    session.commit()
    change_action(session, action, description="Send May and June reports", owner="Registered manager",
                  due_date=D(2026, 7, 14), today=D(2026, 6, 20))
    session.commit()
    assert (action.description, action.owner, action.due_date) == ("Send May and June reports",
                                                                    "Registered manager", D(2026, 7, 14))
    assert [(before, after) for _, before, after in due_date_history(session, action)] == [
        (D(2026, 6, 30), D(2026, 7, 14))]
    history = cap_report_data(session, cap, today=D(2026, 6, 20)).history
    assert any("30/06/2026" in h.detail or "2026-06-30" in h.detail for h in history if h.what == "Action changed")


def test_changing_an_action_reports_every_problem_at_once(session: Session) -> None:
    from placedesk.services.monitoring.caps import change_action

    cap = open_cap(session, make_provider(session, "P8"), issue="Late reports", severity=CapSeverity.LOW,
                   opened_on=D(2026, 6, 1), laptop_id="T1")
    action = add_action(session, cap, description="Send reports", owner="RM", due_date=D(2026, 6, 30))
    with pytest.raises(ValidationError) as caught:
        change_action(session, action, description=" ", owner="", due_date=D(2026, 5, 1))
    assert [field for field, _ in caught.value.problems] == ["description", "owner", "due_date"]
    set_action_status(session, action, CapActionStatus.COMPLETE, on=D(2026, 6, 10), evidence="Received")
    with pytest.raises(WorkflowError):
        change_action(session, action, description="x", owner="y", due_date=D(2026, 7, 1))


def test_overdue_actions_are_listed_earliest_due_first_then_by_name(session: Session) -> None:
    cap = _cap(session)
    for description, due in [("Update the staff rota", D(2026, 3, 20)), ("Send the missing notifications",
                             D(2026, 3, 10)), ("Audit medication records", D(2026, 3, 20)),
                             ("Train night staff", D(2026, 5, 1))]:
        add_action(session, cap, description=description, owner="Registered manager", due_date=due)
    assert [(a.description, a.due_date) for a in overdue_actions(session, D(2026, 4, 1))] == [
        ("Send the missing notifications", D(2026, 3, 10)),
        ("Audit medication records", D(2026, 3, 20)),
        ("Update the staff rota", D(2026, 3, 20))]


def test_resolving_counts_only_the_restrictions_in_force_that_day(session: Session) -> None:
    cap = _cap(session)
    sanction = escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 4, 2), notes="No change")
    with pytest.raises(WorkflowError, match="lift the restriction"):
        close_cap(session, cap, CapOutcome.RESOLVED, "Fixed", today=D(2026, 4, 2))  # imposed that very day
    lift_sanction(session, sanction, today=D(2026, 4, 10))
    close_cap(session, cap, CapOutcome.RESOLVED, "Fixed", today=D(2026, 4, 10))  # lifted that very day
    assert cap.status is CapStatus.CLOSED


def test_a_fine_does_not_stop_a_plan_closing_as_resolved(session: Session) -> None:
    cap = _cap(session)
    escalate(session, cap, SanctionKind.FINE, amount_pence=250000, today=D(2026, 4, 2), notes="Breach")
    close_cap(session, cap, CapOutcome.RESOLVED, "Paid and fixed", today=D(2026, 4, 3))
    assert cap.status is CapStatus.CLOSED


def test_escalation_refusals_say_what_to_fix(session: Session) -> None:
    cap = _cap(session)
    with pytest.raises(ValidationError) as err:
        escalate(session, cap, SanctionKind.TERMINATION_NOTICE, today=D(2026, 4, 2), notes=" ")
    assert (str(err.value), err.value.field) == (
        "Say why the plan is escalated (what the provider did or did not do).", "notes")
    with pytest.raises(ValidationError) as err:
        escalate(session, cap, SanctionKind.FINE, amount_pence=0, today=D(2026, 4, 2), notes="Breach")
    assert (str(err.value), err.value.field) == ("A fine needs an amount above £0.", "amount")
    assert escalate(session, cap, SanctionKind.FINE, amount_pence=1, today=D(2026, 4, 2), notes="Breach").amount_pence == 1


def test_escalation_dates_amounts_and_repeats_are_refused_word_for_word(session: Session) -> None:
    cap = _cap(session)  # opened on 01/03/2026
    with pytest.raises(ValidationError) as err:
        escalate(session, cap, SanctionKind.TERMINATION_NOTICE, amount_pence=100, today=D(2026, 4, 2), notes="x")
    assert (str(err.value), err.value.field) == ("Only a fine has an amount; notice of termination does not.",
                                                 "amount")
    with pytest.raises(ValidationError) as err:
        escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 2, 28), notes="Too early")
    assert (str(err.value), err.value.field) == ("The escalation date is before the plan was opened.", "today")
    restriction = escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=OPENED, notes="  Same day  ")
    assert (restriction.imposed_on, restriction.notes) == (OPENED, "Same day")
    with pytest.raises(WorkflowError) as wf:
        escalate(session, cap, SanctionKind.RESTRICT_REFERRALS, today=D(2026, 4, 2), notes="Again")
    assert str(wf.value) == "Restriction of new referrals is already in force under CAP-AB12-0001 since 01/03/2026."
    # A different sanction, and a second fine, may follow while the restriction stands.
    suspension = escalate(session, cap, SanctionKind.FRAMEWORK_SUSPENSION, today=D(2026, 4, 2), notes="Worse")
    escalate(session, cap, SanctionKind.FINE, amount_pence=100000, today=D(2026, 4, 2), notes="Breach")
    escalate(session, cap, SanctionKind.FINE, amount_pence=50000, today=D(2026, 4, 3), notes="Breach again")
    assert [s.kind for s in cap.sanctions] == [SanctionKind.RESTRICT_REFERRALS, SanctionKind.FRAMEWORK_SUSPENSION,
                                               SanctionKind.FINE, SanctionKind.FINE]
    assert suspension.lifted_on is None
