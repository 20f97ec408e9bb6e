"""Funding shares: checking they make 100% and splitting a weekly fee to the penny.

Funding is by element: each fee line is funded either by one partner alone (an
education line by education) or shared by the agreed shares. A partner's
weekly amount is the lines it funds alone plus its part of the shared lines'
total, split by the rule below; the partners' amounts add up to the weekly fee.

The rounding rule (stated in the README and the IPA): each partner first gets
its share of the weekly total rounded down to the penny; the pence left over
go one at a time to the partners with the largest remainders, ties going to
the partner listed first (social care, education, health). The amounts then
add up to the weekly total exactly, and no partner is ever more than a penny
from its exact share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from placedesk.errors import ValidationError
from placedesk.models.enums import FeeLineKind, FundingPartner, LineFunding

if TYPE_CHECKING:
    from placedesk.models import Placement

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


def split_by_element(
    lines: Iterable[tuple[int, LineFunding]], shares_bp: Mapping[FundingPartner, int]
) -> dict[FundingPartner, int]:
    """Each partner's weekly pence for ``lines`` (weekly pence, who funds it).

    Every partner with an agreed share, or funding a line alone, has an entry.
    The shared lines are added up first and that total split once, so no
    partner is more than a penny from its exact share of them.
    """
    check_shares(shares_bp)
    shared = 0
    own: dict[FundingPartner, int] = {}
    for pence, funded_by in lines:
        if pence < 0:
            raise ValidationError("A weekly fee cannot be negative.")
        partner = LineFunding(funded_by).partner
        if partner is None:
            shared += pence
        else:
            own[partner] = own.get(partner, 0) + pence
    split = split_weekly(shared, shares_bp)
    order = list(FundingPartner)
    partners = sorted(set(split) | set(own), key=order.index)
    return {partner: split.get(partner, 0) + own.get(partner, 0) for partner in partners}


def default_line_funding(kind: FeeLineKind, partners: Iterable[FundingPartner]) -> LineFunding:
    """Who a line is first proposed to be funded by: in a placement funded by several partners
    an education or health line by that partner (when it has a share), anything else shared."""
    partners = set(partners)
    if len(partners) > 1:
        if kind is FeeLineKind.EDUCATION and FundingPartner.EDUCATION in partners:
            return LineFunding.EDUCATION
        if kind is FeeLineKind.HEALTH_THERAPY and FundingPartner.HEALTH in partners:
            return LineFunding.HEALTH
    return LineFunding.SHARED


def refresh_placement_funding(placement: "Placement") -> None:
    """Set each funding partner's weekly amount on ``placement`` from its fee lines.

    A partner funding a line alone without an agreed share gets a 0% share row,
    so every place that reads the partners' amounts (IPA, Award page, spend
    spreadsheets, dashboard) sees the same figures; a 0% row no longer needed
    is removed.
    """
    from placedesk.models import PlacementFundingShare

    shares = {s.partner: s.share_bp for s in placement.funding_shares if s.share_bp > 0}
    amounts = split_by_element(((line.weekly_amount_pence, line.funded_by) for line in placement.fee_lines), shares)
    existing = {s.partner: s for s in placement.funding_shares}
    for partner, share in existing.items():
        if partner not in amounts:
            placement.funding_shares.remove(share)
    for partner, pence in amounts.items():
        row = existing.get(partner)
        if row is None:
            placement.funding_shares.append(PlacementFundingShare(partner=partner, share_bp=0, weekly_amount_pence=pence))
        else:
            row.weekly_amount_pence = pence
