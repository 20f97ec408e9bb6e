"""Which providers may not receive new referrals today, and why.

Two sources: an administrative suspension on the provider record, and a CAP
sanction restricting referrals or suspending the provider from the framework
that has been imposed and not yet lifted. The matcher excludes both, and the
reason is shown to the officer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from placedesk.models import Cap, CapSanction, Provider
from placedesk.models.enums import SanctionKind
from placedesk.services.common.parsing import format_date

BLOCKING_SANCTIONS = (SanctionKind.RESTRICT_REFERRALS, SanctionKind.FRAMEWORK_SUSPENSION)


def _suspension_in_force(suspended: bool, starts: dt.date | None, ends: dt.date | None, today: dt.date) -> bool:
    if not suspended:
        return False
    if starts and starts > today:
        return False
    return not (ends and ends < today)


def active_restrictions(session: Session, today: dt.date,
                        provider_ids: Collection[uuid.UUID] | None = None) -> dict[uuid.UUID, str]:
    """Provider id -> the reason it is closed to new referrals on ``today``.

    With ``provider_ids``, only those providers are looked at: a save that checks
    the two or three providers just chosen need not read every suspension.
    """
    reasons: dict[uuid.UUID, str] = {}
    # Plain columns, not Provider objects: this runs inside page changes and the matcher.
    suspended = (select(Provider.id, Provider.suspended_from, Provider.suspended_until, Provider.suspension_reason)
                 .where(Provider.suspended.is_(True)))
    sanctions = (
        select(Cap.provider_id, Cap.ref, CapSanction.kind, CapSanction.imposed_on)
        .join(CapSanction, CapSanction.cap_id == Cap.id)
        .where(
            CapSanction.kind.in_(BLOCKING_SANCTIONS),
            CapSanction.imposed_on <= today,
            or_(CapSanction.lifted_on.is_(None), CapSanction.lifted_on > today),
        )
        .order_by(CapSanction.imposed_on)
    )
    if provider_ids is not None:
        wanted = list(provider_ids)
        suspended = suspended.where(Provider.id.in_(wanted))
        sanctions = sanctions.where(Cap.provider_id.in_(wanted))
    for provider_id, starts, ends, why in session.execute(suspended):
        if _suspension_in_force(True, starts, ends, today):
            until = f" until {format_date(ends)}" if ends else ""
            reasons[provider_id] = f"Suspended from new referrals{until}: {why or 'no reason recorded'}"
    for provider_id, cap_ref, kind, imposed_on in session.execute(sanctions):
        reasons.setdefault(
            provider_id, f"{kind.label} under {cap_ref} since {format_date(imposed_on)}"
        )
    return reasons
