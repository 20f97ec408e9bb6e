"""Which providers may not receive new referrals today, and why.

Two sources: an administrative suspension on the provider record, and a CAP
sanction restricting referrals or suspending the provider from the framework
that has been imposed and not yet lifted. The matcher excludes both, and the
reason is shown to the officer.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from placedesk.models import Cap, CapSanction, Provider
from placedesk.models.enums import SanctionKind
from placedesk.services.parsing import format_date

BLOCKING_SANCTIONS = (SanctionKind.RESTRICT_REFERRALS, SanctionKind.FRAMEWORK_SUSPENSION)


def is_suspended_on(provider: Provider, today: dt.date) -> bool:
    """An administrative suspension in force on ``today``."""
    if not provider.suspended:
        return False
    if provider.suspended_from and provider.suspended_from > today:
        return False
    return not (provider.suspended_until and provider.suspended_until < today)


def active_restrictions(session: Session, today: dt.date) -> dict[uuid.UUID, str]:
    """Provider id -> the reason it is closed to new referrals on ``today``."""
    reasons: dict[uuid.UUID, str] = {}
    suspended = session.scalars(select(Provider).where(Provider.suspended.is_(True)))
    for provider in suspended:
        if is_suspended_on(provider, today):
            reason = provider.suspension_reason or "no reason recorded"
            until = f" until {format_date(provider.suspended_until)}" if provider.suspended_until else ""
            reasons[provider.id] = f"Suspended from new referrals{until}: {reason}"
    rows = session.execute(
        select(Cap.provider_id, Cap.ref, CapSanction.kind, CapSanction.imposed_on)
        .join(CapSanction, CapSanction.cap_id == Cap.id)
        .where(
            CapSanction.kind.in_(BLOCKING_SANCTIONS),
            CapSanction.imposed_on <= today,
            or_(CapSanction.lifted_on.is_(None), CapSanction.lifted_on > today),
        )
        .order_by(CapSanction.imposed_on)
    )
    for provider_id, cap_ref, kind, imposed_on in rows:
        reasons.setdefault(
            provider_id, f"{kind.label} under {cap_ref} since {format_date(imposed_on)}"
        )
    return reasons
