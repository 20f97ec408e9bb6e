"""Encryption at rest and file modes: encrypted open, convert, backup and restore; owner-only files."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from placedesk.cli import main
from placedesk.config import OfficerSettings, Settings, save_settings
from placedesk.db import DatabaseLocked, encrypt_database, forget_passphrases, open_database, remember_passphrase
from placedesk.errors import DatabaseRefused
from placedesk.models import Child
from tests.services.sync.helpers import install_identity
from tests.services.referrals.helpers import make_child

CASE = "DM166215"


@pytest.fixture(autouse=True)
def profile() -> None:
    save_settings(Settings(officer=OfficerSettings(name="Casey Officer", local_authority="Northshire",
                                                   email="casey@example.gov.uk")))


def _plain_db(path: Path) -> Path:
    db = open_database(path)
    db.officer = "Casey Officer"
    with db.session_scope() as s:
        make_child(s, first_name="Zoë", last_name="Okafor", case_reference=CASE)
    db.close()
    return db.path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_encrypt_with_the_keystore_then_every_command_still_works(tmp_path: Path, keystore: Any,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _plain_db(tmp_path / "real.sqlite")
    assert CASE.encode() in path.read_bytes()
    assert main(["--db", str(path), "encrypt"]) == 0
    assert "keystore" in capsys.readouterr().out
    data = path.read_bytes()
    assert not data.startswith(b"SQLite format 3") and CASE.encode() not in data
    assert _mode(path) == 0o600
    assert len(keystore.store) == 1
    assert main(["--db", str(path), "check"]) == 0
    assert "OK: no problems found." in capsys.readouterr().out
    db = open_database(path)
    assert db.encrypted
    with db.session() as s:
        assert s.query(Child).one().case_reference == CASE
    db.close()
    # Backups are encrypted with the same key, and restore back through it.
    copy = tmp_path / "backups" / "copy.sqlite"
    assert main(["--db", str(path), "backup", "--to", str(copy)]) == 0
    assert "encrypted copy" in capsys.readouterr().out
    assert CASE.encode() not in copy.read_bytes() and _mode(copy) == 0o600
    assert main(["--db", str(path), "audit", "--kind", "insert"]) == 0
    assert main(["--db", str(path), "restore", str(copy)]) == 0
    db = open_database(path)
    assert db.encrypted
    with db.session() as s:
        assert s.query(Child).count() == 1
    db.close()


def test_a_passphrase_file_where_there_is_no_keystore(tmp_path: Path, no_keystore: None,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = _plain_db(tmp_path / "real.sqlite")
    assert main(["--db", str(path), "encrypt"]) == 2
    assert "no keystore" in capsys.readouterr().err
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse battery staple\n", encoding="utf-8")
    assert main(["--db", str(path), "encrypt", "--passphrase-file", str(secret)]) == 0
    capsys.readouterr()
    before = _digest(path)
    # Without the passphrase the database is refused, with a message, and left untouched.
    assert main(["--db", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert "encrypted" in err and "--passphrase-file" in err
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    assert main(["--db", str(path), "check", "--passphrase-file", str(wrong)]) == 2
    assert "passphrase is wrong" in capsys.readouterr().err
    assert _digest(path) == before
    assert main(["--db", str(path), "check", "--passphrase-file", str(secret)]) == 0
    assert main(["--passphrase-file", str(secret), "--db", str(path), "leaving-care"]) == 0
    copy = tmp_path / "copy.sqlite"
    assert main(["--db", str(path), "--passphrase-file", str(secret), "backup", "--to", str(copy)]) == 0
    assert not copy.read_bytes().startswith(b"SQLite format 3")
    forget_passphrases()  # as a new process would start
    with pytest.raises(DatabaseLocked):
        open_database(copy)
    remember_passphrase("correct horse battery staple")
    open_database(copy).close()


def test_a_failed_check_leaves_the_plain_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            keystore: Any) -> None:
    from placedesk.db import sqlite as db_module
    from placedesk.dbkey import ensure_keystore_key

    path = _plain_db(tmp_path / "real.sqlite")
    before = _digest(path)

    def broken(*args: object) -> None:
        raise DatabaseRefused("The encrypted copy did not match the database; it was left plain and unchanged.")

    monkeypatch.setattr(db_module, "_check_copy", broken)
    with pytest.raises(DatabaseRefused, match="left plain"):
        encrypt_database(path, ensure_keystore_key())
    assert _digest(path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    monkeypatch.undo()
    encrypt_database(path, ensure_keystore_key())
    with pytest.raises(DatabaseRefused, match="already encrypted"):
        encrypt_database(path, ensure_keystore_key())


def test_a_new_encrypted_database_and_a_lost_key(tmp_path: Path, keystore: Any) -> None:
    from placedesk.dbkey import ensure_keystore_key

    db = open_database(tmp_path / "new.sqlite", key=ensure_keystore_key())
    assert db.created and db.encrypted
    db.close()
    keystore.store.clear()
    with pytest.raises(DatabaseLocked, match="keystore"):
        open_database(tmp_path / "new.sqlite")


def test_the_database_and_its_side_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = open_database(tmp_path / "new.sqlite")
        db.officer = "Casey"
        with db.session_scope() as s:
            make_child(s)
        wal, shm = Path(f"{db.path}-wal"), Path(f"{db.path}-shm")
        assert wal.exists() and shm.exists()
        assert {_mode(db.path), _mode(wal), _mode(shm)} == {0o600}
        db.close()
        # A file made by an older version (0644) is made owner-only when opened.
        os.chmod(db.path, 0o644)
        open_database(db.path).close()
        assert _mode(db.path) == 0o600
    finally:
        os.umask(old)


def test_every_file_written_with_personal_data_is_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = _plain_db(tmp_path / "real.sqlite")
        out = tmp_path / "out"
        assert main(["--db", str(path), "spreadsheets", "--to", str(out / "sheets"), "--csv"]) == 0
        assert main(["--db", str(path), "leaving-care", "--csv", str(out / "lc.csv")]) == 0
        install_identity("Casey Officer")  # bundles are signed by the officer who made the changes
        assert main(["--db", str(path), "export", "--to", str(out / "bundles")]) == 0
        assert main(["--db", str(path), "backup", "--to", str(out / "backup.sqlite")]) == 0
        files = [p for p in out.rglob("*") if p.is_file()]
        assert len(files) > 10
        assert {p.relative_to(out).as_posix(): _mode(p) for p in files if _mode(p) != 0o600} == {}
    finally:
        os.umask(old)


def test_a_backup_is_restored_only_into_a_database_encrypted_alike(tmp_path: Path, keystore: Any,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = _plain_db(tmp_path / "real.sqlite")
    plain_copy = tmp_path / "plain-copy.sqlite"
    assert main(["--db", str(path), "backup", "--to", str(plain_copy)]) == 0
    assert main(["--db", str(path), "encrypt"]) == 0
    capsys.readouterr()
    before = _digest(path)
    assert main(["--db", str(path), "restore", str(plain_copy)]) == 2
    assert "encrypted alike" in capsys.readouterr().err
    assert _digest(path) == before
