"""Corrective action plans (CAPs): open, act, review, escalate, lift and close (DOMAIN.md, Gosling).

Rules kept here:

- A CAP is opened for a provider (and optionally one of its placements),
  prompted by a visit, KPI, inspection, complaint or other source, with the
  issue, evidence, approach, severity and Gosling's factors. A punitive
  approach from the start needs the seriousness recorded.
- Actions have a description, owner and due date (not before the CAP was
  opened). All three can be changed while the plan is open; the audit trail
  keeps each earlier value, so a moved due date stays in the plan's history. An action is overdue when past its due date and neither complete
  nor waived; due today is not overdue. Completing needs evidence and sets
  the completion date; waiving needs a reason.
- Escalation moves a CAP from developmental to punitive and records the
  sanction: a fine (with an amount), restriction of new referrals,
  suspension from the framework, or notice of termination. A referral
  restriction or framework suspension makes the matcher exclude the
  provider (:mod:`placedesk.services.monitoring.restrictions`) until it is lifted.
- Closing needs an outcome and closing notes, and every action complete or
  waived; closing as resolved also needs every restriction lifted first.
- A closed CAP changes no more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from placedesk.errors import NotFound, Problems, ValidationError, WorkflowError
from placedesk.models import AuditEvent, Cap, CapAction, CapReview, CapSanction, Placement, Provider
from placedesk.models.enums import (
    AuditAction,
    DONE_ACTION_STATUSES,
    OPEN_CAP_STATUSES,
    CapActionStatus,
    CapApproach,
    CapOutcome,
    CapSeverity,
    CapSource,
    CapStatus,
    Rag,
    SanctionKind,
)
from placedesk.services.common.parsing import format_date
from placedesk.services.common.refs import next_ref
from placedesk.services.monitoring.restrictions import BLOCKING_SANCTIONS
from placedesk.services.monitoring.risk import refresh_risk

# An open action due within this many days shows amber: the officer should chase it.
DUE_SOON_DAYS = 7


def _refresh_risk(session: Session, cap: Cap, today: dt.date | None) -> None:
    # The provider's stored risk follows its CAPs.
    if today is None:
        return
    refresh_risk(session, cap.provider, today=today)


def _require_open(cap: Cap) -> None:
    if cap.status is CapStatus.CLOSED:
        raise WorkflowError(f"{cap.ref} is closed ({format_date(cap.closed_on)}): it can no longer be changed.")


def find_cap(session: Session, ref: str) -> Cap:
    """The CAP with reference ``ref`` (case-insensitive), with its actions, reviews and sanctions."""
    cap = session.scalar(
        select(Cap).where(Cap.ref == ref.strip().upper())
        .options(selectinload(Cap.actions), selectinload(Cap.reviews), selectinload(Cap.sanctions))
    )
    if cap is None:
        raise NotFound(f"No CAP has the reference '{ref}': check it (it looks like CAP-AB12-0001).")
    return cap


def open_cap(
    session: Session, provider: Provider, *, issue: str, severity: CapSeverity, opened_on: dt.date,
    evidence: str = "", approach: CapApproach = CapApproach.DEVELOPMENTAL, source: CapSource = CapSource.OTHER,
    source_id: object = None, placement: Placement | None = None, owner: str = "",
    factor_seriousness: str = "", factor_risks: str = "", factor_contract_breached: bool = False,
    factor_relationship: str = "", factor_provider_response: str = "",
    review_dates: Sequence[dt.date] = (), laptop_id: str = "",
) -> Cap:
    """Open a CAP for ``provider`` (module docstring for the rules)."""
    severity, approach, source = CapSeverity(severity), CapApproach(approach), CapSource(source)
    if not issue.strip():
        raise ValidationError("Describe the issue the plan is to correct.", "issue")
    if placement is not None and placement.provider_id != provider.id:
        raise ValidationError("That placement is with another provider: choose one of this provider's.",
                              "placement")
    if approach is CapApproach.PUNITIVE and not factor_seriousness.strip():
        raise ValidationError("A punitive approach needs the seriousness recorded: say why it is serious.",
                              "factor_seriousness")
    for review in review_dates:
        if review < opened_on:
            raise ValidationError(f"Review date {format_date(review)} is before the plan was opened.",
                                  "review_dates")
    cap = Cap(
        ref=next_ref(session, Cap.ref, "CAP", laptop_id), provider_id=provider.id,
        placement_id=placement.id if placement else None, source=source, source_id=source_id,
        issue=issue.strip(), evidence=evidence.strip(), approach=approach, severity=severity,
        status=CapStatus.OPEN, opened_on=opened_on, owner=owner.strip(),
        factor_seriousness=factor_seriousness.strip(), factor_risks=factor_risks.strip(),
        factor_contract_breached=factor_contract_breached, factor_relationship=factor_relationship.strip(),
        factor_provider_response=factor_provider_response.strip(),
    )
    for review in sorted(set(review_dates)):
        cap.reviews.append(CapReview(review_date=review))
    session.add(cap)
    session.flush()
    _refresh_risk(session, cap, opened_on)
    return cap


def add_action(session: Session, cap: Cap, *, description: str, owner: str, due_date: dt.date,
               today: dt.date | None = None) -> CapAction:
    """Add an action to an open CAP (with ``today``, the provider's risk is refreshed too)."""
    _require_open(cap)
    check_action(cap, description, owner, due_date)
    action = CapAction(description=description.strip(), owner=owner.strip(), due_date=due_date,
                       status=CapActionStatus.NOT_STARTED)
    cap.actions.append(action)
    session.flush()
    _refresh_risk(session, cap, today)
    return action


def check_action(cap: Cap, description: str, owner: str, due_date: dt.date | None,
                 problems: Problems | None = None) -> None:
    """Every problem with an action's text, owner and due date at once (``due_date`` None: checked elsewhere)."""
    problems = problems or Problems()
    if not description.strip():
        problems.add("Describe what must be done.", "description")
    if not owner.strip():
        problems.add("Say who owns the action (a name or role at the provider).", "owner")
    if due_date is not None and due_date < cap.opened_on:
        problems.add(f"The due date is before the plan was opened ({format_date(cap.opened_on)}).", "due_date")
    problems.raise_any()


def change_action(session: Session, action: CapAction, *, description: str, owner: str, due_date: dt.date,
                  today: dt.date | None = None) -> CapAction:
    """Change an open action's text, owner or due date (audited: the earlier values stay in the history)."""
    _require_open(action.cap)
    if action.status in DONE_ACTION_STATUSES:
        raise WorkflowError(f"This action is {action.status.label.lower()}: reopen it before changing it.")
    check_action(action.cap, description, owner, due_date)
    action.description = description.strip()
    action.owner = owner.strip()
    action.due_date = due_date
    session.flush()
    _refresh_risk(session, action.cap, today)
    return action


def due_date_history(session: Session, action: CapAction) -> list[tuple[dt.datetime, dt.date, dt.date]]:
    """Each time the action's due date was moved: when, from and to (oldest first), from the audit trail."""
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "cap_action", AuditEvent.entity_id == action.id,
                                 AuditEvent.action == AuditAction.UPDATE)
        .order_by(AuditEvent.occurred_at, AuditEvent.created_at)
    )
    moves = []
    for event in events:
        change = (event.changes or {}).get("due_date")
        if change and change.get("before") and change.get("after"):
            moves.append((event.occurred_at, dt.date.fromisoformat(change["before"]),
                          dt.date.fromisoformat(change["after"])))
    return moves


def set_action_status(
    session: Session, action: CapAction, status: CapActionStatus, *, on: dt.date, evidence: str = "",
    waived_reason: str = "",
) -> CapAction:
    """Move an action on: complete (with evidence, dated ``on``), waived (with a reason), or back to open."""
    _require_open(action.cap)
    # Screens and imports may hand over the stored text rather than the member.
    status = CapActionStatus(status)
    if status is CapActionStatus.COMPLETE:
        if not (evidence.strip() or action.evidence.strip()):
            raise ValidationError("Say what shows the action was done (the evidence).", "evidence")
        if on < action.cap.opened_on:
            raise ValidationError("The completion date is before the plan was opened.", "completed_on")
        action.completed_on = on
        action.waived_reason = ""
    elif status is CapActionStatus.WAIVED:
        if not waived_reason.strip():
            raise ValidationError("Say why the action is waived.", "waived_reason")
        action.waived_reason = waived_reason.strip()
        action.completed_on = None
    else:
        action.completed_on = None
        action.waived_reason = ""
    if evidence.strip():
        action.evidence = evidence.strip()
    action.status = status
    session.flush()
    _refresh_risk(session, action.cap, on)
    return action


def add_review(session: Session, cap: Cap, review_date: dt.date) -> CapReview:
    """Schedule a review of the plan."""
    _require_open(cap)
    if review_date < cap.opened_on:
        raise ValidationError("The review date is before the plan was opened.", "review_date")
    review = CapReview(review_date=review_date)
    cap.reviews.append(review)
    session.flush()
    return review


def record_review(session: Session, review: CapReview, notes: str, *, today: dt.date) -> CapReview:
    """Record what a held review found."""
    _require_open(review.cap)
    if review.review_date > today:
        raise ValidationError("That review is still to come: record it on or after its date.", "review_date")
    if not notes.strip():
        raise ValidationError("Write what the review found.", "notes")
    review.held = True
    review.notes = notes.strip()
    session.flush()
    return review


def escalate(
    session: Session, cap: Cap, sanction: SanctionKind, *, amount_pence: int | None = None, today: dt.date,
    notes: str,
) -> CapSanction:
    """Escalate to punitive with a sanction (module docstring); returns the sanction recorded."""
    _require_open(cap)
    sanction = SanctionKind(sanction)
    if not notes.strip():
        raise ValidationError("Say why the plan is escalated (what the provider did or did not do).", "notes")
    if sanction is SanctionKind.FINE:
        if amount_pence is None or amount_pence <= 0:
            raise ValidationError("A fine needs an amount above £0.", "amount")
    elif amount_pence is not None:
        raise ValidationError(f"Only a fine has an amount; {sanction.label.lower()} does not.", "amount")
    if today < cap.opened_on:
        raise ValidationError("The escalation date is before the plan was opened.", "today")
    in_force = [s for s in cap.sanctions if s.kind is sanction and s.lifted_on is None
                and sanction is not SanctionKind.FINE]
    if in_force:
        raise WorkflowError(f"{sanction.label} is already in force under {cap.ref} since "
                            f"{format_date(in_force[0].imposed_on)}.")
    record = CapSanction(kind=sanction, amount_pence=amount_pence, imposed_on=today, notes=notes.strip())
    cap.sanctions.append(record)
    cap.approach = CapApproach.PUNITIVE
    cap.status = CapStatus.ESCALATED
    session.flush()
    _refresh_risk(session, cap, today)
    return record


def lift_sanction(session: Session, sanction: CapSanction, *, today: dt.date, notes: str = "") -> CapSanction:
    """Lift a restriction or suspension from ``today``: the provider can receive referrals again."""
    if sanction.lifted_on is not None:
        raise WorkflowError(f"That sanction was already lifted on {format_date(sanction.lifted_on)}.")
    if sanction.kind is SanctionKind.FINE:
        raise WorkflowError("A fine is not lifted: it stays on the record.")
    if today < sanction.imposed_on:
        raise ValidationError("A sanction cannot be lifted before it was imposed.", "today")
    sanction.lifted_on = today
    if notes.strip():
        sanction.notes = f"{sanction.notes}\nLifted: {notes.strip()}".strip()
    session.flush()
    return sanction


def restrictions_in_force(cap: Cap, today: dt.date) -> list[CapSanction]:
    """Sanctions under ``cap`` that close the provider to referrals on ``today``."""
    return [s for s in cap.sanctions if s.kind in BLOCKING_SANCTIONS and s.imposed_on <= today
            and (s.lifted_on is None or s.lifted_on > today)]


def close_cap(session: Session, cap: Cap, outcome: CapOutcome | None, notes: str, *, today: dt.date) -> Cap:
    """Close a CAP (module docstring); the error names every action still open."""
    _require_open(cap)
    if outcome is None:
        raise ValidationError("Choose the outcome: resolved, escalated or terminated.", "outcome")
    outcome = CapOutcome(outcome)
    if not notes.strip():
        raise ValidationError("Write closing notes: what was achieved or why the plan ends.", "notes")
    if today < cap.opened_on:
        raise ValidationError("The closing date is before the plan was opened.", "today")
    open_actions = [a for a in cap.actions if a.status not in DONE_ACTION_STATUSES]
    if open_actions:
        names = "; ".join(f"'{a.description}' (due {format_date(a.due_date)})" for a in open_actions)
        raise WorkflowError(f"{cap.ref} cannot close while {len(open_actions)} action(s) are open: {names}. "
                            "Mark each complete, or waive it with a reason.")
    if outcome is CapOutcome.RESOLVED and restrictions_in_force(cap, today):
        raise WorkflowError(f"{cap.ref} still restricts referrals to the provider: lift the restriction "
                            "before closing the plan as resolved.")
    cap.outcome = outcome
    cap.closing_notes = notes.strip()
    cap.closed_on = today
    cap.status = CapStatus.CLOSED
    session.flush()
    _refresh_risk(session, cap, today)
    return cap


def action_rag(action: CapAction, today: dt.date) -> Rag:
    """Red when overdue, amber when open and due within a week, otherwise green."""
    if action.status in DONE_ACTION_STATUSES:
        return Rag.GREEN
    if action.is_overdue(today):
        return Rag.RED
    if action.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return Rag.AMBER
    return Rag.GREEN


def cap_rag(cap: Cap, today: dt.date) -> Rag:
    """A plan's RAG: the worst of its open actions' (green once closed or with none open)."""
    if cap.status is CapStatus.CLOSED:
        return Rag.GREEN
    rags = {action_rag(a, today) for a in cap.actions}
    return Rag.RED if Rag.RED in rags else Rag.AMBER if Rag.AMBER in rags else Rag.GREEN


def overdue_actions(session: Session, today: dt.date) -> list[CapAction]:
    """Actions of open or escalated CAPs that are overdue on ``today``, earliest due first."""
    return list(session.scalars(
        select(CapAction).join(Cap, Cap.id == CapAction.cap_id)
        .where(Cap.status.in_(OPEN_CAP_STATUSES), CapAction.status.not_in(DONE_ACTION_STATUSES), CapAction.due_date < today)
        .options(selectinload(CapAction.cap))
        .order_by(CapAction.due_date, CapAction.description)
    ))


def caps_for(session: Session, provider: Provider, *, include_closed: bool = True) -> list[Cap]:
    """A provider's CAPs, open ones first, newest first within each."""
    query = (select(Cap).where(Cap.provider_id == provider.id)
             .options(selectinload(Cap.actions), selectinload(Cap.sanctions), selectinload(Cap.reviews)))
    if not include_closed:
        query = query.where(Cap.status.in_(OPEN_CAP_STATUSES))
    caps = list(session.scalars(query))
    caps.sort(key=lambda c: (c.status is CapStatus.CLOSED, -c.opened_on.toordinal(), c.ref))
    return caps


__all__ = [
    "DUE_SOON_DAYS", "action_rag", "add_action", "add_review", "cap_rag", "caps_for",
    "close_cap", "escalate", "find_cap", "lift_sanction", "open_cap", "overdue_actions", "record_review",
    "restrictions_in_force", "set_action_status",
]
