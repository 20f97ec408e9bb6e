"""Strict parsing of what officers type: dates, postcodes, money and percentages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placedesk.errors import ValidationError
from placedesk.services.common.parsing import (
    format_date,
    format_money,
    format_percent,
    normalise_postcode,
    outward_code,
    parse_date,
    parse_money,
    parse_percent,
    postcode_area,
)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_round_trip_in_both_forms(day: dt.date) -> None:
    assert parse_date(format_date(day)) == day
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize("text", ["31/02/2024", "2024-13-01", "1/1/24", "tomorrow", "", "01-02-2024", "31/12/1850"])
def test_bad_dates_say_how_to_type_them(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(text, "start")
    assert info.value.field == "start"


@given(st.text(max_size=12))
def test_date_parser_never_crashes(text: str) -> None:
    try:
        parse_date(text)
    except ValidationError:
        pass


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("sw1a1aa", "SW1A 1AA"), (" M1  1AE ", "M1 1AE"), ("B33 8TH", "B33 8TH"), ("cr26xh", "CR2 6XH")],
)
def test_postcodes_normalise(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["SW1A", "12345", "ZZZ 999", "", "SW1A 1A"])
def test_bad_postcodes_are_rejected(typed: str) -> None:
    with pytest.raises(ValidationError, match="postcode"):
        normalise_postcode(typed)


def test_outward_code_and_area() -> None:
    assert outward_code("SW1A 1AA") == "SW1A"
    assert outward_code("le1") == "LE1"
    assert postcode_area("LE1 5WW") == "LE"
    assert postcode_area("B33 8TH") == "B"


@given(st.integers(min_value=0, max_value=10_000_000_00))
def test_money_round_trips(pence: int) -> None:
    assert parse_money(format_money(pence)) == pence


@pytest.mark.parametrize(("typed", "pence"), [("1250", 125000), ("1,250.5", 125050), ("£3,000.00", 300000), ("0.01", 1)])
def test_money_parses(typed: str, pence: int) -> None:
    assert parse_money(typed) == pence


@pytest.mark.parametrize("typed", ["-5", "12.345", "1,25", "£", "ten pounds", "1e5", "20000000"])
def test_bad_money_is_rejected(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_money(typed)


@given(st.integers(min_value=0, max_value=10000))
def test_percent_round_trips(bp: int) -> None:
    assert parse_percent(format_percent(bp)) == bp


@pytest.mark.parametrize("typed", ["101", "50.123", "-1", "half", ""])
def test_bad_percent_is_rejected(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_percent(typed)


def test_a_share_shows_only_the_decimals_it_needs() -> None:
    assert [format_percent(bp) for bp in (5000, 3333, 6050, 1205, 1)] == ["50%", "33.33%", "60.5%", "12.05%", "0.01%"]
