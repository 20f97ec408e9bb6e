"""Records of export bundles made and received, and conflicts awaiting a choice."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from placedesk.models.base import Base, Record, enum_column
from placedesk.models.enums import ConflictResolution, ExportStatus, SyncDirection


class SyncRecord(Base, Record):
    """One export bundle written or one bundle imported (its id makes imports idempotent)."""

    __tablename__ = "sync_record"

    direction: Mapped[SyncDirection] = mapped_column(enum_column(SyncDirection, "sync_direction"))
    bundle_id: Mapped[str] = mapped_column(String(64), index=True)
    laptop_id: Mapped[str] = mapped_column(String(64), default="")
    officer: Mapped[str] = mapped_column(String(200), default="")
    path: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus, "export_status"))
    since: Mapped[dt.datetime | None]
    record_count: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[dt.datetime | None]
    # For an imported bundle: when the other laptop made it. Its records are known
    # to match that laptop's state as of this time, which is what conflict checks compare with.
    bundle_created_at: Mapped[dt.datetime | None]
    # Exports: "share" for bundles sent through the outbox, "folder" for ones written where the
    # officer chose. Each continues from the last export of its own kind, so a bundle handed
    # over on a memory stick never leaves a gap in what colleagues receive through the share.
    channel: Mapped[str] = mapped_column(String(16), default="folder")
    # For an imported bundle: the SHA-256 fingerprint of the certificate that signed it.
    signer_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)


class SyncConflict(Base, Record):
    """The same record changed on two laptops since they last synced: both kept until chosen."""

    __tablename__ = "sync_conflict"

    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID]
    bundle_id: Mapped[str] = mapped_column(String(64))
    local_data: Mapped[dict[str, Any]]
    remote_data: Mapped[dict[str, Any]]
    resolution: Mapped[ConflictResolution | None] = mapped_column(
        enum_column(ConflictResolution, "conflict_resolution")
    )
    resolved_by: Mapped[str] = mapped_column(String(200), default="")
    resolved_at: Mapped[dt.datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
