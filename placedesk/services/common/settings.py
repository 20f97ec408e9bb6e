"""Checking and applying what the officer types in the settings dialog, and what actions need of the profile.

Anything that prints the council's identity for someone outside it (a referral
pack, an agreement) needs the council's name, the officer's name and a way to
reply (email or phone); anything that changes records needs the officer's name,
which the audit trail records. The team server's address is checked here too
(:mod:`placedesk.services.common.team_server`); its password is never a setting.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from placedesk.config import OfficerSettings, Settings
from placedesk.errors import PROFILE_HOW_TO, Problems, ProfileIncomplete, ValidationError
from placedesk.services.common.team_server import TeamServerInput, check_team_server

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,}[0-9]$")



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
    phone: str = ""
    # The Team server fields; None keeps the saved ones (forms without them, like the profile command).
    team_server: TeamServerInput | None = None
    use_team_server: bool = False


def _whole(text: str, field: str, label: str, low: int, high: int) -> int:
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError(f"{label} must be a whole number from {low} to {high}.", field)
    return int(value)


def check_folder(text: str, field: str) -> str:
    """A folder that exists and this laptop can write to (a file is made and removed to be sure)."""
    folder = Path(text.strip()).expanduser()
    if not folder.is_absolute():
        raise ValidationError(f"Give the whole path of the folder (like {Path.home() / 'Shared'}), or use Browse.",
                              field)
    if not folder.exists():
        raise ValidationError(f"The folder {folder} does not exist (or the drive is not connected): create it "
                              "or choose another with Browse.", field)
    if not folder.is_dir():
        raise ValidationError(f"{folder} is a file, not a folder: choose a folder with Browse.", field)
    try:
        handle, probe = tempfile.mkstemp(prefix=".placedesk-check-", dir=folder)
        os.close(handle)
        os.remove(probe)
    except OSError as exc:
        raise ValidationError(f"PlaceDesk cannot write to {folder} ({exc.strerror or exc}): ask IT for write "
                              "access, or choose another folder.", field) from None
    return str(folder)


def apply_settings(current: Settings, form: SettingsInput) -> Settings:
    """A new Settings with the form applied; raises ValidationError listing every field to fix."""
    problems = Problems()
    if not form.name.strip():
        problems.add("Enter your name: it is printed on agreements you sign.", "name")
    if form.email.strip() and not _EMAIL.match(form.email.strip()):
        problems.add("The email address does not look right (name@council.gov.uk).", "email")
    if form.phone.strip() and not _PHONE.match(form.phone.strip()):
        problems.add("The phone number should be digits, spaces and brackets (01632 960 123).", "phone")
    shared_folder = ""
    if form.shared_folder.strip():
        with problems.check():
            shared_folder = check_folder(form.shared_folder, "shared_folder")
    low = medium = high = backup_keep = coming_up_days = 0
    with problems.check():
        low = _whole(form.low_days, "low_days", "Days between reviews for low risk", 7, 1095)
    with problems.check():
        medium = _whole(form.medium_days, "medium_days", "Days between reviews for medium risk", 7, 1095)
    with problems.check():
        high = _whole(form.high_days, "high_days", "Days between reviews for high risk", 7, 1095)
    if high and medium and low and not high <= medium <= low:
        problems.add("Higher risk must be reviewed at least as often as lower risk (high ≤ medium ≤ low days).",
                     "high_days")
    with problems.check():
        backup_keep = _whole(form.backup_keep, "backup_keep", "Backups to keep", 1, 365)
    with problems.check():
        coming_up_days = _whole(form.coming_up_days, "coming_up_days", "Days ahead in Coming up", 1, 365)
    team_server = current.team_server
    if form.team_server is not None:
        with problems.check():
            team_server = check_team_server(form.team_server, use=form.use_team_server)
    problems.raise_any()
    updated = copy.deepcopy(current)
    updated.team_server = copy.deepcopy(team_server)
    updated.officer.name = form.name.strip()
    updated.officer.role = form.role.strip()
    updated.officer.local_authority = form.local_authority.strip()
    updated.officer.la_address = form.la_address.strip()
    updated.officer.email = form.email.strip()
    updated.officer.phone = form.phone.strip()
    updated.shared_folder = shared_folder
    updated.monitoring.low_days, updated.monitoring.medium_days, updated.monitoring.high_days = low, medium, high
    updated.backup_keep = backup_keep
    updated.coming_up_days = coming_up_days
    return updated


def update_profile(current: Settings, **fields: str) -> Settings:
    """A new Settings with the named officer fields replaced, checked as the dialog checks them."""
    officer = current.officer
    merged = {key: getattr(officer, key) for key in ("name", "role", "local_authority", "la_address", "email",
                                                      "phone")}
    unknown = set(fields) - set(merged)
    if unknown:
        raise ValidationError(f"Unknown profile field: {', '.join(sorted(unknown))}.")
    merged.update(fields)
    m = current.monitoring
    form = SettingsInput(shared_folder=current.shared_folder, low_days=str(m.low_days),
                         medium_days=str(m.medium_days), high_days=str(m.high_days),
                         backup_keep=str(current.backup_keep), coming_up_days=str(current.coming_up_days), **merged)
    return apply_settings(current, form)


def missing_for_packs(officer: OfficerSettings) -> tuple[str, ...]:
    """What the profile lacks before the council's identity can be printed for a provider."""
    missing = []
    if not officer.local_authority.strip():
        missing.append("council name")
    if not officer.name.strip():
        missing.append("officer name")
    if not officer.email.strip() and not officer.phone.strip():
        missing.append("contact email or phone")
    return tuple(missing)


def require_pack_profile(officer: OfficerSettings, what: str) -> None:
    """Refuse ``what`` (e.g. "Sending a referral") until the profile names the council and a contact."""
    missing = missing_for_packs(officer)
    if missing:
        raise ProfileIncomplete(
            f"{what} needs your officer profile: fill in the {_listed(missing)}, so the provider knows who "
            f"it is from and how to reply. {PROFILE_HOW_TO}", missing)


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
