"""Corrective action plans (CAPs): the issue, its actions, reviews and sanctions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.enums import (
    DONE_ACTION_STATUSES,
    CapActionStatus,
    CapApproach,
    CapOutcome,
    CapSeverity,
    CapSource,
    CapStatus,
    SanctionKind,
)
from placedesk.models.placement import Placement
from placedesk.models.provider import Provider


class Cap(Base, Record):
    """A corrective action plan for a provider, optionally about one placement."""

    __tablename__ = "cap"
    __table_args__ = (
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
        CheckConstraint("status != 'closed' OR outcome IS NOT NULL", name="closed_has_outcome"),
        Index("ix_cap_provider_status", "provider_id", "status"),
    )

    ref: Mapped[str] = mapped_column(String(32), unique=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    placement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("placement.id", ondelete="SET NULL"))
    source: Mapped[CapSource] = mapped_column(enum_column(CapSource, "cap_source"), default=CapSource.OTHER)
    # The visit, KPI value or inspection that prompted the plan, when there is one.
    source_id: Mapped[uuid.UUID | None]
    issue: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    approach: Mapped[CapApproach] = mapped_column(
        enum_column(CapApproach, "cap_approach"), default=CapApproach.DEVELOPMENTAL
    )
    severity: Mapped[CapSeverity] = mapped_column(enum_column(CapSeverity, "cap_severity"))
    status: Mapped[CapStatus] = mapped_column(enum_column(CapStatus, "cap_status"), default=CapStatus.OPEN)
    opened_on: Mapped[dt.date]
    # Gosling's factors that decide the approach, recorded with the plan.
    factor_seriousness: Mapped[str] = mapped_column(Text, default="")
    factor_risks: Mapped[str] = mapped_column(Text, default="")
    factor_contract_breached: Mapped[bool] = mapped_column(default=False)
    factor_relationship: Mapped[str] = mapped_column(Text, default="")
    factor_provider_response: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[CapOutcome | None] = mapped_column(enum_column(CapOutcome, "cap_outcome"))
    closed_on: Mapped[dt.date | None]
    closing_notes: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")

    provider: Mapped[Provider] = relationship()
    placement: Mapped[Placement | None] = relationship()
    actions: Mapped[list["CapAction"]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapAction.due_date"
    )
    reviews: Mapped[list["CapReview"]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapReview.review_date"
    )
    sanctions: Mapped[list["CapSanction"]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapSanction.imposed_on"
    )


class CapAction(Base, Record):
    """One action in a CAP; overdue when past its due date and not complete or waived."""

    __tablename__ = "cap_action"
    __table_args__ = (
        CheckConstraint("status != 'complete' OR completed_on IS NOT NULL", name="complete_has_date"),
        CheckConstraint("status != 'waived' OR waived_reason != ''", name="waived_has_reason"),
        Index("ix_cap_action_due", "status", "due_date"),
    )

    cap_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cap.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date]
    status: Mapped[CapActionStatus] = mapped_column(
        enum_column(CapActionStatus, "cap_action_status"), default=CapActionStatus.NOT_STARTED
    )
    completed_on: Mapped[dt.date | None]
    evidence: Mapped[str] = mapped_column(Text, default="")
    waived_reason: Mapped[str] = mapped_column(Text, default="")

    cap: Mapped[Cap] = relationship(back_populates="actions")

    def is_overdue(self, on: dt.date) -> bool:
        """Past due on ``on`` and neither complete nor waived (due today is not overdue)."""
        return self.status not in DONE_ACTION_STATUSES and self.due_date < on


class CapReview(Base, Record):
    """A scheduled review of a CAP, and what it found once held."""

    __tablename__ = "cap_review"

    cap_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cap.id", ondelete="CASCADE"), index=True)
    review_date: Mapped[dt.date]
    held: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")

    cap: Mapped[Cap] = relationship(back_populates="reviews")


class CapSanction(Base, Record):
    """A punitive measure under a CAP; a referral restriction holds until lifted."""

    __tablename__ = "cap_sanction"
    __table_args__ = (
        CheckConstraint("kind != 'fine' OR (amount_pence IS NOT NULL AND amount_pence > 0)", name="fine_has_amount"),
        CheckConstraint("lifted_on IS NULL OR lifted_on >= imposed_on", name="lifted_after_imposed"),
    )

    cap_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cap.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(enum_column(SanctionKind, "sanction_kind"))
    amount_pence: Mapped[int | None]
    imposed_on: Mapped[dt.date]
    lifted_on: Mapped[dt.date | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    cap: Mapped[Cap] = relationship(back_populates="sanctions")
