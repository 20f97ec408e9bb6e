"""Pseudonyms: stable per installation, different between installations, and age bands at the edges."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placedesk.config import data_dir
from placedesk.errors import PlaceDeskError
from placedesk.services.sync.pseudonyms import (
    AGE_BANDS,
    age_band,
    installation_secret,
    pseudonym,
    secret_path,
)


def test_the_secret_is_made_once_in_the_data_folder_readable_by_the_user_only() -> None:
    first = installation_secret()
    assert secret_path().parent == data_dir()
    assert stat.S_IMODE(secret_path().stat().st_mode) == 0o600
    assert installation_secret() == first and len(first) == 32


def test_a_damaged_secret_is_reported_not_silently_replaced() -> None:
    installation_secret()
    secret_path().write_bytes(b"short")
    with pytest.raises(PlaceDeskError, match="damaged"):
        installation_secret()


def test_pseudonyms_are_stable_ignore_spacing_and_case_and_differ_by_installation(tmp_path: Path) -> None:
    mine = installation_secret()
    theirs = installation_secret(tmp_path / "other")
    a = pseudonym(mine, "child", "CASE-00042")
    assert a == pseudonym(mine, "child", "  case-00042 ")
    assert a.startswith("CHILD-") and len(a) == len("CHILD-") + 8
    assert a != pseudonym(theirs, "child", "CASE-00042")
    assert a != pseudonym(mine, "case", "CASE-00042").replace("CASE", "CHILD")
    assert pseudonym(mine, "child", "") == ""


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_a_pseudonym_never_contains_the_value_it_hides(value: str) -> None:
    code = pseudonym(b"k" * 32, "case", value).split("-", 1)[1]
    assert len(code) == 8 and (value.strip().casefold() not in code.casefold() or len(value.strip()) <= 3)


@pytest.mark.parametrize("born, on, band", [
    (dt.date(2026, 1, 1), dt.date(2026, 6, 1), "Under 1"),
    (dt.date(2010, 6, 2), dt.date(2026, 6, 1), "10 to 15"),
    (dt.date(2010, 6, 1), dt.date(2026, 6, 1), "16 to 17"),
    (dt.date(2008, 6, 1), dt.date(2026, 6, 1), "18 to 20"),
    (dt.date(1990, 1, 1), dt.date(2026, 6, 1), "25 and over"),
    (None, dt.date(2026, 6, 1), ""),
])
def test_age_bands_change_on_the_birthday(born: dt.date | None, on: dt.date, band: str) -> None:
    assert age_band(born, on) == band


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 1, 1)))
def test_every_date_of_birth_falls_in_a_known_band(born: dt.date) -> None:
    assert age_band(born, dt.date(2030, 1, 1)) in {label for _, _, label in AGE_BANDS}
