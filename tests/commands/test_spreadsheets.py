"""``placedesk spreadsheets``: the commissioning extracts from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from placedesk.cli import main
from tests.services.sync.helpers import fill, new_db


@pytest.fixture
def filled_file(tmp_path: Path) -> Path:
    db = new_db(tmp_path / "a.sqlite")
    with db.session_scope() as s:
        fill(s, child_name=("Jordan", "Whitfield"))
    db.close()
    return db.path


def test_spreadsheets_pseudonymised_with_csv(filled_file: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    a = filled_file
    assert main(["spreadsheets", "--db", str(a), "--to", str(tmp_path / "xl"), "--pseudonymise", "--csv",
                 "--on", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "pseudonymised" in out and "placements.csv" in out
    files = [p for p in (tmp_path / "xl").rglob("*") if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in files)
    assert not any("Whitfield" in p.read_text(encoding="utf-8-sig") for p in files if p.suffix == ".csv")


def test_csv_only_writes_no_workbook(filled_file: Path, tmp_path: Path) -> None:
    assert main(["spreadsheets", "--db", str(filled_file), "--to", str(tmp_path / "xl"), "--csv-only"]) == 0
    files = [p for p in (tmp_path / "xl").rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".csv" for p in files)
