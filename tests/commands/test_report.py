"""``placedesk report cap|provider``: PDFs for the meeting pack from the command line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from placedesk.cli import main
from placedesk.db import Database
from tests.services.monitoring.helpers import build_monitored_provider


def _seed(db: Database) -> None:
    with db.session_scope() as session:
        build_monitored_provider(session, dt.date(2026, 6, 15))


def test_cap_report_is_written(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(db)
    out = tmp_path / "cap.pdf"
    assert main(["--db", db.location, "report", "cap", "cap-t1-0001", "--out", str(out),
                 "--on", "15/06/2026"]) == 0
    assert "Wrote the CAP report for CAP-T1-0001" in capsys.readouterr().out
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "OVERDUE" in text


def test_provider_report_by_urn(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(db)
    out = tmp_path / "p.pdf"
    assert main(["--db", db.location, "report", "provider", "SC123456", "--from", "2025-07-01",
                 "--to", "30/06/2026", "--out", str(out)]) == 0
    assert "PRV-T-0001" in capsys.readouterr().out
    assert "Provider monitoring report: Brook Lodge" in PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()


def test_unknown_references_fail_with_advice(db: Database, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db.location, "report", "cap", "CAP-NONE", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "No CAP has the reference 'CAP-NONE'" in capsys.readouterr().err
    assert main(["--db", db.location, "report", "provider", "NOPE", "--from", "2026-01-01", "--to", "2026-02-01",
                 "--out", str(tmp_path / "x.pdf")]) == 2
    assert "No provider has the reference or URN" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
