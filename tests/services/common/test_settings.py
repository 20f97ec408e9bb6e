"""Checking the settings form: clear messages naming the field, nothing half-applied."""

from __future__ import annotations

import dataclasses

import pytest

from placedesk.config import Settings
from placedesk.errors import ValidationError
from placedesk.services.common.settings import SettingsInput, apply_settings

GOOD = SettingsInput(name="Sam Lee", role="Placement Officer", local_authority="Northshire", la_address="1 High St",
                     email="sam.lee@northshire.gov.uk", shared_folder="/mnt/share", low_days="365",
                     medium_days="180", high_days="90", backup_keep="10", coming_up_days="28")


def test_good_form_is_applied_to_a_copy() -> None:
    current = Settings()
    updated = apply_settings(current, GOOD)
    assert updated.officer.name == "Sam Lee" and updated.shared_folder == "/mnt/share"
    assert current.officer.name == ""


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", " ", "Enter your name"),
    ("email", "sam at council", "email address"),
    ("high_days", "0", "from 7 to 1095"),
    ("medium_days", "ninety", "whole number"),
    ("high_days", "200", "high ≤ medium ≤ low"),
    ("backup_keep", "0", "Backups to keep"),
    ("phone", "call me", "phone number"),
])
def test_bad_field_is_named(field: str, value: str, message: str) -> None:
    form = dataclasses.replace(GOOD, **{field: value})
    with pytest.raises(ValidationError, match=message) as info:
        apply_settings(Settings(), form)
    assert info.value.field == field


def test_packs_need_the_council_the_officer_and_an_email_or_a_phone() -> None:
    from placedesk.config import OfficerSettings
    from placedesk.services.common.settings import missing_for_packs

    assert missing_for_packs(OfficerSettings()) == ("council name", "officer name", "contact email or phone")
    assert missing_for_packs(OfficerSettings(name="Sam", local_authority="Northshire", phone="0114 273 4567")) == ()
    updated = apply_settings(Settings(), dataclasses.replace(GOOD, email="", phone="+44 114 273 4567"))
    assert updated.officer.phone == "+44 114 273 4567" and missing_for_packs(updated.officer) == ()
