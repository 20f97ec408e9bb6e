"""The command line: every sub-command of DESIGN.md exists, errors are clear, exits are right."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from placedesk.cli import build_parser, main
from placedesk.db import Database, open_database
from placedesk.models import Child, StoredDocument

DESIGN_COMMANDS = {
    "demo", "check", "backup", "restore", "providers", "postcodes", "match", "ipa", "verify",
    "report", "dashboard", "export", "import", "import-903", "leaving-care",
}


def test_every_designed_sub_command_is_offered() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert DESIGN_COMMANDS <= set(sub.choices)  # type: ignore[union-attr]


def test_each_command_loads_only_the_module_that_registers_it() -> None:
    from placedesk.commands import COMMAND_MODULES

    whole = next(a for a in build_parser()._actions if a.dest == "command").choices  # type: ignore[union-attr]
    assert set(COMMAND_MODULES) == set(whole)
    for command, module in COMMAND_MODULES.items():
        own = next(a for a in build_parser(command)._actions if a.dest == "command").choices  # type: ignore[union-attr]
        assert command in own, f"{command} is not registered by placedesk.commands.{module}"


@pytest.mark.parametrize(("argv", "command"), [
    (["ipa", "REF-1", "--db", "x"], "ipa"), (["--db", "ipa", "check"], "check"),
    (["--passphrase-file", "f", "--db", "d", "import-903", "x.csv"], "import-903"),
    ([], None), (["--help"], None), (["-h", "ipa"], None), (["--version"], None), (["nonsense"], "nonsense"),
])
def test_the_command_is_found_past_the_options_of_placedesk_itself(argv: list[str], command: str | None) -> None:
    from placedesk.cli import command_named

    assert command_named(argv) == command


def test_help_and_an_unknown_command_still_list_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("import-903", "ipa", "server", "colleagues"))
    with pytest.raises(SystemExit):
        main(["--db", "x.sqlite", "nonsense"])
    refused = capsys.readouterr().err
    assert "invalid choice: 'nonsense'" in refused and all(n in refused for n in ("'ipa'", "'server'", "'sync'"))


def test_check_on_a_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "none.sqlite"), "check"]) == 2
    assert "There is no database" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


def test_check_passes_then_catches_a_damaged_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.sqlite"
    db = open_database(path)
    with db.session_scope() as s:
        s.add(Child(case_reference="C1", first_name="A", last_name="B", date_of_birth=dt.date(2010, 1, 1)))
        s.add(StoredDocument(filename="ipa.pdf", kind="ipa", size=3, content=b"abc",
                             sha256="ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    assert main(["check", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "OK: no problems found." in out and "Stored documents checked: 1" in out
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE stored_document SET content = x'616263ff'")
    db.close()
    assert main(["check", "--db", str(path)]) == 1
    assert "no longer matches its SHA-256" in capsys.readouterr().err


def test_backup_and_restore_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.sqlite"
    db = open_database(path)
    with db.session_scope() as s:
        s.add(Child(case_reference="C1", first_name="A", last_name="B", date_of_birth=dt.date(2010, 1, 1)))
    copy = tmp_path / "copy.sqlite"
    assert main(["--db", str(path), "backup", "--to", str(copy)]) == 0
    with db.session_scope() as s:
        s.add(Child(case_reference="C2", first_name="C", last_name="D", date_of_birth=dt.date(2011, 1, 1)))
    db.close()
    assert main(["--db", str(path), "restore", str(copy)]) == 0
    assert "previous database was saved" in capsys.readouterr().out
    again = open_database(path)
    with again.session_scope() as s:
        assert s.query(Child).count() == 1
    again.close()


def test_unknown_sub_command_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["teleport"])
    assert info.value.code == 2


def _placedesk(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "placedesk", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("providers", "import", "--help")])
def test_a_closed_pipe_ends_the_command_quietly(args: tuple[str, ...]) -> None:
    # As `placedesk … | head -0`: the reader has gone before anything is written.
    process = _placedesk(*args)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    process.wait(timeout=60)
    err = process.stderr.read().decode()
    process.stderr.close()
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err
    assert process.returncode in (0, 141)


def test_output_cut_off_midway_exits_quietly(monkeypatch: pytest.MonkeyPatch, db: Database) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    db.close()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["--db", str(db.path), "check"]) == 141


def test_signing_prints_no_library_warnings(tmp_path: Path) -> None:
    # pyHanko's import of cryptography's DSA support warns on every signing command.
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    process = _placedesk("verify", str(damaged), env={**os.environ, "PYTHONWARNINGS": ""})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2, err
    assert b"Warning" not in err and b"warn" not in err.lower()
    assert err.decode().startswith("placedesk: ")


def test_check_names_a_stored_document_holding_text(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    db.close()
    conn = sqlite3.connect(db.path)
    conn.execute("INSERT INTO stored_document (id, filename, media_type, kind, sha256, size, content, created_at, "
                 "updated_at, version) VALUES ('0123456789abcdef0123456789abcdef', 'ipa.pdf', 'application/pdf', "
                 "'ipa', 'x', 4, 'text not bytes', '2026-03-02 09:00:00', '2026-03-02 09:00:00', 1)")
    conn.commit()
    conn.close()
    assert main(["--db", str(db.path), "check"]) == 1
    captured = capsys.readouterr()
    assert "Stored document ipa.pdf" in captured.err and "holds text, not the file's bytes" in captured.err


def test_check_names_an_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    assert main(["--db", str(empty), "check"]) == 2
    assert "is an empty file (0 bytes), not a PlaceDesk database" in capsys.readouterr().err


def test_restore_of_an_empty_file_is_refused_and_changes_nothing(db: Database, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db.close()
    before = db.path.read_bytes()
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    assert main(["--db", str(db.path), "restore", str(empty)]) == 2
    assert "empty file (0 bytes)" in capsys.readouterr().err
    assert db.path.read_bytes() == before
