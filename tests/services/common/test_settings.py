"""Checking the settings form: clear messages naming the field, nothing half-applied."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from placedesk.config import Settings
from placedesk.errors import ValidationError
from placedesk.services.common.settings import SettingsInput, apply_settings

GOOD = SettingsInput(name="Sam Lee", role="Placement Officer", local_authority="Northshire", la_address="1 High St",
                     email="sam.lee@northshire.gov.uk", shared_folder="", low_days="365",
                     medium_days="180", high_days="90", backup_keep="10", coming_up_days="28")


def test_good_form_is_applied_to_a_copy(tmp_path: Path) -> None:
    current = Settings()
    updated = apply_settings(current, dataclasses.replace(GOOD, shared_folder=str(tmp_path)))
    assert updated.officer.name == "Sam Lee" and updated.shared_folder == str(tmp_path)
    assert current.officer.name == ""


def test_a_shared_folder_that_is_missing_or_a_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "not-there"
    with pytest.raises(ValidationError, match="does not exist") as info:
        apply_settings(Settings(), dataclasses.replace(GOOD, shared_folder=str(missing)))
    assert info.value.field == "shared_folder"
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ValidationError, match="is a file, not a folder"):
        apply_settings(Settings(), dataclasses.replace(GOOD, shared_folder=str(tmp_path / "a-file")))
    with pytest.raises(ValidationError, match="whole path"):
        apply_settings(Settings(), dataclasses.replace(GOOD, shared_folder="share"))
    assert list(tmp_path.iterdir()) == [tmp_path / "a-file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(ValidationError, match="cannot write"):
        apply_settings(Settings(), dataclasses.replace(GOOD, shared_folder=str(locked)))


def test_every_problem_is_reported_at_once() -> None:
    form = dataclasses.replace(GOOD, name="", email="nope", backup_keep="0", shared_folder="")
    with pytest.raises(ValidationError) as info:
        apply_settings(Settings(), form)
    assert [field for field, _ in info.value.problems] == ["name", "email", "backup_keep"]


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
