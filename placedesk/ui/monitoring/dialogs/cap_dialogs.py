"""The CAP forms: open a plan, add an action, move an action on, reviews, escalate, lift a sanction, close."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from placedesk.models import Cap, CapAction, CapReview, CapSanction, Placement, Provider
from placedesk.models.enums import (
    CapActionStatus,
    CapApproach,
    CapOutcome,
    CapSeverity,
    CapSource,
    SanctionKind,
)
from placedesk.services.monitoring.caps import (
    add_action,
    add_review,
    change_action,
    check_action,
    due_date_history,
    close_cap,
    escalate,
    lift_sanction,
    open_cap,
    record_review,
    set_action_status,
)
from placedesk.errors import NotFound, PlaceDeskError, Problems, ValidationError
from placedesk.services.common.parsing import format_date, parse_money
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.monitoring.style import date_edit, date_of
from placedesk.ui.widgets.combo import enum_data
from placedesk.ui.widgets.date_field import DateField

CAP_CHANGES = ("cap", "cap_action", "cap_review", "cap_sanction", "provider")
# What each sanction does, named in the confirmation before it is recorded.
SANCTION_CONSEQUENCES = {
    SanctionKind.RESTRICT_REFERRALS: "The provider is taken off every shortlist: no new referral can be sent "
                                       "to it until the restriction is lifted.",
    SanctionKind.FRAMEWORK_SUSPENSION: "The provider is suspended from the framework and taken off every "
                                       "shortlist until the suspension is lifted.",
    SanctionKind.TERMINATION_NOTICE: "Notice to end the contract is recorded against the provider.",
    SanctionKind.FINE: "The fine is recorded against the provider and the plan becomes punitive.",
}


def _text_box(placeholder: str, height: int = 64) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setFixedHeight(height)
    return box


def _combo(items: Sequence[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    return combo


class OpenCapDialog(ServiceDialog):
    """Open a corrective action plan, recording the issue, its evidence and what decides the approach."""

    def __init__(self, ctx: AppContext, provider_id: uuid.UUID, placements: Sequence[tuple[uuid.UUID, str]],
                 today: dt.date, parent: QWidget | None = None, *, source: CapSource = CapSource.OTHER,
                 source_id: uuid.UUID | None = None, evidence: str = "") -> None:
        super().__init__(ctx, "Open a corrective action plan", self._save, CAP_CHANGES, parent,
                         save_text="Open CAP", scroll=True)
        self.provider_id = provider_id
        # The visit, KPI value or inspection the plan is opened from, kept with it.
        self.source_id = source_id
        self.issue = _text_box("What went wrong, in a sentence")
        self.evidence = _text_box("What shows it: visit, KPI return, inspection, complaint")
        self.evidence.setPlainText(evidence)
        self.source = _combo([(s.label, s) for s in CapSource])
        self.source.setCurrentIndex(self.source.findData(source))
        self.placement = _combo([("The whole provider", None)] + [(label, pid) for pid, label in placements])
        self.severity = _combo([(s.label, s) for s in CapSeverity])
        self.severity.setCurrentIndex(1)
        self.approach = _combo([(a.label, a) for a in CapApproach])
        self.opened_on = date_edit(today)
        self.owner = QLineEdit(ctx.settings.officer.name)
        self.seriousness = _text_box("How serious is it, and why", 48)
        self.risks = _text_box("Risks to children if it continues", 48)
        self.breached = QCheckBox("The contract was breached")
        self.relationship = _text_box("The working relationship with the provider", 48)
        self.response = _text_box("How the provider has responded so far", 48)
        self.set_review = QCheckBox("Schedule a first review")
        self.set_review.setChecked(True)
        self.review_date = date_edit(today + dt.timedelta(days=28))
        self.set_review.toggled.connect(self.review_date.setEnabled)
        for name, label, widget, hint in (
            ("issue", "Issue", self.issue, ""), ("evidence", "Evidence", self.evidence, ""),
            ("source", "Prompted by", self.source, ""), ("placement", "Concerns", self.placement, ""),
            ("severity", "Severity", self.severity, ""),
            ("approach", "Approach", self.approach, "Developmental: agree a plan and carry on. Punitive: a "
                                                   "sanction the contract allows."),
            ("opened_on", "Opened on", self.opened_on, ""), ("owner", "Plan owner", self.owner, ""),
            ("factor_seriousness", "Seriousness", self.seriousness, ""), ("factor_risks", "Risks", self.risks, ""),
            ("factor_contract_breached", "Contract", self.breached, ""),
            ("factor_relationship", "Relationship", self.relationship, ""),
            ("factor_provider_response", "Provider's response", self.response, ""),
            ("set_review", "Review", self.set_review, ""), ("review_dates", "Review date", self.review_date, ""),
        ):
            self.form.add(name, label, widget, hint)

    def _save(self, session: Session) -> Cap:
        provider = session.get(Provider, self.provider_id)
        assert provider is not None
        placement_id = self.placement.currentData()
        placement = session.get(Placement, placement_id) if placement_id else None
        reviews = [date_of(self.review_date)] if self.set_review.isChecked() else []
        return open_cap(
            session, provider, issue=self.issue.toPlainText(), evidence=self.evidence.toPlainText(),
            severity=enum_data(self.severity, CapSeverity), opened_on=date_of(self.opened_on),
            approach=enum_data(self.approach, CapApproach), source=enum_data(self.source, CapSource), placement=placement,
            source_id=self.source_id,
            owner=self.owner.text(), factor_seriousness=self.seriousness.toPlainText(),
            factor_risks=self.risks.toPlainText(), factor_contract_breached=self.breached.isChecked(),
            factor_relationship=self.relationship.toPlainText(),
            factor_provider_response=self.response.toPlainText(), review_dates=reviews,
            laptop_id=self.ctx.settings.laptop_id,
        )


class AddActionDialog(ServiceDialog):
    """Add an action to a plan: what, who, by when."""

    def __init__(self, ctx: AppContext, cap_id: uuid.UUID, cap_ref: str, today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Add an action to {cap_ref}", self._save, CAP_CHANGES, parent, save_text="Add action")
        self.cap_id = cap_id
        self.today = today
        self.description = _text_box("What must be done")
        self.owner = QLineEdit()
        self.owner.setPlaceholderText("Name or role at the provider")
        self.due_date = date_edit(today + dt.timedelta(days=28))
        self.form.add("description", "Action", self.description)
        self.form.add("owner", "Owner", self.owner)
        self.form.add("due_date", "Due by", self.due_date, "Overdue from the day after this date.")

    def confirm_save(self) -> bool:
        return keep_overdue_date(self, self.due_date, self.today)

    def _save(self, session: Session) -> CapAction:
        cap = session.get(Cap, self.cap_id)
        assert cap is not None
        due = checked_due_date(cap, self.description.toPlainText(), self.owner.text(), self.due_date)
        return add_action(session, cap, description=self.description.toPlainText(), owner=self.owner.text(),
                          due_date=due, today=self.today)


class ChangeActionDialog(ServiceDialog):
    """Change an action's text, owner or due date; the earlier values stay in the plan's history."""

    def __init__(self, ctx: AppContext, action_id: uuid.UUID, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Change an action", self._save, CAP_CHANGES, parent, save_text="Save changes",
                         intro="A moved due date is kept in the plan's history (and in the CAP report).")
        self.action_id = action_id
        self.today = today
        with ctx.read(self.baseline) as session:
            action = session.get(CapAction, action_id)
            if action is None:
                raise NotFound("That action no longer exists: refresh the list.")
            moves = due_date_history(session, action)
            self.description = _text_box("What must be done")
            self.description.setPlainText(action.description)
            self.owner = QLineEdit(action.owner)
            self.due_date = date_edit(action.due_date)
            self._original_due = action.due_date
        moved = "; ".join(f"{format_date(before)} → {format_date(after)}" for _, before, after in moves)
        self.form.add("description", "Action", self.description)
        self.form.add("owner", "Owner", self.owner)
        self.form.add("due_date", "Due by", self.due_date,
                      f"Moved before: {moved}." if moved else "Overdue from the day after this date.")

    def confirm_save(self) -> bool:
        try:
            unchanged = self.due_date.date() == self._original_due
        except PlaceDeskError:
            return True
        return unchanged or keep_overdue_date(self, self.due_date, self.today)

    def _save(self, session: Session) -> CapAction:
        action = session.get(CapAction, self.action_id)
        if action is None:
            raise NotFound("That action no longer exists: refresh the list.")
        due = checked_due_date(action.cap, self.description.toPlainText(), self.owner.text(), self.due_date)
        return change_action(session, action, description=self.description.toPlainText(), owner=self.owner.text(),
                             due_date=due, today=self.today)


def checked_due_date(cap: Cap, description: str, owner: str, field: DateField) -> dt.date:
    """The typed due date, with every problem in the form (a bad date included) raised together."""
    problems = Problems()
    due: dt.date | None = None
    with problems.check():
        due = field.date()
    check_action(cap, description, owner, due, problems)
    problems.raise_any()
    assert due is not None
    return due


def keep_overdue_date(parent: QWidget, field: DateField, today: dt.date, what: str = "action") -> bool:
    """A due date already past is asked about ("keep it?"); True to save it as typed.

    A date that is not a date is left for the save to report beside the field.
    """
    try:
        due = field.date()
    except PlaceDeskError:
        return True
    if due >= today:
        return True
    keep = dialogs.choose(parent, "Due date already passed",
                          f"{format_date(due)} is before today, so this {what} is already overdue: keep it?",
                          [("keep", "Keep the date"), ("change", "Change the date")], default="change", cancel=None)
    if keep != "keep":
        field.setFocus()
        return False
    return True


class ActionStatusDialog(ServiceDialog):
    """Move an action on: in progress, complete with evidence, or waived with a reason."""

    def __init__(self, ctx: AppContext, action_id: uuid.UUID, description: str, today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Update an action", self._save, CAP_CHANGES, parent, intro=description)
        self.action_id = action_id
        self.status = _combo([(s.label, s) for s in CapActionStatus])
        self.status.setCurrentIndex(self.status.findData(CapActionStatus.COMPLETE))
        self.on = date_edit(today)
        self.evidence = _text_box("What shows it was done")
        self.waived_reason = _text_box("Why it is no longer needed")
        self.form.add("status", "Status", self.status)
        self.form.add("completed_on", "Date", self.on, "The completion date when complete.")
        self.form.add("evidence", "Evidence", self.evidence)
        self.form.add("waived_reason", "Reason for waiving", self.waived_reason)

    def _save(self, session: Session) -> CapAction:
        action = session.get(CapAction, self.action_id)
        assert action is not None
        return set_action_status(session, action, enum_data(self.status, CapActionStatus),  # type: ignore[arg-type]
                                 on=date_of(self.on),
                                 evidence=self.evidence.toPlainText(),
                                 waived_reason=self.waived_reason.toPlainText())


class EscalateDialog(ServiceDialog):
    """Escalate a plan to punitive and record the sanction."""

    def __init__(self, ctx: AppContext, cap_id: uuid.UUID, cap_ref: str, today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Escalate {cap_ref}", self._save, CAP_CHANGES, parent, save_text="Escalate",
                         intro="Escalation makes the plan punitive. Restricting referrals or suspending the "
                               "provider from the framework takes it off every shortlist until lifted.")
        self.cap_id = cap_id
        self.sanction = _combo([(s.label, s) for s in SanctionKind])
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("e.g. 2500.00")
        self.on = date_edit(today)
        self.notes = _text_box("Why: what the provider did or did not do")
        self.sanction.currentIndexChanged.connect(
            lambda _: self.amount.setEnabled(enum_data(self.sanction, SanctionKind) is SanctionKind.FINE))
        self.amount.setEnabled(enum_data(self.sanction, SanctionKind) is SanctionKind.FINE)
        self.form.add("sanction", "Sanction", self.sanction)
        self.form.add("amount", "Fine (£)", self.amount, "Only for a fine.")
        self.form.add("today", "From", self.on)
        self.form.add("notes", "Reason", self.notes)

    def confirm_save(self) -> bool:
        """Name what the chosen sanction does before it is recorded."""
        kind = enum_data(self.sanction, SanctionKind)
        problems = Problems()
        with problems.check():
            date_of(self.on)
        text = self.amount.text().strip()
        if kind is SanctionKind.FINE:
            with problems.check():
                if not text:
                    raise ValidationError("A fine needs an amount above £0: type it in pounds, e.g. 2500.00.", "amount")
                parse_money(text, "amount")
        problems.raise_any()
        consequence = SANCTION_CONSEQUENCES.get(kind, "The plan becomes punitive and the sanction is recorded.")
        return dialogs.confirm(self, self.windowTitle(),
                               f"Escalate to \"{self.sanction.currentText()}\"?\n\n{consequence}",
                               "Escalate")

    def _save(self, session: Session) -> CapSanction:
        cap = session.get(Cap, self.cap_id)
        assert cap is not None
        kind = enum_data(self.sanction, SanctionKind)
        text = self.amount.text().strip()
        amount = parse_money(text, "amount") if (text and kind is SanctionKind.FINE) else None
        return escalate(session, cap, kind, amount_pence=amount, today=date_of(self.on),
                        notes=self.notes.toPlainText())


class LiftSanctionDialog(ServiceDialog):
    """Lift a referral restriction or framework suspension."""

    def __init__(self, ctx: AppContext, sanction_id: uuid.UUID, label: str, today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Lift a sanction", self._save, CAP_CHANGES, parent, save_text="Lift",
                         intro=f"{label}. Once lifted the provider can be offered new referrals again.")
        self.sanction_id = sanction_id
        self.label = label
        self.on = date_edit(today)
        self.notes = _text_box("What has changed")
        self.form.add("today", "Lifted from", self.on)
        self.form.add("notes", "Notes", self.notes)

    def confirm_save(self) -> bool:
        date_of(self.on)
        return dialogs.confirm(self, "Lift a sanction",
                               f"Lift this sanction ({self.label})?\n\nThe provider comes back into matching and "
                               "can be offered new referrals from the date given.", "Lift the sanction")

    def _save(self, session: Session) -> CapSanction:
        sanction = session.get(CapSanction, self.sanction_id)
        assert sanction is not None
        return lift_sanction(session, sanction, today=date_of(self.on), notes=self.notes.toPlainText())


class CloseCapDialog(ServiceDialog):
    """Close a plan with its outcome; every action must be complete or waived first."""

    def __init__(self, ctx: AppContext, cap_id: uuid.UUID, cap_ref: str, today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Close {cap_ref}", self._save, CAP_CHANGES, parent, save_text="Close CAP")
        self.cap_id = cap_id
        self.outcome = _combo([("Choose the outcome…", None)] + [(o.label, o) for o in CapOutcome])
        self.on = date_edit(today)
        self.notes = _text_box("What was achieved, or why the plan ends", 80)
        self.form.add("outcome", "Outcome", self.outcome)
        self.form.add("today", "Closed on", self.on)
        self.form.add("notes", "Closing notes", self.notes)

    def _save(self, session: Session) -> Cap:
        cap = session.get(Cap, self.cap_id)
        assert cap is not None
        return close_cap(session, cap, enum_data(self.outcome, CapOutcome), self.notes.toPlainText(), today=date_of(self.on))


class ReviewDialog(ServiceDialog):
    """Schedule a review of a plan, or record what a scheduled review found."""

    def __init__(self, ctx: AppContext, cap_id: uuid.UUID, cap_ref: str, today: dt.date,
                 review_id: uuid.UUID | None = None, label: str = "", parent: QWidget | None = None) -> None:
        recording = review_id is not None
        super().__init__(ctx, f"Record a review of {cap_ref}" if recording else f"Schedule a review of {cap_ref}",
                         self._save, CAP_CHANGES, parent, save_text="Record review" if recording else "Schedule",
                         intro=label)
        self.cap_id = cap_id
        self.review_id = review_id
        self.today = today
        self.review_date = date_edit(today + dt.timedelta(days=28))
        self.notes = _text_box("Progress on each action; what happens next", 90)
        if recording:
            self.form.add("notes", "What it found", self.notes)
        else:
            self.form.add("review_date", "Review on", self.review_date)

    def confirm_save(self) -> bool:
        # A review scheduled in the past is overdue from the start: ask, as for an action.
        return self.review_id is not None or keep_overdue_date(self, self.review_date, self.today,
                                                               what="review")

    def _save(self, session: Session) -> CapReview:
        if self.review_id is not None:
            review = session.get(CapReview, self.review_id)
            assert review is not None
            return record_review(session, review, self.notes.toPlainText(), today=self.today)
        cap = session.get(Cap, self.cap_id)
        assert cap is not None
        return add_review(session, cap, date_of(self.review_date))
