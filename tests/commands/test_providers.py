"""``placedesk providers import``: counts, every unread row with its line, the columns used, and ``--map``."""

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
    assert "ofsted.csv: 3 rows read (header on line 1)." in out
    assert "1 providers added, 0 updated, 0 unchanged; 1 inspections recorded." in out
    assert "1 rows skipped as not placement providers: Voluntary Adoption Agency (1)." in out
    assert "Line 3: URN 'SC1' is not an Ofsted URN" in out
    assert "  URN: URN" in out and "  Name: Name" in out
    assert main(["--db", db, "providers", "import", str(path), "--on", "2026-03-02"]) == 0
    assert "0 providers added, 0 updated, 1 unchanged" in capsys.readouterr().out


def test_a_file_that_is_not_the_list_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name,Town\nOak,Leeds\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "db.sqlite"), "providers", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no URN column" in err and '--map urn="Header"' in err


def test_map_says_which_column_holds_a_field_and_is_remembered(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "council.csv"
    path.write_text("Provider ref,Setting kind,Setting title,Result\n"
                    "SC123456,Children's home,Oak House,2\n", encoding="utf-8")
    db = str(tmp_path / "db.sqlite")
    assert main(["--db", db, "providers", "import", str(path), "--map", 'urn="Provider ref"',
                 "--map", "provision_type=Setting kind", "--map", "name=Setting title",
                 "--map", "judgement=Result"]) == 0
    out = capsys.readouterr().out
    assert "1 providers added" in out and "  URN: Provider ref" in out and "  Overall judgement: Result" in out
    # The same header next time needs no --map.
    again = tmp_path / "council-next.csv"
    again.write_text("Provider ref,Setting kind,Setting title,Result\nSC654321,Children's home,Elm House,1\n",
                     encoding="utf-8")
    assert main(["--db", db, "providers", "import", str(again)]) == 0
    assert "Columns used (as remembered for this header):" in capsys.readouterr().out


@pytest.mark.parametrize(("value", "message"), [("urn", "is not field="), ("colour=Kind", "'colour' is not a field")])
def test_a_malformed_map_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str,
                                    message: str) -> None:
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "db.sqlite"), "providers", "import", "x.csv", "--map", value])
    assert message in capsys.readouterr().err
