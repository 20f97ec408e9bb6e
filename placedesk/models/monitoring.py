"""Contract monitoring records: KPI definitions and values, and quality visits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.enums import KpiDirection, KpiKind, KpiScope, VisitRating, VisitType
from placedesk.models.placement import Placement
from placedesk.models.provider import Provider


class KpiDefinition(Base, Record):
    """A measure with a target; RAG is computed from a value, never typed.

    For higher-is-better: green at or above ``target``, amber at or above
    ``amber_threshold``, red below. Lower-is-better mirrors it.
    """

    __tablename__ = "kpi_definition"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[KpiKind] = mapped_column(enum_column(KpiKind, "kpi_kind"))
    unit: Mapped[str] = mapped_column(String(40), default="%")
    direction: Mapped[KpiDirection] = mapped_column(enum_column(KpiDirection, "kpi_direction"))
    target: Mapped[float] = mapped_column(Float)
    amber_threshold: Mapped[float] = mapped_column(Float)
    scope: Mapped[KpiScope] = mapped_column(enum_column(KpiScope, "kpi_scope"), default=KpiScope.PROVIDER)
    active: Mapped[bool] = mapped_column(default=True)


class KpiValue(Base, Record):
    """A KPI's value for one provider (and placement, when per placement) in one period."""

    __tablename__ = "kpi_value"
    __table_args__ = (
        Index("ix_kpi_value_provider_definition_period", "provider_id", "definition_id", "period_start"),
        # Covering: the dashboard reads a whole month's values from the index alone, in order, rather
        # than one table page per value (which, on an encrypted file, is one page to decrypt per value).
        Index("ix_kpi_value_period", "period_start", "provider_id", "definition_id", "value"),
    )

    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kpi_definition.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    placement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    # First day of the period (a month) the value covers.
    period_start: Mapped[dt.date]
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    # "manual", "grid", "import:<file name>", "demo"
    source: Mapped[str] = mapped_column(String(120), default="manual")

    definition: Mapped[KpiDefinition] = relationship()
    provider: Mapped[Provider] = relationship()
    placement: Mapped[Placement | None] = relationship()


class MonitoringVisit(Base, Record):
    """A quality visit, desk review or Reg 44 report, with the officer's rating."""

    __tablename__ = "monitoring_visit"
    __table_args__ = (Index("ix_monitoring_visit_provider_date", "provider_id", "visit_date"),)

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    placement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("placement.id", ondelete="SET NULL"))
    visit_date: Mapped[dt.date]
    visit_type: Mapped[VisitType] = mapped_column(enum_column(VisitType, "visit_type"))
    officer: Mapped[str] = mapped_column(String(200), default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[VisitRating | None] = mapped_column(enum_column(VisitRating, "visit_rating"))

    provider: Mapped[Provider] = relationship()
    placement: Mapped[Placement | None] = relationship()


__all__ = ["KpiDefinition", "KpiValue", "MonitoringVisit"]
