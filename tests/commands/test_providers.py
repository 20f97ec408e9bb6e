"""``placedesk providers import``: counts and every unread row with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from placedesk.cli import main


def test_import_prints_counts_and_unread_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ofsted.csv"
    path.write_text(
        "URN,Provision type,Name,Inspection date,Overall experiences and progress of children and young people\n"
        "SC123456,Children's home,Oak House,12/01/2026,Good\n"
        "SC1,Children's home,Bad Row,,\n"
        "SC222222,Voluntary Adoption Agency,Adopt North,,\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "db.sqlite")
    assert main(["--db", db, "providers", "import", str(path), "--on", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "added:              1" in out
    assert "inspections added:  1" in out
    assert "Voluntary Adoption Agency: 1" in out
    assert "line 3: URN 'SC1' is not an Ofsted URN" in out
    assert main(["--db", db, "providers", "import", str(path), "--on", "2026-03-02"]) == 0
    assert "unchanged:          1" in capsys.readouterr().out


def test_a_file_that_is_not_the_list_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name,Town\nOak,Leeds\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "db.sqlite"), "providers", "import", str(path)]) == 2
    assert "no URN column" in capsys.readouterr().err
