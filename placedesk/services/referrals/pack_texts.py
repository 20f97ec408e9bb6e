"""The free text a referral pack prints, as the officer typed it and as it will go: what redaction removed.

The Send page lists each field with every removed identifier highlighted, and
the officer may rewrite a field before anything is sent. An edit replaces the
referral's field (audited like any change); the pack is then made from it and
redacted again, so an identifier typed into an edit is still removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Referral
from placedesk.models.enums import ReferralStatus
from placedesk.services.referrals.intake import PACK_TEXT_FIELDS
from placedesk.services.referrals.redaction import Redacted, Redactor, identifiers_of

# Packs may still go to more providers until an offer is awarded.
_SENDABLE = (ReferralStatus.DRAFT, ReferralStatus.READY, ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED)
MAX_LENGTH = 4000


@dataclass(frozen=True)
class PackText:
    """One free-text field of the pack: its name, what was typed, and what the pack prints."""

    field: str
    label: str
    typed: str
    redacted: Redacted


def pack_texts(session: Session, referral: Referral) -> list[PackText]:
    """Every non-empty free-text field of the referral's packs, in the order the pack prints them."""
    redactor = Redactor(identifiers_of(referral.child))
    out = []
    for field, label in PACK_TEXT_FIELDS:
        typed = getattr(referral, field) or ""
        if typed.strip():
            out.append(PackText(field, label, typed, redactor.redact(typed)))
    return out


def edit_pack_texts(session: Session, referral: Referral, texts: Mapping[str, str]) -> list[str]:
    """Replace the named free-text fields with the officer's edits; returns the fields that changed."""
    if referral.status not in _SENDABLE:
        raise WorkflowError(f"Referral {referral.ref} is {referral.status.label.lower()}: its packs can no longer "
                            "be changed.")
    known = dict(PACK_TEXT_FIELDS)
    changed = []
    for field, text in texts.items():
        if field not in known:
            raise ValidationError(f"{field!r} is not a free-text field of the referral pack.", field)
        value = text.strip()
        if len(value) > MAX_LENGTH:
            raise ValidationError(f"{known[field]} is longer than {MAX_LENGTH} characters: shorten it.", field)
        if value != (getattr(referral, field) or ""):
            setattr(referral, field, value)
            changed.append(field)
    session.flush()
    return changed


__all__ = ["MAX_LENGTH", "PackText", "edit_pack_texts", "pack_texts"]
