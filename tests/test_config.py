"""Settings: defaults, a broken file reported but never overwritten, paths overridable."""

from __future__ import annotations

from pathlib import Path

from placedesk.config import (
    Settings,
    default_db_path,
    ensure_laptop_id,
    load_settings,
    save_settings,
    settings_path,
)


def test_missing_file_gives_defaults() -> None:
    loaded = load_settings(Path("/nonexistent/settings.toml"))
    assert loaded.problem is None
    assert loaded.settings.monitoring.interval_for("high") == 90
    assert loaded.settings.monitoring.interval_for("low") == 365


def test_saved_settings_read_back(tmp_path: Path) -> None:
    settings = Settings()
    settings.officer.name = "Priya Shah"
    settings.officer.local_authority = "Northshire County Council"
    settings.monitoring.high_days = 60
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    loaded = load_settings(path)
    assert loaded.problem is None
    assert loaded.settings.officer.name == "Priya Shah"
    assert loaded.settings.monitoring.high_days == 60


def test_broken_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[officer\nname = 'unterminated", encoding="utf-8")
    before = path.read_bytes()
    loaded = load_settings(path)
    assert loaded.problem is not None and "could not be read" in loaded.problem
    assert loaded.settings == Settings()
    ensure_laptop_id(loaded.settings, path)
    assert path.read_bytes() == before


def test_wrong_types_are_ignored_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('backup_keep = "lots"\n[monitoring]\nhigh_days = 45\n', encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.backup_keep == 10
    assert loaded.settings.monitoring.high_days == 45
    assert loaded.problem is not None and "backup_keep" in loaded.problem


def test_paths_follow_placedesk_home(placedesk_home: Path) -> None:
    assert default_db_path().is_relative_to(placedesk_home)
    assert settings_path().is_relative_to(placedesk_home)


def test_laptop_id_is_generated_once(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    settings = Settings()
    first = ensure_laptop_id(settings, path)
    assert first and load_settings(path).settings.laptop_id == first
    assert ensure_laptop_id(load_settings(path).settings, path) == first
