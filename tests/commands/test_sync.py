"""The command line for export, import, sync and conflicts, run as an officer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from placedesk.cli import main
from placedesk.config import load_settings, save_settings
from tests.services.sync.helpers import fill, install_identity, new_db


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = new_db(tmp_path / "a.sqlite"), new_db(tmp_path / "b.sqlite")
    install_identity("Test Officer")
    with a.session_scope() as s:
        fill(s, child_name=("Jordan", "Whitfield"))
    a.close()
    b.close()
    return a.path, b.path


def test_export_then_import_on_another_laptop(two_files: tuple[Path, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = two_files
    assert main(["export", "--db", str(a), "--to", str(tmp_path / "out"), "--zip"]) == 0
    out = capsys.readouterr().out
    assert "Exported" in out and "1 document(s)" in out and "everything" in out
    (bundle,) = (tmp_path / "out").iterdir()
    monkeypatch.setenv("PLACEDESK_HOME", str(tmp_path / "other-laptop"))
    assert main(["import", "--db", str(b), str(bundle)]) == 2
    assert "not on your trust list" in capsys.readouterr().err
    assert main(["colleagues", "add", "--from-bundle", str(bundle), "--yes"]) == 0
    assert "Trusted Test Officer" in capsys.readouterr().out
    assert main(["import", "--db", str(b), str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "Imported:" in out and "child" in out
    assert main(["import", "--db", str(b), str(bundle)]) == 0
    assert "imported before; nothing changed" in capsys.readouterr().out


def test_a_bad_bundle_fails_with_a_message_and_a_non_zero_exit(two_files: tuple[Path, Path], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, b = two_files
    bad = tmp_path / "placedesk-XXXX-20260101T000000Z-" f"{'a' * 32}.zip"
    bad.write_bytes(b"truncated")
    assert main(["import", "--db", str(b), str(bad)]) == 2
    assert "not a readable zip" in capsys.readouterr().err


def test_export_since_a_date_and_an_unparseable_date_is_refused(two_files: tuple[Path, Path], tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = two_files
    assert main(["export", "--db", str(a), "--to", str(tmp_path / "o"), "--since", "01/01/2026"]) == 0
    assert "changes since 01/01/2026" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export", "--db", str(a), "--to", str(tmp_path / "o"), "--since", "yesterday"])


def test_sync_waits_while_the_share_is_away_then_delivers(two_files: tuple[Path, Path], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = two_files
    settings = load_settings().settings
    settings.shared_folder = str(tmp_path / "share")
    save_settings(settings)
    assert main(["sync", "--db", str(a)]) == 1
    assert "1 bundle(s) wait in the outbox" in capsys.readouterr().out
    (tmp_path / "share").mkdir()
    assert main(["sync", "--db", str(a), "--no-export"]) == 0
    assert "Sent 1 bundle(s)" in capsys.readouterr().out
    assert len(list((tmp_path / "share").iterdir())) == 1


def test_conflicts_listed_when_there_are_none(two_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = two_files
    assert main(["conflicts", "--db", str(a)]) == 0
    assert "No sync conflicts" in capsys.readouterr().out
    assert main(["conflicts", "--db", str(a), "--resolve", "nonsense", "--keep", "local"]) == 2
    assert "not a conflict id" in capsys.readouterr().err
