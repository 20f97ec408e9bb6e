"""``placedesk identity`` and ``placedesk colleagues``, and two laptops that trust, exchange and settle a conflict.

Everything here goes through the command line as an officer would type it;
the two laptops are two PlaceDesk homes (``PLACEDESK_HOME``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from placedesk.cli import main
from placedesk.config import load_settings, save_settings
from placedesk.models import Provider
from tests.services.sync.helpers import fill, new_db


@pytest.fixture
def passphrase(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text("correct horse battery\n")
    return path


def _home(monkeypatch: pytest.MonkeyPatch, home: Path, officer: str) -> None:
    """Switch to a laptop: its own PlaceDesk home, with the officer's name in its settings."""
    monkeypatch.setenv("PLACEDESK_HOME", str(home))
    settings = load_settings().settings
    if settings.officer.name != officer:
        settings.officer.name = officer
        settings.officer.local_authority = "Test Council"
        save_settings(settings)


def test_identity_create_show_and_a_second_create_refused(passphrase: Path, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _home(monkeypatch, tmp_path / "home", "Officer A")
    assert main(["identity", "show"]) == 0
    assert "no signing identity yet" in capsys.readouterr().out
    assert main(["identity", "create", "--name", "Officer A", "--passphrase-file", str(passphrase)]) == 0
    out = capsys.readouterr().out
    assert "Name:        Officer A" in out and "Fingerprint:" in out and "Valid:" in out
    assert main(["identity", "show"]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[0] == "Name:        Officer A"
    assert main(["identity", "create", "--name", "Officer A", "--passphrase-file", str(passphrase)]) == 2
    assert "already have a signing identity" in capsys.readouterr().err


def test_identity_import_of_a_council_p12(passphrase: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.services.agreements.identity import build_identity

    data, _ = build_identity("Officer Council", "Officer", "Test Council", "", "correct horse battery")
    (tmp_path / "council.p12").write_bytes(data)
    _home(monkeypatch, tmp_path / "home", "Officer Council")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it at all\n")
    assert main(["identity", "import", str(tmp_path / "council.p12"), "--passphrase-file", str(wrong)]) == 2
    assert "passphrase does not open" in capsys.readouterr().err
    assert main(["identity", "import", str(tmp_path / "council.p12"), "--passphrase-file", str(passphrase),
                 "--remember"]) == 0
    out = capsys.readouterr().out
    assert "Officer Council" in out and "kept in the system keystore" in out


def test_export_without_a_passphrase_says_how_to_give_one(passphrase: Path, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _home(monkeypatch, tmp_path / "home", "Officer A")
    db = new_db(tmp_path / "a.sqlite", "Officer A")
    db.close()
    assert main(["export", "--db", db.location, "--to", str(tmp_path / "out")]) == 2
    assert "identity create" in capsys.readouterr().err
    assert main(["identity", "create", "--name", "Officer A", "--passphrase-file", str(passphrase)]) == 0
    assert main(["export", "--db", db.location, "--to", str(tmp_path / "out")]) == 2
    assert "--passphrase-file" in capsys.readouterr().err
    assert main(["identity", "remember", "--passphrase-file", str(passphrase)]) == 0
    assert main(["export", "--db", db.location, "--to", str(tmp_path / "out")]) == 0
    assert "Signed by Officer A." in capsys.readouterr().out


def test_colleagues_add_list_remove_and_export(passphrase: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _home(monkeypatch, tmp_path / "b", "Officer B")
    assert main(["identity", "create", "--name", "Officer B", "--passphrase-file", str(passphrase)]) == 0
    assert main(["colleagues", "export", "--to", str(tmp_path / "b.pem")]) == 0
    out = capsys.readouterr().out
    fingerprint = out.rsplit("with you: ", 1)[1].strip()
    assert "Laptop:" in (tmp_path / "b.pem").read_text()
    _home(monkeypatch, tmp_path / "a", "Officer A")
    assert main(["colleagues", "list"]) == 0
    assert "trust no colleagues yet" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    assert main(["colleagues", "add", str(tmp_path / "b.pem")]) == 1
    assert fingerprint in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("yes\n"))
    assert main(["colleagues", "add", str(tmp_path / "b.pem")]) == 0
    assert "Trusted Officer B (colleague)" in capsys.readouterr().out
    assert main(["colleagues", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Officer B" in listed and fingerprint in listed and "laptops" in listed
    assert main(["colleagues", "remove", "Nobody"]) == 2
    assert "No trusted colleague is called 'Nobody'" in capsys.readouterr().err
    assert main(["colleagues", "remove", "officer b"]) == 0
    assert "No longer trusted: Officer B" in capsys.readouterr().out
    assert main(["colleagues", "list"]) == 0
    assert "trust no colleagues yet" in capsys.readouterr().out


def test_two_laptops_trust_each_other_exchange_and_settle_a_conflict(
        passphrase: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share, a_home, b_home = tmp_path / "share", tmp_path / "laptop-a", tmp_path / "laptop-b"
    a_db, b_db = a_home / "data" / "placedesk.sqlite", b_home / "data" / "placedesk.sqlite"
    # Laptop A: an identity, its certificate for B, and a caseload.
    _home(monkeypatch, a_home, "Officer A")
    assert main(["identity", "create", "--name", "Officer A", "--passphrase-file", str(passphrase)]) == 0
    assert main(["colleagues", "export", "--to", str(tmp_path / "a.pem")]) == 0
    a_db.parent.mkdir(parents=True, exist_ok=True)
    db = new_db(a_db, "Officer A")
    with db.session_scope() as s:
        provider_id = fill(s).provider.id
    db.close()
    # Laptop B: a fresh install. Its identity, its certificate for A; it trusts A.
    _home(monkeypatch, b_home, "Officer B")
    assert main(["identity", "create", "--name", "Officer B", "--passphrase-file", str(passphrase)]) == 0
    assert main(["colleagues", "export", "--to", str(tmp_path / "b.pem")]) == 0
    assert main(["colleagues", "add", str(tmp_path / "a.pem"), "--yes"]) == 0
    _home(monkeypatch, a_home, "Officer A")
    assert main(["colleagues", "add", str(tmp_path / "b.pem"), "--yes"]) == 0
    capsys.readouterr()
    # A sends everything; B, with no database yet, imports it from the command line.
    assert main(["export", "--to", str(share), "--zip", "--passphrase-file", str(passphrase)]) == 0
    (first,) = share.iterdir()
    _home(monkeypatch, b_home, "Officer B")
    assert main(["import", str(first)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [f"Created a new empty PlaceDesk database at {b_db}"]
    assert "signed by Officer A" in captured.out and "Imported:" in captured.out
    # Both change the same provider's notes before they next sync: a conflict.
    for path, officer, notes in ((a_db, "Officer A", "A: phoned the manager"), (b_db, "Officer B", "B: visit booked")):
        db = new_db(path, officer)
        with db.session_scope() as s:
            s.get(Provider, provider_id).notes = notes
        db.close()
    assert main(["export", "--to", str(tmp_path / "from-b"), "--passphrase-file", str(passphrase)]) == 0
    _home(monkeypatch, a_home, "Officer A")
    assert main(["export", "--to", str(tmp_path / "from-a"), "--passphrase-file", str(passphrase)]) == 0
    (from_a,) = (tmp_path / "from-a").iterdir()
    (from_b,) = (tmp_path / "from-b").iterdir()
    assert main(["import", str(from_b)]) == 0
    assert "1 conflict(s)" in capsys.readouterr().out
    _home(monkeypatch, b_home, "Officer B")
    assert main(["import", str(from_a)]) == 0
    assert "1 conflict(s)" in capsys.readouterr().out
    assert main(["conflicts"]) == 0
    listing = capsys.readouterr().out
    conflict_id = listing.split()[0]
    assert "provider" in listing and "notes" in listing
    assert main(["conflicts", "--resolve", conflict_id, "--keep", "remote"]) == 0
    assert "took the other laptop's version" in capsys.readouterr().out
    db = new_db(b_db, "Officer B")
    with db.session() as s:
        assert s.scalar(select(Provider.notes).where(Provider.id == provider_id)) == "A: phoned the manager"
    db.close()
    # A bundle can be looked at without importing it: who, when, how many records.
    _home(monkeypatch, a_home, "Officer A")
    assert main(["colleagues", "show", str(from_b)]) == 0
    shown = capsys.readouterr().out
    assert "Made by Officer B" in shown and "Trusted: you may import it." in shown and "provider" in shown
