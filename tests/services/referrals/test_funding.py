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
