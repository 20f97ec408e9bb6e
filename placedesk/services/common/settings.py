"""Checking and applying what the officer types in the settings dialog."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from placedesk.config import Settings
from placedesk.errors import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SettingsInput:
    """The settings form as typed (text), before checking."""

    name: str
    role: str
    local_authority: str
    la_address: str
    email: str
    shared_folder: str
    low_days: str
    medium_days: str
    high_days: str
    backup_keep: str
    coming_up_days: str


def _whole(text: str, field: str, label: str, low: int, high: int) -> int:
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError(f"{label} must be a whole number from {low} to {high}.", field)
    return int(value)


def apply_settings(current: Settings, form: SettingsInput) -> Settings:
    """A new Settings with the form applied; raises ValidationError naming the field to fix."""
    if not form.name.strip():
        raise ValidationError("Enter your name: it is printed on agreements you sign.", "name")
    if form.email.strip() and not _EMAIL.match(form.email.strip()):
        raise ValidationError("The email address does not look right (name@council.gov.uk).", "email")
    low = _whole(form.low_days, "low_days", "Days between reviews for low risk", 7, 1095)
    medium = _whole(form.medium_days, "medium_days", "Days between reviews for medium risk", 7, 1095)
    high = _whole(form.high_days, "high_days", "Days between reviews for high risk", 7, 1095)
    if not high <= medium <= low:
        raise ValidationError("Higher risk must be reviewed at least as often as lower risk "
                              "(high ≤ medium ≤ low days).", "high_days")
    updated = copy.deepcopy(current)
    updated.officer.name = form.name.strip()
    updated.officer.role = form.role.strip()
    updated.officer.local_authority = form.local_authority.strip()
    updated.officer.la_address = form.la_address.strip()
    updated.officer.email = form.email.strip()
    updated.shared_folder = form.shared_folder.strip()
    updated.monitoring.low_days, updated.monitoring.medium_days, updated.monitoring.high_days = low, medium, high
    updated.backup_keep = _whole(form.backup_keep, "backup_keep", "Backups to keep", 1, 365)
    updated.coming_up_days = _whole(form.coming_up_days, "coming_up_days", "Days ahead in Coming up", 1, 365)
    return updated
