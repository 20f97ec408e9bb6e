"""Funding shares must make 100%, and split a weekly fee exactly to the penny."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placedesk.errors import ValidationError
from placedesk.models.enums import FundingPartner as P
from placedesk.services.referrals.funding import check_shares, split_weekly


def test_three_way_thirds_give_the_odd_penny_to_social_care() -> None:
    # £1,000.00 a week at 33.34 / 33.33 / 33.33.
    assert split_weekly(100000, {P.SOCIAL_CARE: 3334, P.EDUCATION: 3333, P.HEALTH: 3333}) == {
        P.SOCIAL_CARE: 33340, P.EDUCATION: 33330, P.HEALTH: 33330,
    }


def test_largest_remainder_gets_the_leftover_penny() -> None:
    # £100.01 split 50/50: 5000.5 each; the tie goes to the partner listed first.
    assert split_weekly(10001, {P.HEALTH: 5000, P.SOCIAL_CARE: 5000}) == {P.SOCIAL_CARE: 5001, P.HEALTH: 5000}


@pytest.mark.parametrize("shares", [{P.SOCIAL_CARE: 9999}, {P.SOCIAL_CARE: 6000, P.HEALTH: 5000}, {}])
def test_shares_not_making_100_percent_are_rejected(shares: dict[P, int]) -> None:
    with pytest.raises(ValidationError, match="100%|funding partner"):
        check_shares(shares)


@st.composite
def shares(draw: st.DrawFn) -> dict[P, int]:
    partners = draw(st.lists(st.sampled_from(list(P)), min_size=1, max_size=3, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=len(partners) - 1, max_size=len(partners) - 1)))
    bounds = [0, *cuts, 10000]
    return {p: bounds[i + 1] - bounds[i] for i, p in enumerate(partners)}


@given(st.integers(min_value=0, max_value=5_000_000), shares())
def test_split_sums_exactly_and_each_is_within_a_penny(total: int, split: dict[P, int]) -> None:
    amounts = split_weekly(total, split)
    assert sum(amounts.values()) == total
    for partner, bp in split.items():
        assert abs(amounts[partner] * 10000 - total * bp) < 10000


# --- funding by element -------------------------------------------------------------------

from placedesk.models.enums import LineFunding as F  # noqa: E402
from placedesk.services.referrals.funding import split_by_element  # noqa: E402


def test_an_education_line_is_paid_by_education_alone_not_by_its_share_of_the_whole() -> None:
    # Core £3,250.00 shared 64/36 and an education line £650.50 funded by education alone.
    # Shared: 325000 x 0.64 = 208000 and 325000 x 0.36 = 117000 exactly; education adds its 65050.
    amounts = split_by_element([(325000, F.SHARED), (65050, F.EDUCATION)], {P.SOCIAL_CARE: 6400, P.EDUCATION: 3600})
    assert amounts == {P.SOCIAL_CARE: 208000, P.EDUCATION: 117000 + 65050}


def test_every_line_shared_is_the_old_split_of_the_whole_fee() -> None:
    # What migrated placements have: all lines shared. £4,820.50 at 70/30 = 3374.35 / 1446.15 exactly.
    assert split_by_element([(450000, F.SHARED), (32050, F.SHARED)], {P.SOCIAL_CARE: 7000, P.EDUCATION: 3000}) == \
        {P.SOCIAL_CARE: 337435, P.EDUCATION: 144615}


def test_shared_lines_are_added_up_before_the_split_so_pennies_do_not_pile_up() -> None:
    # Two shared lines of 1p at 50/50: split line by line each would give social care both pennies
    # (ties to the first partner); split as one 2p total each partner gets 1p.
    assert split_by_element([(1, F.SHARED), (1, F.SHARED)], {P.SOCIAL_CARE: 5000, P.HEALTH: 5000}) == \
        {P.SOCIAL_CARE: 1, P.HEALTH: 1}


@pytest.mark.parametrize(("shared", "expected"), [
    # Shared total 3p at 33.34/33.33/33.33: floors 1.0002, 0.9999, 0.9999 -> 1, 0, 0; two leftover pennies go to
    # the largest remainders (education and health, 0.9999 each), so 1/1/1.
    (3, {P.SOCIAL_CARE: 1, P.EDUCATION: 1, P.HEALTH: 1}),
    # 1p: floors 0.3334, 0.3333, 0.3333 -> 0/0/0; the penny goes to the largest remainder, social care.
    (1, {P.SOCIAL_CARE: 1, P.EDUCATION: 0, P.HEALTH: 0}),
    # 2p: 0.6668, 0.6666, 0.6666 -> pennies to social care, then education (tie with health, listed first).
    (2, {P.SOCIAL_CARE: 1, P.EDUCATION: 1, P.HEALTH: 0}),
    # Nothing shared: every partner 0 from the shares.
    (0, {P.SOCIAL_CARE: 0, P.EDUCATION: 0, P.HEALTH: 0}),
])
def test_rounding_edges_of_the_shared_part_then_own_lines_added(shared: int, expected: dict[P, int]) -> None:
    thirds = {P.SOCIAL_CARE: 3334, P.EDUCATION: 3333, P.HEALTH: 3333}
    lines = [(shared, F.SHARED), (10000, F.HEALTH), (99, F.EDUCATION)]
    assert split_by_element(lines, thirds) == {
        P.SOCIAL_CARE: expected[P.SOCIAL_CARE],
        P.EDUCATION: expected[P.EDUCATION] + 99,
        P.HEALTH: expected[P.HEALTH] + 10000,
    }


def test_a_partner_with_no_share_that_funds_a_line_appears_with_just_that_line() -> None:
    assert split_by_element([(100000, F.SHARED), (65050, F.HEALTH)], {P.SOCIAL_CARE: 10000}) == \
        {P.SOCIAL_CARE: 100000, P.HEALTH: 65050}


def test_the_shares_must_still_make_100_percent() -> None:
    with pytest.raises(ValidationError, match="100%"):
        split_by_element([(100, F.EDUCATION)], {P.SOCIAL_CARE: 5000})


@given(st.lists(st.tuples(st.integers(0, 2_000_000), st.sampled_from(list(F))), min_size=1, max_size=8), shares())
def test_partners_amounts_always_add_up_to_the_weekly_fee(lines: list[tuple[int, F]], split: dict[P, int]) -> None:
    amounts = split_by_element(lines, split)
    assert sum(amounts.values()) == sum(pence for pence, _ in lines)
    for pence, funded_by in lines:
        if funded_by.partner is not None:
            assert amounts[funded_by.partner] >= pence


def test_a_partner_no_longer_funding_any_line_loses_its_0_percent_row() -> None:
    from placedesk.models import Placement, PlacementFeeLine, PlacementFundingShare
    from placedesk.models.enums import FeeLineKind, FundingPartner, LineFunding
    from placedesk.services.referrals.funding import refresh_placement_funding

    # Social care agreed 100% of the shared lines; education funds the £500 education line alone.
    placement = Placement(ref="PLC-F")
    placement.fee_lines += [
        PlacementFeeLine(kind=FeeLineKind.CORE, weekly_amount_pence=350000, funded_by=LineFunding.SHARED),
        PlacementFeeLine(kind=FeeLineKind.EDUCATION, weekly_amount_pence=50000, funded_by=LineFunding.EDUCATION)]
    placement.funding_shares.append(PlacementFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=10000,
                                                          weekly_amount_pence=0))
    refresh_placement_funding(placement)
    assert sorted((s.partner.value, s.share_bp, s.weekly_amount_pence) for s in placement.funding_shares) == [
        ("education", 0, 50000), ("social_care", 10000, 350000)]
    # The education line is now shared: education funds nothing, so its 0% row goes.
    placement.fee_lines[1].funded_by = LineFunding.SHARED
    refresh_placement_funding(placement)
    assert [(s.partner.value, s.share_bp, s.weekly_amount_pence) for s in placement.funding_shares] == [
        ("social_care", 10000, 400000)]


def test_a_one_basis_point_share_still_funds_its_penny_share() -> None:
    from placedesk.models import Placement, PlacementFeeLine, PlacementFundingShare
    from placedesk.models.enums import FeeLineKind, FundingPartner, LineFunding
    from placedesk.services.referrals.funding import refresh_placement_funding

    # £1,000.00 a week shared 99.99% / 0.01%: 99,990p and 10p.
    placement = Placement(ref="PLC-G")
    placement.fee_lines.append(PlacementFeeLine(kind=FeeLineKind.CORE, weekly_amount_pence=100000,
                                                funded_by=LineFunding.SHARED))
    placement.funding_shares += [
        PlacementFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=9999, weekly_amount_pence=0),
        PlacementFundingShare(partner=FundingPartner.HEALTH, share_bp=1, weekly_amount_pence=0)]
    refresh_placement_funding(placement)
    assert sorted((s.partner.value, s.weekly_amount_pence) for s in placement.funding_shares) == [
        ("health", 10), ("social_care", 99990)]


def test_a_negative_weekly_fee_is_refused_saying_so() -> None:
    from placedesk.errors import ValidationError
    from placedesk.models.enums import FundingPartner, LineFunding
    from placedesk.services.referrals.funding import split_by_element

    with pytest.raises(ValidationError) as err:
        split_by_element([(-100, LineFunding.SHARED)], {FundingPartner.SOCIAL_CARE: 10000})
    assert str(err.value) == "A weekly fee cannot be negative."


def test_partners_come_in_the_frameworks_order_whoever_funds_what() -> None:
    # The shares editor and the offers comparison list partners in this order: social care, education, health.
    from placedesk.models.enums import FundingPartner, LineFunding
    from placedesk.services.referrals.funding import split_by_element

    got = split_by_element([(20000, LineFunding.HEALTH), (10000, LineFunding.EDUCATION), (30000, LineFunding.SHARED)],
                           {FundingPartner.SOCIAL_CARE: 10000})
    assert list(got.items()) == [(FundingPartner.SOCIAL_CARE, 30000), (FundingPartner.EDUCATION, 10000),
                                 (FundingPartner.HEALTH, 20000)]
