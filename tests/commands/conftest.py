"""Command-line tests run as an officer whose profile is complete (changes and exports need it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from placedesk.config import OfficerSettings, Settings, save_settings

PROFILE = OfficerSettings(name="Casey Officer", local_authority="Northshire County Council",
                          email="casey@northshire.example.gov.uk")


@pytest.fixture(autouse=True)
def officer_profile(placedesk_home: Path) -> Settings:
    """Save a settings file with a full officer profile in the test's own user folder."""
    settings = Settings(officer=OfficerSettings(**vars(PROFILE)))
    save_settings(settings)
    return settings
