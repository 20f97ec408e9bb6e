"""Funding shares: checking they make 100% and splitting a weekly fee to the penny.

The rounding rule (stated in the README and the IPA): each partner first gets
its share of the weekly total rounded down to the penny; the pence left over
go one at a time to the partners with the largest remainders, ties going to
the partner listed first (social care, education, health). The amounts then
add up to the weekly total exactly, and no partner is ever more than a penny
from its exact share.
"""

from __future__ import annotations

from collections.abc import Mapping

from placedesk.errors import ValidationError
from placedesk.models.enums import FundingPartner

FULL_SHARE_BP = 10000


def check_shares(shares_bp: Mapping[FundingPartner, int]) -> None:
    """Raise unless the shares are each 0-100% and add up to exactly 100%."""
    if not shares_bp:
        raise ValidationError("Add at least one funding partner with its share.", "funding")
    for partner, bp in shares_bp.items():
        if not 0 <= bp <= FULL_SHARE_BP:
            raise ValidationError(f"The {partner.label.lower()} share must be between 0% and 100%.", "funding")
    total = sum(shares_bp.values())
    if total != FULL_SHARE_BP:
        from placedesk.services.common.parsing import format_percent

        raise ValidationError(
            f"Funding shares add up to {format_percent(total)}; they must add up to 100%.", "funding"
        )


def split_weekly(total_pence: int, shares_bp: Mapping[FundingPartner, int]) -> dict[FundingPartner, int]:
    """Each partner's weekly pence; the amounts sum to ``total_pence`` exactly."""
    check_shares(shares_bp)
    if total_pence < 0:
        raise ValidationError("The weekly total cannot be negative.")
    order = list(FundingPartner)
    partners = sorted(shares_bp, key=order.index)
    floors: dict[FundingPartner, int] = {}
    remainders: list[tuple[int, int, FundingPartner]] = []
    for partner in partners:
        exact = total_pence * shares_bp[partner]
        floors[partner], remainder = divmod(exact, FULL_SHARE_BP)
        remainders.append((-remainder, order.index(partner), partner))
    leftover = total_pence - sum(floors.values())
    for _, _, partner in sorted(remainders)[:leftover]:
        floors[partner] += 1
    return floors
