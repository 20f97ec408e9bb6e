"""``placedesk postcodes import``: counts, each unread row by line, and a refused file."""

from __future__ import annotations

from pathlib import Path

import pytest

from placedesk.cli import main


def test_import_prints_counts_and_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "pc.csv"
    csv_path.write_text("pcds,lat,long\nS10 2TN,53.38,-1.51\nNOTAPC,53,-1\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "db.sqlite"), "postcodes", "import", str(csv_path)]) == 0
    out = capsys.readouterr().out
    assert "2 rows read" in out
    assert "Imported 1 locations, and 1 outward-code centres worked out from them; 1 rows could not be read." in out
    assert "line 3: 'NOTAPC' is not a postcode or outward code" in out
    assert "postcode from 'pcds'; latitude from 'lat'; longitude from 'long'" in out


def test_a_file_without_coordinates_fails_with_advice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "pc.csv"
    csv_path.write_text("postcode,town\nS10,Sheffield\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "db.sqlite"), "postcodes", "import", str(csv_path)]) == 2
    assert "easting and northing" in capsys.readouterr().err


def test_progress_shows_on_a_terminal_only(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from placedesk.commands.postcodes import terminal_progress

    assert terminal_progress("Importing x.csv") is None  # piped: nothing in the way of the report
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    show = terminal_progress("Importing x.csv")
    assert show is not None
    show(50, 200)
    show(60, 200)
    show(200, 200)
    assert capsys.readouterr().err == "\rImporting x.csv 25%\rImporting x.csv 30%\rImporting x.csv 100%\n"
