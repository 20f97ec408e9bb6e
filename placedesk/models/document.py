"""Stored documents: the PDFs PlaceDesk makes, kept inside the database file.

Keeping the bytes in SQLite means a backup or an export bundle carries every
agreement version with it, and ``placedesk check`` can prove each still
matches the SHA-256 recorded when it was made.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from placedesk.models.base import Base, Record


class StoredDocument(Base, Record):
    """A generated or received file (IPA, referral pack, report) with its hash."""

    __tablename__ = "stored_document"

    filename: Mapped[str] = mapped_column(String(260))
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    # "ipa", "referral_pack", "cap_report", "provider_report", ...
    kind: Mapped[str] = mapped_column(String(32), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    # Deferred so listing documents never drags their bytes into memory.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
