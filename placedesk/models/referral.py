"""Referrals: what is sought for a child, who it went to, and what they offered."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.child import Child
from placedesk.models.enums import (
    DeclineReason,
    FeeLineKind,
    FundingPartner,
    OfferStatus,
    PlacementType,
    RecipientResponse,
    ReferralStatus,
    Urgency,
)
from placedesk.models.provider import Provider


class Referral(Base, Record):
    """A request for a placement for one child, moved through ``ReferralStatus``."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint("budget_ceiling_pence IS NULL OR budget_ceiling_pence >= 0", name="budget_not_negative"),
        CheckConstraint("max_distance_km IS NULL OR max_distance_km > 0", name="distance_positive"),
        CheckConstraint("wizard_step >= 0 AND wizard_step <= 6", name="wizard_step_in_range"),
        Index("ix_referral_status", "status"),
        # A child's referrals, for the child's page (and the foreign key: deleting a child checks them).
        Index("ix_referral_child", "child_id"),
    )

    ref: Mapped[str] = mapped_column(String(32), unique=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child.id", ondelete="RESTRICT"))
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus, "referral_status"), default=ReferralStatus.DRAFT
    )
    # The wizard page the officer last had open, so a draft resumes where it was left.
    wizard_step: Mapped[int] = mapped_column(default=0)
    referred_on: Mapped[dt.date | None]
    legal_status: Mapped[str] = mapped_column(String(4), default="")
    placement_type: Mapped[PlacementType | None] = mapped_column(enum_column(PlacementType, "placement_type"))
    needs: Mapped[list[str]] = mapped_column(default=list)
    risks: Mapped[list[str]] = mapped_column(default=list)
    needs_summary: Mapped[str] = mapped_column(Text, default="")
    risks_summary: Mapped[str] = mapped_column(Text, default="")
    education_summary: Mapped[str] = mapped_column(Text, default="")
    health_summary: Mapped[str] = mapped_column(Text, default="")
    identity_summary: Mapped[str] = mapped_column(Text, default="")
    # The furthest a placement may be: providers beyond it are excluded from matching.
    max_distance_km: Mapped[float | None]
    # The distance the officer would like to stay within: it scores, never excludes.
    preferred_distance_km: Mapped[float | None]
    location_notes: Mapped[str] = mapped_column(Text, default="")
    school_postcode: Mapped[str] = mapped_column(String(10), default="")
    family_contact_notes: Mapped[str] = mapped_column(Text, default="")
    required_start_date: Mapped[dt.date | None]
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"), default=Urgency.PLANNED)
    # Weekly budget ceiling, integer pence.
    budget_ceiling_pence: Mapped[int | None]
    response_by: Mapped[dt.date | None]
    # Why a spot provider was chosen over framework ones, when it was.
    spot_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")

    child: Mapped[Child] = relationship()
    funding_shares: Mapped[list["ReferralFundingShare"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )
    recipients: Mapped[list["ReferralRecipient"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )


class ReferralFundingShare(Base, Record):
    """A funding partner's share of the cost, in basis points (10000 = 100%)."""

    __tablename__ = "referral_funding_share"
    __table_args__ = (
        CheckConstraint("share_bp >= 0 AND share_bp <= 10000", name="share_in_range"),
        UniqueConstraint("referral_id", "partner"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    partner: Mapped[FundingPartner] = mapped_column(enum_column(FundingPartner, "funding_partner"))
    share_bp: Mapped[int]

    referral: Mapped[Referral] = relationship(back_populates="funding_shares")


class ReferralRecipient(Base, Record):
    """A provider a referral pack went to, and how it responded."""

    __tablename__ = "referral_recipient"
    __table_args__ = (UniqueConstraint("referral_id", "provider_id"),)

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"), index=True)
    sent_on: Mapped[dt.date | None]
    # SHA-256 of the referral pack PDF that was sent.
    pack_sha256: Mapped[str] = mapped_column(String(64), default="")
    response: Mapped[RecipientResponse] = mapped_column(
        enum_column(RecipientResponse, "recipient_response"), default=RecipientResponse.AWAITING
    )
    responded_on: Mapped[dt.date | None]
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason, "decline_reason"))
    decline_notes: Mapped[str] = mapped_column(Text, default="")
    # Score and reasons from the shortlist when the provider was chosen, kept to defend it.
    match_score: Mapped[float | None]
    match_reasons: Mapped[list[str]] = mapped_column(default=list)

    referral: Mapped[Referral] = relationship(back_populates="recipients")
    provider: Mapped[Provider] = relationship()
    offers: Mapped[list["Offer"]] = relationship(back_populates="recipient", cascade="all, delete-orphan")


class Offer(Base, Record):
    """A provider's offer in answer to a referral."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR received_on IS NULL OR expires_on >= received_on", name="expiry_after_receipt"),
    )

    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral_recipient.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[dt.date | None]
    proposed_start_date: Mapped[dt.date | None]
    expires_on: Mapped[dt.date | None]
    conditions: Mapped[str] = mapped_column(Text, default="")
    # How the provider says it will meet each of the referral's needs and risks (code -> words);
    # carried into the agreement's care arrangements when this offer is awarded.
    needs_met: Mapped[dict[str, str]] = mapped_column(default=dict, server_default="{}")
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus, "offer_status"), default=OfferStatus.OPEN)

    recipient: Mapped[ReferralRecipient] = relationship(back_populates="offers")
    fee_lines: Mapped[list["OfferFeeLine"]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferFeeLine.position"
    )

    @property
    def weekly_total_pence(self) -> int:
        return sum(line.weekly_amount_pence for line in self.fee_lines)


class OfferFeeLine(Base, Record):
    """One named weekly line of an offer's fee."""

    __tablename__ = "offer_fee_line"
    __table_args__ = (CheckConstraint("weekly_amount_pence >= 0", name="amount_not_negative"),)

    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[FeeLineKind] = mapped_column(enum_column(FeeLineKind, "fee_line_kind"))
    description: Mapped[str] = mapped_column(String(300), default="")
    weekly_amount_pence: Mapped[int]

    offer: Mapped[Offer] = relationship(back_populates="fee_lines")


__all__ = [
    "Offer",
    "OfferFeeLine",
    "Referral",
    "ReferralFundingShare",
    "ReferralRecipient",
]
