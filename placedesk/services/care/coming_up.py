"""The officer's week: everything due or overdue in the next N days across the caseload.

One list from every source, each row naming the record to open:

- referrals still waiting for provider responses, by their response-by date;
- open offers, by the date they expire;
- IPAs signed by the officer and awaiting the provider's countersignature,
  to be chased ``COUNTERSIGN_CHASE_DAYS`` after the officer signed;
- CAP actions not complete or waived, by due date, and CAP reviews not yet held;
- monitoring reviews or visits due by provider risk (``schedule.due_reviews``);
- the children's milestones (``milestones``): leaving-care duties by status
  (needs assessment, pathway plan reviews, advice and assistance checks),
  18th birthdays, placement reviews and planned ends, IPA review dates, EHCP
  reviews.

Overdue means due before ``today`` (due today is not overdue). Titles carry
no more about a child than initials and case reference.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.config import MonitoringSettings
from placedesk.errors import ValidationError
from placedesk.models import (
    Agreement,
    Cap,
    CapAction,
    CapReview,
    Child,
    Offer,
    Placement,
    Provider,
    Referral,
    ReferralRecipient,
)
from placedesk.models.enums import (
    AgreementStatus,
    CapActionStatus,
    CapStatus,
    LabelledEnum,
    OfferStatus,
    RecipientResponse,
    ReferralStatus,
)
from placedesk.services.care.milestones import (
    MilestoneKind,
    caseload_milestones,
    child_label,
    child_screen_label,
)
from placedesk.services.monitoring.schedule import due_reviews

# A local choice, not a rule: how long after signing to chase a provider's countersignature.
COUNTERSIGN_CHASE_DAYS = 14
_REFERRALS_WAITING = (ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED)
_OFFERS_LIVE = (ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED, ReferralStatus.AWARDED)


class ItemKind(LabelledEnum):
    """What kind of thing is due."""

    REFERRAL_RESPONSE = "referral_response"
    OFFER_EXPIRY = "offer_expiry"
    COUNTERSIGNATURE = "countersignature"
    CAP_ACTION = "cap_action"
    CAP_REVIEW = "cap_review"
    MONITORING_VISIT = "monitoring_visit"
    PLACEMENT_REVIEW = "placement_review"
    PLANNED_END = "planned_end"
    IPA_REVIEW = "ipa_review"
    NEEDS_ASSESSMENT = "needs_assessment"
    PATHWAY_PLAN = "pathway_plan"
    ADVICE_ASSISTANCE = "advice_assistance"
    BIRTHDAY_18 = "birthday_18"
    EHCP_REVIEW = "ehcp_review"

    @property
    def label(self) -> str:
        return {
            "referral_response": "Responses due",
            "offer_expiry": "Offer expires",
            "countersignature": "IPA countersignature",
            "cap_action": "CAP action",
            "cap_review": "CAP review",
            "monitoring_visit": "Monitoring visit",
            "placement_review": "Placement review",
            "planned_end": "Placement planned end",
            "ipa_review": "IPA review",
            "needs_assessment": "Needs assessment",
            "pathway_plan": "Pathway plan review",
            "advice_assistance": "Advice and assistance",
            "birthday_18": "18th birthday",
            "ehcp_review": "EHCP review",
        }[self.value]


@dataclass(slots=True)
class ComingUpItem:
    """One row of the officer's week."""

    kind: ItemKind
    title: str
    due_on: dt.date
    overdue: bool
    # The record to open: a table name ("referral", "placement", "agreement", "cap",
    # "provider", "child") and its id as stored (32 hex digits). Thousands of rows are
    # listed and one is opened, so the UUID is made only when asked for.
    entity: str
    entity_ref: str
    # Stable for the same underlying item whatever its date: calendar UIDs are built from it.
    key: str
    # Who it concerns: a provider's name, or a child's initials and case reference (what a calendar
    # export may carry off the laptop).
    subject: str = ""
    # The child on screen: full name and case reference; empty for a provider's item.
    name: str = ""

    @property
    def screen_subject(self) -> str:
        """Who it concerns as the officer sees it on screen (full name for a child)."""
        return self.name or self.subject

    @property
    def entity_id(self) -> uuid.UUID:
        return uuid.UUID(hex=self.entity_ref)

    @property
    def text(self) -> str:
        """Title and subject in one line, for places with one column (calendar, CSV)."""
        return f"{self.title} ({self.subject})" if self.subject else self.title


def _referral_responses(session: Session, today: dt.date, until: dt.date) -> Iterable[ComingUpItem]:
    rows = session.execute(
        select(Referral.id, Referral.ref, Referral.response_by, func.count(ReferralRecipient.id),
               Child.first_name, Child.last_name, Child.case_reference)
        .join(ReferralRecipient, ReferralRecipient.referral_id == Referral.id)
        .join(Child, Child.id == Referral.child_id)
        .where(Referral.status.in_(_REFERRALS_WAITING), Referral.response_by <= until,
               ReferralRecipient.response == RecipientResponse.AWAITING)
        .group_by(Referral.id, Child.id)
    )
    for rid, ref, due, waiting, first, last, case_ref in rows:
        providers = "provider has" if waiting == 1 else "providers have"
        yield ComingUpItem(ItemKind.REFERRAL_RESPONSE, f"{ref}: {waiting} {providers} not responded",
                           due, due < today, "referral", rid.hex, f"responses-{rid.hex}",
                           child_label(first, last, case_ref), child_screen_label(first, last, case_ref))


def _offers(session: Session, today: dt.date, until: dt.date) -> Iterable[ComingUpItem]:
    rows = session.execute(
        select(Offer.id, Offer.expires_on, Referral.id, Referral.ref, Provider.name,
               Child.first_name, Child.last_name, Child.case_reference)
        .join(ReferralRecipient, ReferralRecipient.id == Offer.recipient_id)
        .join(Referral, Referral.id == ReferralRecipient.referral_id)
        .join(Provider, Provider.id == ReferralRecipient.provider_id)
        .join(Child, Child.id == Referral.child_id)
        .where(Offer.status == OfferStatus.OPEN, Offer.expires_on <= until, Referral.status.in_(_OFFERS_LIVE))
    )
    for oid, due, rid, ref, provider, first, last, case_ref in rows:
        yield ComingUpItem(ItemKind.OFFER_EXPIRY, f"{ref}: offer from {provider} expires", due, due < today,
                           "referral", rid.hex, f"offer-{oid.hex}", child_label(first, last, case_ref),
                           child_screen_label(first, last, case_ref))


def _countersignatures(session: Session, today: dt.date, until: dt.date) -> Iterable[ComingUpItem]:
    rows = session.execute(
        select(Agreement.id, Agreement.ref, Agreement.version_number, Agreement.officer_signed_at,
               Agreement.issued_on, Provider.name)
        .join(Placement, Placement.id == Agreement.placement_id)
        .join(Provider, Provider.id == Placement.provider_id)
        .where(Agreement.status == AgreementStatus.OFFICER_SIGNED)
    )
    chase = dt.timedelta(days=COUNTERSIGN_CHASE_DAYS)
    for aid, ref, version, signed_at, issued_on, provider in rows:
        signed = signed_at.date() if signed_at else (issued_on or today)
        due = signed + chase
        if due <= until:
            yield ComingUpItem(ItemKind.COUNTERSIGNATURE,
                               f"{ref} v{version}: chase the provider's countersignature", due, due < today,
                               "agreement", aid.hex, f"countersign-{aid.hex}", provider)


def _cap_actions(session: Session, today: dt.date, until: dt.date) -> Iterable[ComingUpItem]:
    rows = session.execute(
        select(CapAction.id, CapAction.description, CapAction.due_date, Cap.id, Cap.ref, Provider.name)
        .join(Cap, Cap.id == CapAction.cap_id)
        .join(Provider, Provider.id == Cap.provider_id)
        .where(CapAction.status.not_in((CapActionStatus.COMPLETE, CapActionStatus.WAIVED)),
               CapAction.due_date <= until, Cap.status != CapStatus.CLOSED)
    )
    for action_id, description, due, cap_id, ref, provider in rows:
        text = " ".join(description.split())
        text = text if len(text) <= 70 else text[:69] + "…"
        yield ComingUpItem(ItemKind.CAP_ACTION, f"{ref}: {text}", due, due < today, "cap", cap_id.hex,
                           f"capaction-{action_id.hex}", provider)


def _cap_reviews(session: Session, today: dt.date, until: dt.date) -> Iterable[ComingUpItem]:
    rows = session.execute(
        select(CapReview.id, CapReview.review_date, Cap.id, Cap.ref, Provider.name)
        .join(Cap, Cap.id == CapReview.cap_id)
        .join(Provider, Provider.id == Cap.provider_id)
        .where(CapReview.held.is_(False), CapReview.review_date <= until, Cap.status != CapStatus.CLOSED)
    )
    for review_id, due, cap_id, ref, provider in rows:
        yield ComingUpItem(ItemKind.CAP_REVIEW, f"{ref}: CAP review", due, due < today, "cap", cap_id.hex,
                           f"capreview-{review_id.hex}", provider)


def _monitoring(session: Session, today: dt.date, days: int,
                intervals: MonitoringSettings) -> Iterable[ComingUpItem]:
    for review in due_reviews(session, today=today, intervals=intervals, within_days=days):
        last = f"last {review.last_review:%d/%m/%Y}" if review.last_review else "never reviewed"
        yield ComingUpItem(ItemKind.MONITORING_VISIT,
                           f"Monitoring visit due ({review.risk.value} risk, {last})",
                           review.due_on, review.overdue, "provider", review.provider_id.hex,
                           f"visit-{review.provider_id.hex}", review.provider_name)


_ITEM_KIND = {kind: ItemKind(kind.value) for kind in MilestoneKind}


def _milestones(session: Session, today: dt.date, until: dt.date) -> Iterable[ComingUpItem]:
    for m in caseload_milestones(session, today=today, until=until):
        yield ComingUpItem(_ITEM_KIND[m.kind], m.description, m.due_on, m.is_task and m.due_on < today,
                           m.entity, m.entity_ref, m.key, m.subject, m.name)


def coming_up(session: Session, *, today: dt.date, days: int, intervals: MonitoringSettings) -> list[ComingUpItem]:
    """Everything overdue or due from ``today`` to ``today + days``: overdue first, then by date."""
    if days < 0:
        raise ValidationError("The number of days to look ahead cannot be negative.", field="days")
    until = today + dt.timedelta(days=days)
    items: list[ComingUpItem] = []
    items.extend(_referral_responses(session, today, until))
    items.extend(_offers(session, today, until))
    items.extend(_countersignatures(session, today, until))
    items.extend(_cap_actions(session, today, until))
    items.extend(_cap_reviews(session, today, until))
    items.extend(_monitoring(session, today, days, intervals))
    items.extend(_milestones(session, today, until))
    items.sort(key=lambda i: (not i.overdue, i.due_on, i.kind, i.title))
    return items


# The reference a person knows each record by, for lists outside the app (CSV, the command line).
_RECORD_REFS = {
    "referral": (Referral, Referral.ref),
    "placement": (Placement, Placement.ref),
    "agreement": (Agreement, Agreement.ref),
    "cap": (Cap, Cap.ref),
    "provider": (Provider, Provider.ref),
    "child": (Child, Child.case_reference),
}


def record_references(session: Session, items: Iterable[ComingUpItem]) -> dict[tuple[str, str], str]:
    """(entity, id as stored) -> "Placement PLC-…", "Child C100", … for every item's record."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for item in items:
        if item.entity in _RECORD_REFS:
            wanted.setdefault(item.entity, set()).add(item.entity_id)
    found: dict[tuple[str, str], str] = {}
    for entity, ids in wanted.items():
        model, ref = _RECORD_REFS[entity]
        id_list = list(ids)
        for start in range(0, len(id_list), 500):
            for record_id, text in session.execute(select(model.id, ref).where(model.id.in_(id_list[start:start + 500]))):
                found[(entity, record_id.hex)] = f"{entity.capitalize()} {text}"
    return found
