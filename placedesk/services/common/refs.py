"""Human references for records officers quote: REF-7F3A-0042, PLC-..., CAP-..., PRV-...

The middle part is this laptop's id, so two officers working offline never
hand out the same reference and export bundles merge without clashes.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

PREFIXES = {"referral": "REF", "placement": "PLC", "cap": "CAP", "provider": "PRV"}


def next_ref(session: Session, column: InstrumentedAttribute[str], prefix: str, laptop_id: str) -> str:
    """The next free reference ``PREFIX-LAPTOP-NNNN`` for the given ``ref`` column."""
    laptop = re.sub(r"[^A-Z0-9]", "", laptop_id.upper())[:4] or "LOCAL"
    stem = f"{prefix}-{laptop}-"
    existing = session.scalars(select(column).where(column.like(f"{stem}%"))).all()
    numbers = [int(ref[len(stem):]) for ref in existing if ref[len(stem):].isdigit()]
    return f"{stem}{(max(numbers) + 1 if numbers else 1):04d}"
