"""Keeping the PDFs PlaceDesk makes inside the database, each with its SHA-256.

One place for it, so every stored document (agreements, referral packs,
reports) is hashed the same way ``placedesk check`` verifies it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from placedesk.models import StoredDocument


def store_document(session: Session, filename: str, content: bytes, kind: str,
                   media_type: str = "application/pdf") -> StoredDocument:
    """Add ``content`` as a stored document of ``kind`` and flush it (the caller commits)."""
    document = StoredDocument(filename=filename, media_type=media_type, kind=kind,
                              sha256=hashlib.sha256(content).hexdigest(), size=len(content), content=content)
    session.add(document)
    session.flush()
    return document
