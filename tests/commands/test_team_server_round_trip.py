"""Laptops still work offline: their signed bundles go into the team database and its changes come back.

The same commands, rules and conflict handling whether the team's database is
a PostgreSQL server (``--db postgresql+psycopg://…``) or a file; each test runs
on both engines (``db`` is the team's database). The team's side runs on
another computer (its own user folder, trust list and laptop id), except where
an officer imports their own laptop's bundle into the server from that laptop.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from placedesk.cli import main
from placedesk.config import load_settings, save_settings
from placedesk.db import Database, open_database
from placedesk.models import AuditEvent, Provider
from tests.services.sync.helpers import fill, install_identity, new_db

OFFICE = "office"


def target(db: Database) -> str:
    """What ``--db`` takes for the team's database: its file, or its URL with the password in it."""
    if db.is_server:
        return db.engine.url.render_as_string(hide_password=False)
    return str(db.path)


def _as(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Run the next commands on another computer: its own settings, trust list and keystore entries."""
    monkeypatch.setenv("PLACEDESK_HOME", str(home))


def _only(folder: Path) -> Path:
    (bundle,) = folder.iterdir()
    return bundle


@pytest.fixture
def laptop(tmp_path: Path, placedesk_home: Path) -> tuple[Path, str]:
    """An officer's laptop file with one of everything, made offline; returns it and a provider's id."""
    settings = load_settings().settings
    settings.officer.name = "Test Officer"
    save_settings(settings)
    install_identity("Test Officer")
    laptop_db = new_db(tmp_path / "laptop.sqlite")
    with laptop_db.session_scope() as s:
        provider_id = str(fill(s, child_name=("Jordan", "Whitfield")).provider.id)
    laptop_db.close()
    return laptop_db.path, provider_id


def _office(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], bundle: Path) -> None:
    """The office computer: a profile and a signing identity of its own, trusting the laptop's officer."""
    _as(monkeypatch, tmp_path / OFFICE)
    assert main(["profile", "--name", "Test Officer", "--council", "Northshire", "--phone", "01632 960 001"]) == 0
    install_identity("Test Officer")
    assert main(["colleagues", "add", "--from-bundle", str(bundle), "--yes"]) == 0
    capsys.readouterr()


def test_a_laptops_bundle_goes_into_the_team_database_and_the_teams_changes_come_back(
        db: Database, laptop: tuple[Path, str], tmp_path: Path, placedesk_home: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    laptop_file, provider_id = laptop
    team = target(db)
    assert main(["export", "--db", str(laptop_file), "--to", str(tmp_path / "out"), "--zip"]) == 0
    bundle = _only(tmp_path / "out")
    _office(monkeypatch, tmp_path, capsys, bundle)
    assert main(["import", "--db", team, str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "Imported:" in out and "child" in out
    assert main(["import", "--db", team, str(bundle)]) == 0
    assert "imported before; nothing changed" in capsys.readouterr().out
    with db.session() as s:
        assert s.get(Provider, _uuid(provider_id)).name.startswith("Oakwood Care")

    # A colleague in the office changes the provider in the team's database; the change goes back out.
    with db.session_scope() as s:
        s.get(Provider, _uuid(provider_id)).notes = "Office: new manager from April"
    assert main(["export", "--db", team, "--to", str(tmp_path / "back"), "--zip"]) == 0
    assert "Exported" in capsys.readouterr().out
    back = _only(tmp_path / "back")
    _as(monkeypatch, placedesk_home)
    assert main(["colleagues", "add", "--from-bundle", str(back), "--yes"]) == 0
    capsys.readouterr()
    assert main(["import", "--db", str(laptop_file), str(back)]) == 0
    assert "Imported:" in capsys.readouterr().out
    laptop_db = new_db(laptop_file)
    with laptop_db.session() as s:
        assert s.get(Provider, _uuid(provider_id)).notes == "Office: new manager from April"
    laptop_db.close()


def test_a_change_made_on_both_sides_is_a_conflict_reported_the_same_way(
        db: Database, laptop: tuple[Path, str], tmp_path: Path, placedesk_home: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    laptop_file, provider_id = laptop
    team = target(db)
    assert main(["export", "--db", str(laptop_file), "--to", str(tmp_path / "first"), "--zip"]) == 0
    first = _only(tmp_path / "first")
    _office(monkeypatch, tmp_path, capsys, first)
    assert main(["import", "--db", team, str(first)]) == 0
    capsys.readouterr()
    # Both change the same provider's notes: the officer on a visit, a colleague in the office.
    with db.session_scope() as s:
        s.get(Provider, _uuid(provider_id)).notes = "Office: visit booked"
    laptop_db = new_db(laptop_file)
    with laptop_db.session_scope() as s:
        s.get(Provider, _uuid(provider_id)).notes = "Laptop: phoned the manager"
    laptop_db.close()
    _as(monkeypatch, placedesk_home)
    assert main(["export", "--db", str(laptop_file), "--to", str(tmp_path / "second"), "--zip"]) == 0
    second = _only(tmp_path / "second")
    _as(monkeypatch, tmp_path / OFFICE)
    capsys.readouterr()
    assert main(["import", "--db", team, str(second)]) == 0
    said = capsys.readouterr().out
    assert re.search(r"1 conflict", said), said
    assert main(["conflicts", "--db", team]) == 0
    listed = capsys.readouterr().out
    assert re.fullmatch(r"[0-9a-f-]{36}  provider PRV-\d{5}: differs in notes\n", listed), listed
    with db.session() as s:
        assert s.get(Provider, _uuid(provider_id)).notes == "Office: visit booked"
    conflict_id = listed.split()[0]
    # A colleague adds to the notes after the list was shown: taking the laptop's is refused, naming her.
    colleague = open_database(team, create=False)
    colleague.officer = "A. Khan"
    with colleague.session_scope() as s:
        s.get(Provider, _uuid(provider_id)).notes = "Office: visit booked for 3 March"
        their_version = s.get(Provider, _uuid(provider_id)).version + 1
    colleague.close()
    assert main(["conflicts", "--db", team, "--resolve", conflict_id, "--keep", "remote"]) == 2
    refused = capsys.readouterr().err
    assert "A. Khan changed this provider here at " in refused
    assert ("notes: theirs 'Office: visit booked for 3 March', the other laptop's 'Laptop: phoned the manager'"
            in refused)
    assert f"run this again with --over-version {their_version}" in refused
    with db.session() as s:
        assert s.get(Provider, _uuid(provider_id)).notes == "Office: visit booked for 3 March"
    assert main(["conflicts", "--db", team, "--resolve", conflict_id, "--keep", "remote",
                 "--over-version", str(their_version)]) == 0
    assert "took the other laptop's version" in capsys.readouterr().out
    with db.session() as s:
        assert s.get(Provider, _uuid(provider_id)).notes == "Laptop: phoned the manager"


def test_an_officer_takes_their_laptops_work_to_the_server_and_back_from_that_same_laptop(
        pg_database_url: str, laptop: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:

    laptop_file, provider_id = laptop
    team = pg_database_url
    assert main(["export", "--db", str(laptop_file), "--to", str(tmp_path / "out"), "--zip"]) == 0
    bundle = _only(tmp_path / "out")
    assert main(["colleagues", "add", "--from-bundle", str(bundle), "--yes"]) == 0
    capsys.readouterr()
    # The server is not this laptop, though this laptop's PlaceDesk is the one talking to it.
    assert main(["import", "--db", team, str(bundle)]) == 0
    assert "Imported:" in capsys.readouterr().out
    # A colleague works on the server directly; their audit trail stays there, not in this officer's bundle.
    colleague_db = open_database(team, create=False)
    colleague_db.officer = "Robin Other"
    with colleague_db.session_scope() as s:
        s.get(Provider, _uuid(provider_id)).notes = "Robin: placement review on 12 March"
    colleague_db.close()
    assert main(["export", "--db", team, "--to", str(tmp_path / "back")]) == 0
    capsys.readouterr()
    back = _only(tmp_path / "back")
    assert back.name.startswith("placedesk-SRV")
    assert main(["import", "--db", str(laptop_file), str(back)]) == 0
    assert "Imported:" in capsys.readouterr().out
    laptop_db = new_db(laptop_file)
    with laptop_db.session() as s:
        assert s.get(Provider, _uuid(provider_id)).notes == "Robin: placement review on 12 March"
        officers = set(s.scalars(select(AuditEvent.officer).where(AuditEvent.received_bundle_id.is_not(None))))
    laptop_db.close()
    assert "Robin Other" not in officers


def _uuid(text: str):  # type: ignore[no-untyped-def]
    import uuid

    return uuid.UUID(text)
