"""Declarative base, shared column types and the mixin every domain record carries.

Every record has a UUID primary key (stable across export bundles), UTC
``created_at``/``updated_at`` and a row ``version`` that the audit hook in
:mod:`placedesk.models.audit` bumps on each change; sync uses it to detect
conflicts.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, Integer, MetaData, TypeDecorator, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints let Alembic batch mode drop and recreate them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (what every stored time is)."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as naive UTC and hands them back aware.

    SQLite has no time zones; without this a value read back would silently
    lose its offset and compare wrongly with ``utcnow()``.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A string column limited to an enum's values by a named CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        length=32,
    )


class Base(DeclarativeBase):
    """Base of every PlaceDesk table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[str]: JSON(),
        list[int]: JSON(),
    }


class Record:
    """Columns every domain record carries (see DESIGN.md)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Tables whose changes are not worth an audit event (the audit table itself).
    __audited__: bool = True

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # Every UPDATE/DELETE says "WHERE version = <as loaded>", so one that finds the row changed by
        # another connection meanwhile changes nothing (placedesk.models.concurrency). The audit hook
        # sets the new version itself, hence no generator.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}
