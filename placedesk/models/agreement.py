"""Individual Placement Agreements: one row per version, with signature state."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.document import StoredDocument
from placedesk.models.enums import AgreementStatus
from placedesk.models.placement import Placement


class Agreement(Base, Record):
    """One version of a placement's IPA; a new version supersedes the last."""

    __tablename__ = "agreement"
    __table_args__ = (
        UniqueConstraint("placement_id", "version_number"),
        CheckConstraint("version_number >= 1", name="version_number_positive"),
        CheckConstraint("notice_period_days >= 0", name="notice_not_negative"),
    )

    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    # "IPA-<placement ref>"; printed in every page footer with the version.
    ref: Mapped[str] = mapped_column(String(48))
    version_number: Mapped[int] = mapped_column(default=1)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus, "agreement_status"), default=AgreementStatus.DRAFT
    )
    issued_on: Mapped[dt.date | None]
    review_dates: Mapped[list[str]] = mapped_column(default=list)
    payment_terms: Mapped[str] = mapped_column(Text, default="")
    notice_period_days: Mapped[int] = mapped_column(default=28)
    special_conditions: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[list[str]] = mapped_column(default=list)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    # The care arrangements printed in the IPA: key contacts, needs and risks with how the
    # provider meets each, education, health, family time, delegated authority
    # (placedesk.services.agreements.arrangements reads and writes it).
    arrangements: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agreement.id", ondelete="SET NULL"))
    # The three states of the PDF: as generated, as signed by the officer, as countersigned.
    unsigned_document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stored_document.id"))
    officer_signed_document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stored_document.id"))
    countersigned_document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stored_document.id"))
    officer_signer: Mapped[str] = mapped_column(String(200), default="")
    officer_signed_at: Mapped[dt.datetime | None]
    countersigner_name: Mapped[str] = mapped_column(String(300), default="")
    countersigned_at: Mapped[dt.datetime | None]
    countersigner_certificate_subject: Mapped[str] = mapped_column(Text, default="")
    countersigner_certificate_issuer: Mapped[str] = mapped_column(Text, default="")
    countersigner_certificate_serial: Mapped[str] = mapped_column(String(100), default="")
    countersigner_certificate_sha256: Mapped[str] = mapped_column(String(64), default="")

    placement: Mapped[Placement] = relationship()
    supersedes: Mapped["Agreement | None"] = relationship(remote_side="Agreement.id")
    unsigned_document: Mapped[StoredDocument | None] = relationship(foreign_keys=[unsigned_document_id])
    officer_signed_document: Mapped[StoredDocument | None] = relationship(foreign_keys=[officer_signed_document_id])
    countersigned_document: Mapped[StoredDocument | None] = relationship(foreign_keys=[countersigned_document_id])
