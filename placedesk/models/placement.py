"""Placements: the awarded arrangement, its agreed fee lines and funding split."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.child import Child
from placedesk.models.enums import AwardReason, FeeLineKind, FundingPartner, LineFunding, PlacementType
from placedesk.models.provider import Provider
from placedesk.models.referral import Offer, Referral


class Placement(Base, Record):
    """A child placed (or about to be placed) with a provider under an award."""

    __tablename__ = "placement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint(
            "planned_end_date IS NULL OR planned_end_date >= start_date", name="planned_end_after_start"
        ),
        Index("ix_placement_provider", "provider_id", "end_date"),
        Index("ix_placement_child", "child_id"),
        # Open placements are a small part of a large file, read in full by the officer's week
        # (monitoring due, reviews and planned ends): this index holds every column those
        # reads need, so they never touch the wide rows. end_date is listed so SQLite treats
        # the index as covering. A team server's indexes are partial the same way: naming
        # PostgreSQL here would load its whole dialect (40 ms) into every command on a laptop,
        # so placedesk.db.postgres copies the condition over when a server is opened.
        Index("ix_placement_open", "provider_id", "start_date", "child_id", "id", "ref", "planned_end_date",
              "review_date", "end_date", sqlite_where=text("end_date IS NULL")),
        # Placements with an end date (ended, or ending soon), by that date.
        Index("ix_placement_end_date", "end_date", sqlite_where=text("end_date IS NOT NULL")),
    )

    ref: Mapped[str] = mapped_column(String(32), unique=True)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child.id", ondelete="RESTRICT"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offer.id", ondelete="SET NULL"))
    placement_type: Mapped[PlacementType] = mapped_column(enum_column(PlacementType, "placement_type"))
    # Home or carer address where the child lives (may differ from the provider's office).
    placement_address: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date]
    planned_end_date: Mapped[dt.date | None]
    review_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    end_reason: Mapped[str] = mapped_column(Text, default="")
    award_reason: Mapped[AwardReason | None] = mapped_column(enum_column(AwardReason, "award_reason"))
    award_justification: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    approved_on: Mapped[dt.date | None]

    referral: Mapped[Referral | None] = relationship()
    child: Mapped[Child] = relationship()
    provider: Mapped[Provider] = relationship()
    offer: Mapped[Offer | None] = relationship()
    fee_lines: Mapped[list["PlacementFeeLine"]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="PlacementFeeLine.position"
    )
    funding_shares: Mapped[list["PlacementFundingShare"]] = relationship(
        back_populates="placement", cascade="all, delete-orphan"
    )

    @property
    def weekly_total_pence(self) -> int:
        return sum(line.weekly_amount_pence for line in self.fee_lines)

    @property
    def is_active(self) -> bool:
        return self.end_date is None


class PlacementFeeLine(Base, Record):
    """One agreed weekly fee line (may differ from the offer after negotiation)."""

    __tablename__ = "placement_fee_line"
    __table_args__ = (CheckConstraint("weekly_amount_pence >= 0", name="amount_not_negative"),)

    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[FeeLineKind] = mapped_column(enum_column(FeeLineKind, "fee_line_kind"))
    description: Mapped[str] = mapped_column(String(300), default="")
    weekly_amount_pence: Mapped[int]
    # Funded by one partner alone (an education line by education, say) or shared by the
    # placement's agreed funding shares; lines from before funding by element are shared.
    funded_by: Mapped[LineFunding] = mapped_column(
        enum_column(LineFunding, "line_funding"), default=LineFunding.SHARED, server_default="shared"
    )

    placement: Mapped[Placement] = relationship(back_populates="fee_lines")


class PlacementFundingShare(Base, Record):
    """A funding partner's agreed share and the weekly pence it pays.

    ``weekly_amount_pence`` is the partner's whole weekly amount: the lines it funds alone plus
    its share of the shared lines (see placedesk.services.referrals.funding). A partner funding
    only its own lines has a row with a 0% share.
    """

    __tablename__ = "placement_funding_share"
    __table_args__ = (
        CheckConstraint("share_bp >= 0 AND share_bp <= 10000", name="share_in_range"),
        CheckConstraint("weekly_amount_pence >= 0", name="amount_not_negative"),
        UniqueConstraint("placement_id", "partner"),
    )

    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    partner: Mapped[FundingPartner] = mapped_column(enum_column(FundingPartner, "funding_partner"))
    share_bp: Mapped[int]
    weekly_amount_pence: Mapped[int]

    placement: Mapped[Placement] = relationship(back_populates="funding_shares")
