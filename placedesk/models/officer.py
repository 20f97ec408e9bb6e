"""The officer profile: who signs agreements and whose name audit events carry."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from placedesk.models.base import Base, Record


class OfficerProfile(Base, Record):
    """A placement officer who has worked on this database (one per person)."""

    __tablename__ = "officer_profile"

    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="Placement Officer")
    local_authority: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    laptop_id: Mapped[str] = mapped_column(String(64), default="")
