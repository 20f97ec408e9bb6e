"""``placedesk ipa`` and ``placedesk verify``: files written, signatures checked, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from placedesk.cli import main
from placedesk.config import Settings, save_settings
from placedesk.db import Database
from placedesk.reports import signing, stamp_font
from tests.services.agreements.helpers import OFFICER_PASS, countersign, make_placement, officer, officer_p12


@pytest.fixture
def placement_ref(db: Database) -> str:
    save_settings(Settings(officer=officer()))
    with db.session_scope() as session:
        return make_placement(session).ref


@pytest.fixture
def identity_files(tmp_path: Path) -> tuple[Path, Path]:
    p12 = tmp_path / "officer.p12"
    p12.write_bytes(officer_p12())
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text(OFFICER_PASS + "\n", encoding="utf-8")
    return p12, passphrase


def test_ipa_issues_and_writes_the_unsigned_agreement(db: Database, placement_ref: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ipa.pdf"
    assert main(["ipa", placement_ref, "--out", str(out), "--db", db.location]) == 0
    assert "Issued IPA-" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"%PDF") and signing.verify_pdf(out.read_bytes()) == []


def test_ipa_signs_and_verify_passes(db: Database, placement_ref: str, tmp_path: Path,
                                     identity_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "signed.pdf"
    p12, passphrase = identity_files
    assert main(["ipa", placement_ref, "--out", str(out), "--sign", str(p12), "--passphrase-file", str(passphrase),
                 "--db", db.location]) == 0
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "INTACT AND VALID" in printed and "Siân Ŵyn-Roberts" in printed and "Whole document: yes" in printed
    # Signing twice is refused with a hint, and the file is left alone.
    assert main(["ipa", placement_ref, "--out", str(out), "--sign", str(p12), "--passphrase-file", str(passphrase),
                 "--db", db.location]) == 2
    assert "already signed" in capsys.readouterr().err


# Loaded by no signature from the command line once the officer's stamp font is kept: the network clients
# and migration code it never needs, the stamp font's preparation (fontTools, pyHanko's OpenType engine, a
# tenth of a second), pyHanko's XMP support (lxml: PlaceDesk's agreements carry no XMP), other commands'
# parsers and handlers, and other commands' or the window's libraries.
NOT_FOR_SIGNING = ("aiohttp", "alembic", "fontTools", "pyhanko.pdf_utils.font.opentype", "lxml", "pandas",
                   "openpyxl", "PySide6", "numpy", "placedesk.commands.server", "placedesk.commands.sync")


def test_signing_from_the_command_line_loads_only_what_signing_needs(
    db: Database, placement_ref: str, tmp_path: Path, identity_files: tuple[Path, Path]
) -> None:
    p12, passphrase = identity_files
    # A laptop's database file needs no PostgreSQL driver or dialect either.
    unwanted = NOT_FOR_SIGNING + (() if db.is_server else ("psycopg", "sqlalchemy.dialects.postgresql"))
    # The officer's first signature prepares and keeps the stamp font for their name (in this test's data
    # folder: this process may hold it from another test)...
    stamp_font.prepared_stamp_font.cache_clear()
    with db.session_scope() as session:
        second_ref = make_placement(session).ref
    assert main(["ipa", placement_ref, "--out", str(tmp_path / "first.pdf"), "--sign", str(p12),
                 "--passphrase-file", str(passphrase), "--db", db.location]) == 0
    # ... so the next, in a new process as the officer's command is, loads none of those.
    probe = ("import sys; from placedesk.cli import main; "
             f"code = main(['ipa', {second_ref!r}, '--out', {str(tmp_path / 'signed.pdf')!r}, '--sign', "
             f"{str(p12)!r}, '--passphrase-file', {str(passphrase)!r}, '--db', {db.location!r}]); "
             f"print(code, sorted(n for n in {unwanted!r} if n in sys.modules or "
             "any(m.startswith(n + '.') for m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 []"
    assert done.stderr == ""
    assert [c.ok for c in signing.verify_pdf((tmp_path / "signed.pdf").read_bytes())] == [True]


def test_verify_reports_a_countersigned_file(db: Database, placement_ref: str, tmp_path: Path,
                                             identity_files: tuple[Path, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "signed.pdf"
    p12, passphrase = identity_files
    main(["ipa", placement_ref, "--out", str(out), "--sign", str(p12), "--passphrase-file", str(passphrase),
          "--db", db.location])
    returned = tmp_path / "returned.pdf"
    returned.write_bytes(countersign(out.read_bytes()))
    capsys.readouterr()
    assert main(["verify", str(returned)]) == 0
    printed = capsys.readouterr().out
    assert "Signature 2 (ProviderSignature): INTACT AND VALID" in printed and "Jo Provider" in printed
    assert "All 2 signatures" in printed


def test_verify_exit_codes_for_broken_unsigned_and_unreadable_files(db: Database, placement_ref: str,
                                                                    tmp_path: Path,
                                                                    identity_files: tuple[Path, Path],
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "signed.pdf"
    p12, passphrase = identity_files
    main(["ipa", placement_ref, "--out", str(out), "--sign", str(p12), "--passphrase-file", str(passphrase),
          "--db", db.location])
    tampered = bytearray(out.read_bytes())
    tampered[1800] ^= 0x01
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(tampered))
    assert main(["verify", str(broken)]) == 1
    assert "BROKEN" in capsys.readouterr().out
    unsigned = tmp_path / "unsigned.pdf"
    main(["ipa", placement_ref, "--out", str(unsigned), "--db", db.location])
    capsys.readouterr()
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert main(["verify", str(plain)]) == 2
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(out.read_bytes()[:4000])
    assert main(["verify", str(cut)]) == 2
    assert "truncated" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.pdf")]) == 2


def test_ipa_with_the_wrong_passphrase_or_an_unknown_placement_fails_clearly(
        db: Database, placement_ref: str, tmp_path: Path, identity_files: tuple[Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    p12, _ = identity_files
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("guess-guess", encoding="utf-8")
    out = tmp_path / "x.pdf"
    assert main(["ipa", placement_ref, "--out", str(out), "--sign", str(p12), "--passphrase-file", str(wrong),
                 "--db", db.location]) == 2
    assert "passphrase does not open" in capsys.readouterr().err
    assert not out.exists()
    assert main(["ipa", "PLC-NOPE", "--out", str(out), "--db", db.location]) == 2
    assert "no placement with reference" in capsys.readouterr().err
    assert main(["ipa", placement_ref, "--out", str(out), "--sign", str(p12), "--db", db.location]) == 2
    assert "--passphrase-file" in capsys.readouterr().err


def test_a_colleagues_save_landing_while_the_command_signs_is_reported_not_overwritten(
        db: Database, colleague: Database, engine_name: str, placement_ref: str, tmp_path: Path,
        identity_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if engine_name == "sqlite":
        pytest.skip("on a file the command holds the write lock from its start: no colleague's save can land in it")
    from sqlalchemy import select

    from placedesk.models import Agreement
    from placedesk.services.agreements import ipa

    out = tmp_path / "ipa.pdf"
    assert main(["ipa", placement_ref, "--out", str(out), "--db", db.location]) == 0
    p12, passphrase = identity_files
    real_sign = ipa.sign_agreement

    def colleague_saves_first(session: object, agreement: Agreement, **kwargs: object) -> Agreement:
        # A. Khan adds a special condition after the command read the agreement, before it signs.
        with colleague.session_scope() as theirs:
            theirs.get(Agreement, agreement.id).special_conditions = "Weekly key-worker session"
        return real_sign(session, agreement, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ipa, "sign_agreement", colleague_saves_first)
    capsys.readouterr()
    assert main(["ipa", placement_ref, "--out", str(tmp_path / "signed.pdf"), "--sign", str(p12),
                 "--passphrase-file", str(passphrase), "--db", db.location]) == 2
    said = capsys.readouterr().err
    assert said.startswith("placedesk: A. Khan changed this agreement (")
    assert "while this command was running. Nothing was saved: run the command again" in said
    assert "Traceback" not in said and not (tmp_path / "signed.pdf").exists()
    with db.session() as s:
        agreement = s.scalars(select(Agreement)).one()
        assert (agreement.special_conditions, agreement.officer_signed_document_id) == ("Weekly key-worker session",
                                                                                         None)
