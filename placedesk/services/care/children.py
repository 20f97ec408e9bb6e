"""Finding a child, and everything the officer holds about them, for the Children tab and the child's page.

The list searches by any part of the child's names, the known-as name, the case
reference or the date of birth (typed as officers write it, 17/05/2012, or ISO).
On screen the officer sees full names everywhere; initials are only for what
leaves the laptop (referral packs, pseudonymised extracts).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Select, String, cast, func, literal, select
from sqlalchemy.orm import Session

from placedesk.db.dialect import uk_date_text, whole_years_between
from placedesk.models import Agreement, Child, OutcomeAssessment, Placement, Provider, Referral
from placedesk.models.enums import OutcomeTool
from placedesk.services.common.listing import Column, ListSpec

# The full name as the officer reads it: "Ava Brown", or the case reference when SSDA903 gave no name.
FULL_NAME = func.trim(Child.first_name.concat(" ").concat(Child.last_name))


def child_list(today: dt.date) -> ListSpec:
    """Every child, found by any name part, known-as name, case reference or date of birth."""
    on = literal(today.isoformat())
    age_years = whole_years_between(on, Child.date_of_birth)
    current_provider = (
        select(Provider.name).join(Placement, Placement.provider_id == Provider.id)
        .where(Placement.child_id == Child.id, Placement.end_date.is_(None))
        .order_by(Placement.start_date.desc()).limit(1).scalar_subquery()
    )

    def base() -> Select[tuple[()]]:
        return select().select_from(Child)

    return ListSpec(
        name="children",
        id_expr=Child.id,
        columns=[
            Column("name", "Name", FULL_NAME),
            Column("known_as", "Known as", Child.known_as),
            Column("case_reference", "Case ref", Child.case_reference),
            Column("date_of_birth", "Date of birth", Child.date_of_birth, "date"),
            Column("age", "Age", age_years, "int"),
            Column("legal_status", "Legal status", Child.legal_status),
            # Worked out per row shown; sorting 20,000 children by it would cost a look-up each.
            Column("placed_with", "Placed with", current_provider, sortable=False),
            Column("social_worker", "Social worker", Child.social_worker_name),
        ],
        base=base,
        search=[Child.first_name, Child.last_name, Child.known_as, Child.case_reference,
                uk_date_text(Child.date_of_birth), cast(Child.date_of_birth, String)],
        default_sort="name",
    )


@dataclass(frozen=True)
class ReferralLine:
    id: uuid.UUID
    ref: str
    status: str
    referred_on: dt.date | None
    placement_type: str


@dataclass(frozen=True)
class PlacementLine:
    id: uuid.UUID
    ref: str
    provider: str
    start_date: dt.date
    end_date: dt.date | None


@dataclass(frozen=True)
class AgreementLine:
    placement_id: uuid.UUID
    ref: str
    version: int
    status: str
    issued_on: dt.date | None


@dataclass(frozen=True)
class OutcomeLine:
    assessed_on: dt.date
    tool: str
    score: str
    placement_ref: str


@dataclass
class ChildRecords:
    """The child's referrals, placements, IPAs and outcome readings, newest first."""

    referrals: list[ReferralLine] = field(default_factory=list)
    placements: list[PlacementLine] = field(default_factory=list)
    agreements: list[AgreementLine] = field(default_factory=list)
    outcomes: list[OutcomeLine] = field(default_factory=list)


def _score(reading: OutcomeAssessment) -> str:
    if reading.tool is OutcomeTool.SWEMWBS and reading.metric_score is not None:
        return f"{reading.total} (metric {reading.metric_score:.2f})"
    return str(reading.total)


def child_records(session: Session, child_id: uuid.UUID) -> ChildRecords:
    """Everything that concerns one child, for their page (one read per kind of record)."""
    records = ChildRecords()
    for referral in session.scalars(select(Referral).where(Referral.child_id == child_id)
                                    .order_by(Referral.created_at.desc())):
        records.referrals.append(ReferralLine(
            referral.id, referral.ref, referral.status.label, referral.referred_on,
            referral.placement_type.label if referral.placement_type else ""))
    placements = session.execute(
        select(Placement, Provider.name).join(Provider, Provider.id == Placement.provider_id)
        .where(Placement.child_id == child_id).order_by(Placement.start_date.desc())
    ).all()
    refs = {placement.id: placement.ref for placement, _ in placements}
    for placement, provider in placements:
        records.placements.append(PlacementLine(placement.id, placement.ref, provider, placement.start_date,
                                                placement.end_date))
    if refs:
        for agreement in session.scalars(select(Agreement).where(Agreement.placement_id.in_(list(refs)))
                                         .order_by(Agreement.created_at.desc())):
            records.agreements.append(AgreementLine(agreement.placement_id, agreement.ref, agreement.version_number,
                                                    agreement.status.label, agreement.issued_on))
    for reading in session.scalars(select(OutcomeAssessment).where(OutcomeAssessment.child_id == child_id)
                                   .order_by(OutcomeAssessment.assessed_on.desc())):
        records.outcomes.append(OutcomeLine(reading.assessed_on, reading.tool.label, _score(reading),
                                            refs.get(reading.placement_id, "") if reading.placement_id else ""))
    return records


def child_name(session: Session, child_id: uuid.UUID) -> str:
    """The child's full name as shown on screen (the case reference when no name is recorded)."""
    child = session.get(Child, child_id)
    if child is None:
        return ""
    return child.full_name or f"case reference {child.case_reference}"


def child_of(session: Session, entity: str, record_id: uuid.UUID) -> uuid.UUID | None:
    """The child a referral, placement, agreement or outcome reading concerns (None if unknown)."""
    if entity == "child":
        return record_id
    if entity == "referral":
        return session.scalar(select(Referral.child_id).where(Referral.id == record_id))
    if entity == "placement":
        return session.scalar(select(Placement.child_id).where(Placement.id == record_id))
    if entity == "agreement":
        return session.scalar(select(Placement.child_id).join(Agreement, Agreement.placement_id == Placement.id)
                              .where(Agreement.id == record_id))
    if entity == "outcome_assessment":
        return session.scalar(select(OutcomeAssessment.child_id).where(OutcomeAssessment.id == record_id))
    return None
