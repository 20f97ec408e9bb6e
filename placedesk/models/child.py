"""Children and their care history periods (which drive leaving-care status)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record


class Child(Base, Record):
    """A looked-after child or young person referred for a placement."""

    __tablename__ = "child"
    __table_args__ = (
        Index("ix_child_last_name", "last_name"),
        # Coming up reads only the children whose age can bring a leaving-care milestone or an
        # 18th birthday into its window: a range of dates of birth.
        Index("ix_child_date_of_birth", "date_of_birth"),
    )

    # The case-management system's reference; SSDA903's CHILD id matches it.
    case_reference: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    known_as: Mapped[str] = mapped_column(String(120), default="")
    date_of_birth: Mapped[dt.date]
    gender: Mapped[str] = mapped_column(String(40), default="")
    ethnicity: Mapped[str] = mapped_column(String(80), default="")
    religion: Mapped[str] = mapped_column(String(80), default="")
    language: Mapped[str] = mapped_column(String(80), default="English")
    home_local_authority: Mapped[str] = mapped_column(String(120), default="")
    home_postcode: Mapped[str] = mapped_column(String(10), default="")
    # Current legal status as an SSDA903 code (C1, C2, V2, ...).
    legal_status: Mapped[str] = mapped_column(String(4), default="")
    social_worker_name: Mapped[str] = mapped_column(String(200), default="")
    social_worker_email: Mapped[str] = mapped_column(String(320), default="")
    social_worker_phone: Mapped[str] = mapped_column(String(40), default="")
    has_ehcp: Mapped[bool] = mapped_column(default=False)
    ehcp_review_date: Mapped[dt.date | None]
    pathway_plan_date: Mapped[dt.date | None]
    # Where the young person is expected to go at 18 (adult services, staying put, ...).
    transition_plan: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    care_periods: Mapped[list["CarePeriod"]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="CarePeriod.start_date"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self) -> str:
        return "".join(part[:1].upper() for part in (self.first_name, self.last_name) if part)


class CarePeriod(Base, Record):
    """One episode of care: dates, legal status and placement codes (SSDA903)."""

    __tablename__ = "care_period"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        # A child's care history from the index alone, in order (Coming up reads thousands of children's).
        Index("ix_care_period_history", "child_id", "start_date", "end_date", "legal_status"),
        # Who is in care now: Coming up passes over children in care with nothing due. Partial on a
        # team server too: placedesk.db.postgres copies the condition (naming PostgreSQL here would
        # load its dialect into every command on a laptop).
        Index("ix_care_period_open", "child_id", sqlite_where=text("end_date IS NULL")),
    )

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    start_date: Mapped[dt.date]
    # Open while the episode continues (SSDA903 DEC blank).
    end_date: Mapped[dt.date | None]
    legal_status: Mapped[str] = mapped_column(String(4))
    placement_code: Mapped[str] = mapped_column(String(4), default="")
    reason_new_episode: Mapped[str] = mapped_column(String(4), default="")
    reason_ended: Mapped[str] = mapped_column(String(4), default="")
    category_of_need: Mapped[str] = mapped_column(String(4), default="")
    place_provider: Mapped[str] = mapped_column(String(4), default="")
    urn: Mapped[str] = mapped_column(String(16), default="")
    # "ssda903" for imported episodes, "manual" for ones the officer typed.
    source: Mapped[str] = mapped_column(String(16), default="manual")

    child: Mapped[Child] = relationship(back_populates="care_periods")
