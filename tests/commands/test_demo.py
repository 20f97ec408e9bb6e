"""``placedesk demo``: fills a new database, prints what it made, and refuses one with data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from placedesk.cli import main
from placedesk.db import open_database
from placedesk.models import Provider


def test_demo_fills_a_new_database_then_refuses_to_add_more(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Providers: 150" in out
    assert "Demo data (small, seed 3" in out
    assert "kpi_value" in out

    assert main(["--db", str(path), "demo"]) == 2
    assert "already has providers or children" in capsys.readouterr().err
    database = open_database(path)
    try:
        with database.session() as s:
            assert s.scalar(select(func.count()).select_from(Provider)) == 150
    finally:
        database.close()


def test_demo_help_names_the_scales(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--scale" in out and "large" in out and "--seed" in out
