"""Children's outcome measures: WEMWBS, SWEMWBS and officer-defined star scales."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.child import Child
from placedesk.models.enums import OutcomeTool
from placedesk.models.placement import Placement


class StarScale(Base, Record):
    """An outcomes-star style scale: up to 10 named areas on a journey-of-change range."""

    __tablename__ = "star_scale"
    __table_args__ = (
        CheckConstraint("min_score < max_score", name="range_ordered"),
    )

    name: Mapped[str] = mapped_column(String(120), unique=True)
    areas: Mapped[list[str]] = mapped_column(default=list)
    min_score: Mapped[int] = mapped_column(default=1)
    max_score: Mapped[int] = mapped_column(default=10)


class OutcomeAssessment(Base, Record):
    """One reading of an outcome tool for a child, with every item score kept."""

    __tablename__ = "outcome_assessment"
    __table_args__ = (
        # The database enforces the published totals; services check every item.
        CheckConstraint(
            "(tool = 'wemwbs' AND total BETWEEN 14 AND 70)"
            " OR (tool = 'swemwbs' AND total BETWEEN 7 AND 35)"
            " OR (tool = 'star' AND star_scale_id IS NOT NULL)",
            name="total_in_range",
        ),
        Index("ix_outcome_assessment_child_date", "child_id", "assessed_on"),
    )

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    placement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("placement.id", ondelete="SET NULL"))
    tool: Mapped[OutcomeTool] = mapped_column(enum_column(OutcomeTool, "outcome_tool"))
    star_scale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("star_scale.id", ondelete="RESTRICT"))
    assessed_on: Mapped[dt.date]
    item_scores: Mapped[list[int]] = mapped_column(default=list)
    total: Mapped[int]
    # SWEMWBS metric score from the conversion table; None for other tools.
    metric_score: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")

    child: Mapped[Child] = relationship()
    placement: Mapped[Placement | None] = relationship()
    star_scale: Mapped[StarScale | None] = relationship()


__all__ = ["OutcomeAssessment", "StarScale"]
