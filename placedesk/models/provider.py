"""Providers, their Ofsted inspections, and the postcode locations used for distance."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.enums import ContractRoute, OfstedJudgement, ProviderType, RiskLevel


class Provider(Base, Record):
    """A fostering agency, children's home or other service the LA buys from."""

    __tablename__ = "provider"
    __table_args__ = (
        CheckConstraint("places >= 0", name="places_not_negative"),
        CheckConstraint("vacancies >= 0 AND vacancies <= places", name="vacancies_within_places"),
        CheckConstraint(
            "weekly_rate_from_pence IS NULL OR weekly_rate_from_pence >= 0", name="rate_from_not_negative"
        ),
        CheckConstraint(
            "weekly_rate_to_pence IS NULL OR weekly_rate_from_pence IS NULL"
            " OR weekly_rate_to_pence >= weekly_rate_from_pence",
            name="rate_range_ordered",
        ),
        CheckConstraint(
            "suspended_until IS NULL OR suspended_from IS NULL OR suspended_until >= suspended_from",
            name="suspension_end_after_start",
        ),
        Index("ix_provider_name", "name"),
        Index("ix_provider_local_authority", "local_authority"),
        # Matching reads the providers of the types sought, and lists every other provider by
        # name as excluded: both through this index, without reading the wide rows of the rest.
        Index("ix_provider_type", "provider_type", "name", "ref", "id"),
    )

    ref: Mapped[str] = mapped_column(String(32), unique=True)
    # Ofsted's unique reference number; unique when present (NULLs are distinct in SQLite).
    urn: Mapped[str | None] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    provider_type: Mapped[ProviderType] = mapped_column(enum_column(ProviderType, "provider_type"))
    registration_status: Mapped[str] = mapped_column(String(64), default="Active")
    owner_organisation: Mapped[str] = mapped_column(String(300), default="")
    address_line1: Mapped[str] = mapped_column(String(300), default="")
    address_line2: Mapped[str] = mapped_column(String(300), default="")
    town: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    local_authority: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(32), default="Private")
    contract_route: Mapped[ContractRoute] = mapped_column(
        enum_column(ContractRoute, "contract_route"), default=ContractRoute.SPOT
    )
    framework_name: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    places: Mapped[int] = mapped_column(default=0)
    vacancies: Mapped[int] = mapped_column(default=0)
    # Codes from placedesk.models.vocab.CAPABILITIES this provider says it can meet.
    capabilities: Mapped[list[str]] = mapped_column(default=list)
    weekly_rate_from_pence: Mapped[int | None]
    weekly_rate_to_pence: Mapped[int | None]
    # The latest judgement, kept here so lists and matching need no join;
    # services refresh it whenever an inspection is recorded.
    ofsted_judgement: Mapped[OfstedJudgement] = mapped_column(
        enum_column(OfstedJudgement, "ofsted_judgement"), default=OfstedJudgement.NOT_YET_INSPECTED
    )
    last_inspection_date: Mapped[dt.date | None]
    # Administrative suspension of new referrals (separate from CAP sanctions).
    suspended: Mapped[bool] = mapped_column(default=False)
    suspension_reason: Mapped[str] = mapped_column(Text, default="")
    suspended_from: Mapped[dt.date | None]
    suspended_until: Mapped[dt.date | None]
    # Monitoring risk: computed by services; an officer override wins, with its reason.
    risk_level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_level"), default=RiskLevel.LOW)
    risk_override: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel, "risk_override"))
    risk_override_reason: Mapped[str] = mapped_column(Text, default="")
    # Column mapping for this provider's KPI returns (file column -> KPI code).
    kpi_import_mapping: Mapped[dict[str, str] | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(Text, default="")

    inspections: Mapped[list["Inspection"]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="Inspection.inspection_date"
    )

    @property
    def effective_risk(self) -> RiskLevel:
        """The risk level that drives monitoring: the override when set."""
        return self.risk_override or self.risk_level


class Inspection(Base, Record):
    """An Ofsted inspection and its overall judgement."""

    __tablename__ = "inspection"
    __table_args__ = (Index("ix_inspection_provider_date", "provider_id", "inspection_date"),)

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    inspection_date: Mapped[dt.date]
    judgement: Mapped[OfstedJudgement] = mapped_column(enum_column(OfstedJudgement, "judgement"))
    inspection_type: Mapped[str] = mapped_column(String(64), default="Full inspection")
    summary: Mapped[str] = mapped_column(Text, default="")

    provider: Mapped[Provider] = relationship(back_populates="inspections")


class PostcodeLocation(Base):
    """Where a postcode or outward code lies, imported once from a location table.

    Reference data rather than a domain record: no audit trail or versions.
    Keys are normalised: upper case, no spaces (``SW1A1AA`` or ``SW1A``).
    """

    __tablename__ = "postcode_location"
    __audited__ = False

    postcode: Mapped[str] = mapped_column(String(10), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
