"""The CAP report for the provider meeting: the plan, its actions with RAG, and its history.

:func:`cap_report_data` reads what the report shows (no Qt, no file
writing); :func:`render_cap_report` turns it into PDF bytes; and
:func:`make_cap_report` does both and keeps the PDF as a
:class:`~placedesk.models.StoredDocument` (kind ``cap_report``) when made from
the app. The history comes from the audit trail: every change to the plan,
its actions, reviews and sanctions, oldest first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from reportlab.platypus import Flowable, Spacer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from placedesk.models import AuditEvent, Cap
from placedesk.models.enums import AuditAction, CapActionStatus, Rag, SanctionKind
from placedesk.reports.monitoring_layout import CONTENT_WIDTH, build_pdf, facts, para, rag_style, styles, table
from placedesk.services.monitoring.caps import action_rag, cap_rag
from placedesk.services.common.documents import store_document
from placedesk.services.common.parsing import format_date, format_money, format_uk_time

TITLE = "Corrective action plan"
KIND = "cap_report"
_ENTITY_LABEL = {"cap": "Plan", "cap_action": "Action", "cap_review": "Review", "cap_sanction": "Sanction"}
# Fields too technical for a meeting pack; their changes are summarised elsewhere in the report.
_HIDDEN_FIELDS = {"id", "cap_id", "provider_id", "placement_id", "source_id", "ref"}


@dataclass(frozen=True)
class ActionLine:
    description: str
    owner: str
    due_on: dt.date
    status: str
    completed_on: dt.date | None
    evidence: str
    rag: Rag
    overdue: bool


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: dt.datetime
    officer: str
    what: str
    detail: str


@dataclass
class CapReportData:
    """Everything the CAP report prints."""

    ref: str
    made_on: dt.date
    provider: str
    provider_ref: str
    urn: str
    placement_ref: str
    status: str
    rag: Rag
    facts: list[tuple[str, str]]
    factors: list[tuple[str, str]]
    actions: list[ActionLine] = field(default_factory=list)
    reviews: list[tuple[dt.date, bool, str]] = field(default_factory=list)
    sanctions: list[tuple[str, str, dt.date, dt.date | None, str]] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return format_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    return text.replace("_", " ")


def _describe(event: AuditEvent) -> tuple[str, str]:
    label = _ENTITY_LABEL.get(event.entity, event.entity)
    changes = {k: v for k, v in (event.changes or {}).items() if k not in _HIDDEN_FIELDS}
    if event.action is AuditAction.INSERT:
        after = {k: v.get("after") for k, v in changes.items()}
        if event.entity == "cap":
            return "Plan opened", f"{_value(after.get('issue'))} (severity {_value(after.get('severity'))})"
        if event.entity == "cap_action":
            return "Action added", f"{_value(after.get('description'))}, due {_value(after.get('due_date'))}"
        if event.entity == "cap_review":
            return "Review scheduled", _value(after.get("review_date"))
        if event.entity == "cap_sanction":
            amount = after.get("amount_pence")
            money = f" of {format_money(int(amount))}" if amount else ""
            kind = after.get("kind")
            label = SanctionKind(kind).label if kind in {k.value for k in SanctionKind} else _value(kind)
            return "Sanction imposed", f"{label}{money}: {_value(after.get('notes'))}"
        return f"{label} added", ""
    if event.action is AuditAction.DELETE:
        return f"{label} removed", ""
    parts = [f"{k.replace('_', ' ')}: {_value(v.get('before'))} → {_value(v.get('after'))}" for k, v in changes.items()]
    return f"{label} changed", "; ".join(parts)


def cap_report_data(session: Session, cap: Cap, *, today: dt.date) -> CapReportData:
    """Gather the report's contents for ``cap`` as it stands on ``today``."""
    provider = cap.provider
    data = CapReportData(
        ref=cap.ref, made_on=today, provider=provider.name, provider_ref=provider.ref, urn=provider.urn or "",
        placement_ref=cap.placement.ref if cap.placement else "", status=cap.status.label, rag=cap_rag(cap, today),
        facts=[
            ("Provider", f"{provider.name} ({provider.ref}{', URN ' + provider.urn if provider.urn else ''})"),
            ("Placement", cap.placement.ref if cap.placement else "Whole provider"),
            ("Prompted by", cap.source.label),
            ("Issue", cap.issue),
            ("Evidence", cap.evidence),
            ("Approach", cap.approach.label),
            ("Severity", cap.severity.label),
            ("Status", cap.status.label),
            ("Opened", format_date(cap.opened_on)),
            ("Plan owner", cap.owner),
        ],
        factors=[
            ("Seriousness", cap.factor_seriousness),
            ("Risks", cap.factor_risks),
            ("Contract breached", "Yes" if cap.factor_contract_breached else "No"),
            ("Relationship with the provider", cap.factor_relationship),
            ("Provider's response", cap.factor_provider_response),
        ],
    )
    if cap.outcome is not None:
        data.facts += [("Outcome", cap.outcome.label), ("Closed", format_date(cap.closed_on)),
                       ("Closing notes", cap.closing_notes)]
    for action in sorted(cap.actions, key=lambda a: (a.due_date, a.description)):
        evidence = action.waived_reason if action.status is CapActionStatus.WAIVED else action.evidence
        data.actions.append(ActionLine(action.description, action.owner, action.due_date, action.status.label,
                                       action.completed_on, evidence, action_rag(action, today),
                                       action.is_overdue(today)))
    data.reviews = sorted((r.review_date, r.held, r.notes) for r in cap.reviews)
    data.sanctions = [(s.kind.label, format_money(s.amount_pence) if s.amount_pence else "", s.imposed_on,
                       s.lifted_on, s.notes) for s in cap.sanctions]
    ids: list[uuid.UUID] = [cap.id, *(a.id for a in cap.actions), *(r.id for r in cap.reviews),
                            *(s.id for s in cap.sanctions)]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id.in_(ids),
                                 or_(*(AuditEvent.entity == e for e in _ENTITY_LABEL)))
        .order_by(AuditEvent.occurred_at, AuditEvent.created_at)
    )
    for event in events:
        what, detail = _describe(event)
        data.history.append(HistoryLine(event.occurred_at, event.officer, what, detail))
    return data


def _story(data: CapReportData) -> list[Flowable]:
    st = styles()
    fonts = st
    out: list[Flowable] = [
        para(f"{TITLE} {data.ref}", st.title, fonts),
        para(f"{data.provider} · {data.status} · overall {data.rag.label.lower()} · as at "
             f"{format_date(data.made_on)}", st.small, fonts),
        Spacer(1, 6),
        para("The plan", st.heading, fonts),
        facts(data.facts, st),
        para("What decided the approach", st.heading, fonts),
        facts(data.factors, st),
        para("Actions", st.heading, fonts),
    ]
    if data.actions:
        w = CONTENT_WIDTH
        rows: list[list[Any]] = [[para(h, st.cell_bold, fonts) for h in
                                  ("Action", "Owner", "Due", "Status", "Done", "Evidence / reason", "RAG")]]
        extra: list[tuple[Any, ...]] = []
        for i, a in enumerate(data.actions, start=1):
            due_style = st.cell_red if a.overdue else st.cell
            status = f"{a.status} – OVERDUE" if a.overdue else a.status
            rows.append([para(a.description, st.cell, fonts), para(a.owner, st.cell, fonts),
                         para(format_date(a.due_on), due_style, fonts), para(status, due_style, fonts),
                         para(format_date(a.completed_on), st.cell, fonts), para(a.evidence, st.cell, fonts),
                         para(a.rag.label, st.cell_bold, fonts)])
            extra += rag_style(6, i, a.rag)
        out.append(table(rows, [w * 0.22, w * 0.12, w * 0.13, w * 0.13, w * 0.13, w * 0.19, w * 0.08], extra=extra))
        overdue = sum(1 for a in data.actions if a.overdue)
        out.append(para(f"{len(data.actions)} action(s); {overdue} overdue (past the due date and not complete "
                        "or waived).", st.small, fonts))
    else:
        out.append(para("No actions have been agreed yet. Add them on the Monitoring tab before the meeting.",
                        st.body, fonts))
    out.append(para("Reviews", st.heading, fonts))
    if data.reviews:
        rows = [[para(h, st.cell_bold, fonts) for h in ("Date", "Held", "What it found")]]
        rows += [[para(format_date(d), st.cell, fonts), para("Yes" if held else "Not yet", st.cell, fonts),
                  para(notes, st.cell, fonts)] for d, held, notes in data.reviews]
        out.append(table(rows, [CONTENT_WIDTH * 0.15, CONTENT_WIDTH * 0.12, CONTENT_WIDTH * 0.73]))
    else:
        out.append(para("No reviews are scheduled.", st.body, fonts))
    if data.sanctions:
        out.append(para("Escalation and sanctions", st.heading, fonts))
        rows = [[para(h, st.cell_bold, fonts) for h in ("Sanction", "Amount", "Imposed", "Lifted", "Notes")]]
        rows += [[para(kind, st.cell, fonts), para(amount or "–", st.cell, fonts), para(format_date(imposed), st.cell, fonts),
                  para(format_date(lifted) or "In force", st.cell if lifted else st.cell_red, fonts),
                  para(notes, st.cell, fonts)] for kind, amount, imposed, lifted, notes in data.sanctions]
        w = CONTENT_WIDTH
        out.append(table(rows, [w * 0.25, w * 0.12, w * 0.12, w * 0.12, w * 0.39]))
    out.append(para("History of changes", st.heading, fonts))
    if data.history:
        rows = [[para(h, st.cell_bold, fonts) for h in ("When (UK time)", "Who", "What", "Detail")]]
        w = CONTENT_WIDTH
        rows += [[para(format_uk_time(h.occurred_at), st.cell, fonts), para(h.officer, st.cell, fonts),
                  para(h.what, st.cell, fonts), para(h.detail, st.cell, fonts)] for h in data.history]
        out.append(table(rows, [w * 0.2, w * 0.15, w * 0.17, w * 0.48]))
    else:
        out.append(para("No changes recorded.", st.body, fonts))
    return out


def render_cap_report(data: CapReportData) -> bytes:
    """The CAP report as PDF bytes."""
    return build_pdf(_story(data), title=TITLE, reference=data.ref, made_on=data.made_on,
                     subject=f"{TITLE} {data.ref} for {data.provider_ref}")


def make_cap_report(session: Session, cap: Cap, *, today: dt.date, store: bool = True) -> tuple[str, bytes]:
    """Render the report for ``cap`` (and keep it as a stored document); returns (file name, PDF bytes)."""
    content = render_cap_report(cap_report_data(session, cap, today=today))
    filename = f"{cap.ref} CAP report {today.isoformat()}.pdf"
    if store:
        store_document(session, filename, content, KIND)
    return filename, content


__all__ = ["KIND", "TITLE", "ActionLine", "CapReportData", "HistoryLine", "cap_report_data", "make_cap_report",
           "render_cap_report"]
