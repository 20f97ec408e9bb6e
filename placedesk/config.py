"""Paths and settings: where the officer's data lives and how PlaceDesk is set up.

The real database lives in the user data folder (platformdirs). Setting
``PLACEDESK_HOME`` puts every folder under one directory instead; tests use it
so they never touch a real profile.

Settings are a TOML file. Missing keys take defaults; a broken file is
reported and left untouched, and the app runs on defaults.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placedesk.fileio import atomic_write_bytes

APP_NAME = "PlaceDesk"


def _home_override() -> Path | None:
    value = os.environ.get("PLACEDESK_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    """Folder for the database, backups, signing identity and outbox."""
    override = _home_override()
    if override:
        return override / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_NAME)


def config_dir() -> Path:
    """Folder for ``settings.toml``."""
    override = _home_override()
    if override:
        return override / "config"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, APP_NAME)


def default_db_path() -> Path:
    return data_dir() / "placedesk.sqlite"


def backups_dir() -> Path:
    return data_dir() / "backups"


def outbox_dir() -> Path:
    return data_dir() / "outbox"


def settings_path() -> Path:
    return config_dir() / "settings.toml"


@dataclass
class OfficerSettings:
    """The officer profile printed on agreements and carried by audit events."""

    name: str = ""
    role: str = "Placement Officer"
    local_authority: str = ""
    la_address: str = ""
    email: str = ""
    # A provider replying to a pack needs a way back: an email or a phone number.
    phone: str = ""


@dataclass
class MonitoringSettings:
    """Days between reviews or visits, by provider risk level (DOMAIN.md: proportionate)."""

    low_days: int = 365
    medium_days: int = 180
    high_days: int = 90

    def interval_for(self, risk: str) -> int:
        return {"low": self.low_days, "medium": self.medium_days, "high": self.high_days}[str(risk)]


@dataclass
class TeamServerSettings:
    """Where the team's PostgreSQL server is, and who this officer logs in as. Never a password."""

    host: str = ""
    port: int = 5432
    database: str = "placedesk"
    login: str = ""
    # libpq connection options as URL query text (``sslmode=verify-full&sslrootcert=…``).
    options: str = ""
    # Whether the window starts on the team server rather than on the laptop's file.
    use: bool = False


@dataclass
class Settings:
    officer: OfficerSettings = field(default_factory=OfficerSettings)
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    # The shared network folder bundles go to; empty when not configured.
    shared_folder: str = ""
    # How many automatic daily backups to keep.
    backup_keep: int = 10
    # How far ahead the "Coming up" list looks.
    coming_up_days: int = 28
    # Identifies this laptop in export bundles; generated once.
    laptop_id: str = ""
    last_database: str = ""
    team_server: TeamServerSettings = field(default_factory=TeamServerSettings)


@dataclass
class LoadedSettings:
    settings: Settings
    # Set when the file could not be read; the app shows it and runs on defaults.
    problem: str | None = None


def _merge(instance: Any, data: dict[str, Any], where: str, problems: list[str]) -> None:
    for f in dataclasses.fields(instance):
        if f.name not in data:
            continue
        value = data[f.name]
        current = getattr(instance, f.name)
        if dataclasses.is_dataclass(current):
            if isinstance(value, dict):
                _merge(current, value, f"{where}{f.name}.", problems)
            else:
                problems.append(f"[{where}{f.name}] should be a table")
        elif type(current) is bool and type(value) is not bool:
            problems.append(f"{where}{f.name} should be true or false")
        elif type(current) is int and (type(value) is not int or value < 0):
            problems.append(f"{where}{f.name} should be a whole number of 0 or more")
        elif type(current) is str and not isinstance(value, str):
            problems.append(f"{where}{f.name} should be text in quotes")
        else:
            setattr(instance, f.name, value)


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Read settings; never raises for a bad file, and never rewrites it."""
    path = path or settings_path()
    settings = Settings()
    if not path.exists():
        return LoadedSettings(settings)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return LoadedSettings(
            settings,
            f"The settings file {path} could not be read ({exc}). PlaceDesk is using default "
            "settings; fix or delete the file and restart.",
        )
    problems: list[str] = []
    _merge(settings, data, "", problems)
    problem = None
    if problems:
        problem = f"Some settings in {path} were ignored: " + "; ".join(problems) + "."
    return LoadedSettings(settings, problem)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write settings atomically."""
    import tomli_w

    path = path or settings_path()
    atomic_write_bytes(path, tomli_w.dumps(dataclasses.asdict(settings)).encode("utf-8"))


def ensure_laptop_id(settings: Settings, path: Path | None = None) -> str:
    """This laptop's id, generated and saved on first use (only if the file is sound)."""
    if not settings.laptop_id:
        settings.laptop_id = secrets.token_hex(4).upper()
        target = path or settings_path()
        if not target.exists() or load_settings(target).problem is None:
            save_settings(settings, target)
    return settings.laptop_id
