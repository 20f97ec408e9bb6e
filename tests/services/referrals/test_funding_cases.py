"""Funding shares: each refusal's words, the limits that are allowed, and the leftover pence worked by hand."""

from __future__ import annotations

import pytest

from placedesk.errors import ValidationError
from placedesk.models.enums import FundingPartner as P
from placedesk.services.referrals.funding import check_shares, split_weekly


@pytest.mark.parametrize(("shares", "message"), [
    ({P.SOCIAL_CARE: 9999}, "Funding shares add up to 99.99%; they must add up to 100%."),
    ({P.SOCIAL_CARE: 6000, P.HEALTH: 5000}, "Funding shares add up to 110%; they must add up to 100%."),
    ({P.SOCIAL_CARE: 10001, P.EDUCATION: -1}, "The social care share must be between 0% and 100%."),
    ({P.SOCIAL_CARE: 10000, P.EDUCATION: -1}, "The education share must be between 0% and 100%."),
    ({}, "Add at least one funding partner with its share."),
])
def test_each_refusal_says_what_to_fix(shares: dict[P, int], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_shares(shares)
    assert str(err.value) == message and err.value.field == "funding"


def test_a_partner_may_pay_all_or_nothing() -> None:
    check_shares({P.HEALTH: 10000, P.EDUCATION: 0})
    assert split_weekly(123456, {P.HEALTH: 10000, P.EDUCATION: 0}) == {P.EDUCATION: 0, P.HEALTH: 123456}


def test_a_negative_weekly_total_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        split_weekly(-1, {P.SOCIAL_CARE: 10000})
    assert str(err.value) == "The weekly total cannot be negative."
    assert split_weekly(0, {P.SOCIAL_CARE: 5000, P.HEALTH: 5000}) == {P.SOCIAL_CARE: 0, P.HEALTH: 0}


def test_the_leftover_pence_go_to_the_largest_remainders_first() -> None:
    # £10.02 at 20 / 30 / 50: exact shares 200.4, 300.6 and 501; floors 200 + 300 + 501 = 1001, one penny
    # left, and it goes to education (remainder 0.6), not to social care, listed first (0.4).
    assert split_weekly(1002, {P.SOCIAL_CARE: 2000, P.EDUCATION: 3000, P.HEALTH: 5000}) == {
        P.SOCIAL_CARE: 200, P.EDUCATION: 301, P.HEALTH: 501}
    # £0.02 in thirds-ish (3334 / 3333 / 3333): exact 0.6668, 0.6666, 0.6666; floors all 0, two pence left:
    # social care (largest remainder), then education (tie with health, listed first).
    assert split_weekly(2, {P.HEALTH: 3333, P.EDUCATION: 3333, P.SOCIAL_CARE: 3334}) == {
        P.SOCIAL_CARE: 1, P.EDUCATION: 1, P.HEALTH: 0}


def test_the_split_lists_partners_in_the_agreed_order() -> None:
    # Social care, education, health: the order the IPA and the spreadsheets show them in.
    split = split_weekly(90000, {P.HEALTH: 2000, P.EDUCATION: 3000, P.SOCIAL_CARE: 5000})
    assert list(split.items()) == [(P.SOCIAL_CARE, 45000), (P.EDUCATION, 27000), (P.HEALTH, 18000)]
