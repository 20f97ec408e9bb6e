"""``placedesk import-903`` and ``placedesk leaving-care`` as the leaving-care team runs them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from placedesk.cli import main
from placedesk.db import open_database

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST,URN\n"
    "C100,01/01/2024,S,C2,N1,U4,PR1,,,,,\n"            # eligible on 01/03/2026
    "C200,01/07/2025,S,V2,N1,K2,PR1,01/09/2025,E11,,,\n"  # 62 days after 16, then left: qualifying
    "C200,bad date,S,V2,N1,K2,PR1,,,,,\n"
)
HEADER = "CHILD,SEX,DOB,ETHNIC\nC100,2,15/06/2009,WBRI\nC200,1,01/01/2009,BAFR\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    (tmp_path / "episodes.csv").write_text(EPISODES, encoding="utf-8")
    (tmp_path / "header.csv").write_text(HEADER, encoding="utf-8")
    return tmp_path / "episodes.csv", tmp_path / "header.csv", tmp_path / "desk.sqlite"


def test_import_reports_rows_and_exits_1_when_some_failed(files: tuple[Path, Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    episodes, header, db = files
    assert main(["--db", str(db), "import-903", str(episodes), str(header), "--create-children"]) == 1
    captured = capsys.readouterr()
    assert "2 episodes added" in captured.out and "2 children created" in captured.out
    assert "episodes.csv line 4: DECOM 'bad date' is not a date" in captured.out
    assert "The other rows were imported" in captured.err
    # Again: nothing new, the same bad row.
    assert main(["--db", str(db), "import-903", str(episodes)]) == 1
    assert "0 episodes added, 0 updated, 2 already up to date" in capsys.readouterr().out


def test_create_children_needs_the_header_file(files: tuple[Path, Path, Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    episodes, _, db = files
    assert main(["--db", str(db), "import-903", str(episodes), "--create-children"]) == 2
    assert "--create-children needs the header file" in capsys.readouterr().err


def test_leaving_care_list_and_csv(files: tuple[Path, Path, Path], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    episodes, header, db = files
    main(["--db", str(db), "import-903", str(episodes), str(header), "--create-children"])
    capsys.readouterr()
    assert main(["--db", str(db), "leaving-care", "--on", "01/03/2026"]) == 0
    out = capsys.readouterr().out
    assert "Leaving-care status on 01/03/2026" in out
    assert "C100           15/06/2009  Eligible child" in out
    assert "15/06/2027 18th birthday: becomes a former relevant child" in out
    assert "C200           01/01/2009  Qualifying young person" in out
    assert "Eligible child: 1; Qualifying young person: 1" in out

    target = tmp_path / "out" / "leaving-care.csv"
    assert main(["--db", str(db), "leaving-care", "--on", "2026-03-01", "--csv", str(target)]) == 0
    assert "Wrote 2 children's leaving-care status on 01/03/2026" in capsys.readouterr().out
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["case_reference"], r["date_of_birth"], r["status"], r["next_change_date"]) for r in rows] == [
        ("C100", "2009-06-15", "Eligible child", "2027-06-15"),
        ("C200", "2009-01-01", "Qualifying young person", "2030-01-01"),
    ]
    assert "days looked after since 14" in rows[0]["reason"]


def test_leaving_care_on_an_empty_database_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "empty.sqlite"
    open_database(db).close()
    assert main(["--db", str(db), "leaving-care"]) == 0
    assert "import SSDA903 files with 'placedesk import-903'" in capsys.readouterr().out


def test_bad_date_argument_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "x.sqlite"), "leaving-care", "--on", "31/02/2026"])
    assert "not a real date" in capsys.readouterr().err


def test_coming_up_writes_the_officers_list_as_csv_and_ics(files: tuple[Path, Path, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    episodes, header, db = files
    main(["--db", str(db), "import-903", str(episodes), str(header), "--create-children"])
    out_csv, out_ics = tmp_path / "week.csv", tmp_path / "week.ics"
    assert main(["--db", str(db), "coming-up", "--on", "01/03/2026", "--days", "100",
                 "--csv", str(out_csv), "--ics", str(out_ics)]) == 0
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # C100 (16 on 15/06/2025, looked after since 01/01/2024) is eligible: the needs assessment was due
    # 15/09/2025. C200 left care on 01/09/2025 after 62 days: qualifying, checked 01/12/2025 and 01/06/2026.
    assert [(r["kind"], r["due_date"], r["overdue"], r["record"], r["concerns"]) for r in rows] == [
        ("Needs assessment", "2025-09-15", "yes", "Child C100", "C100"),
        ("Advice and assistance", "2026-06-01", "no", "Child C200", "C200"),
    ]
    assert "Pathway plan" not in out_csv.read_text(encoding="utf-8").split("\n", 1)[1].split("C200")[1]
    ics = out_ics.read_text(encoding="utf-8")
    assert ics.count("BEGIN:VEVENT") == 2 and "OVERDUE: Needs assessment" in ics
    printed = capsys.readouterr().out
    assert "Wrote 2 item(s)" in printed and "Wrote 2 calendar event(s)" in printed


def test_coming_up_prints_the_list_and_refuses_negative_days(files: tuple[Path, Path, Path],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    episodes, header, db = files
    main(["--db", str(db), "import-903", str(episodes), str(header), "--create-children"])
    capsys.readouterr()
    assert main(["--db", str(db), "coming-up", "--on", "2026-03-01", "--days", "10"]) == 0
    out = capsys.readouterr().out
    assert "Coming up from 01/03/2026 to 11/03/2026: 1 item(s), 1 overdue" in out
    assert "OVERDUE 15/09/2025  Needs assessment: Needs assessment and pathway plan due" in out
    assert main(["--db", str(db), "coming-up", "--days", "-1"]) != 0
    assert "--days cannot be negative" in capsys.readouterr().err
