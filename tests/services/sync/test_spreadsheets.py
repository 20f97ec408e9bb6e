"""Commissioning spreadsheets: typed XLSX that opens in openpyxl, CSV, and pseudonymised output."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from placedesk.db import Database
from placedesk.errors import ValidationError
from placedesk.services.sync.spreadsheets import build_sheets, write_spreadsheets
from tests.services.sync.helpers import TODAY, fill


@pytest.fixture
def filled(db: Database):
    with db.session_scope() as s:
        return fill(s, child_name=("Jordan", "Whitfield"), case_reference="CASE-77123")


def test_the_xlsx_opens_with_typed_columns_frozen_headers_and_money_as_currency(
        db: Database, filled, tmp_path: Path) -> None:
    with db.session_scope() as s:
        result = write_spreadsheets(s, tmp_path / "out", on=TODAY)
    (path,) = result.files
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Placements", "Spend by provider", "Spend by type", "Spend by funding partner",
                               "Referrals", "CAPs", "Overdue actions", "KPI reds"]
    ws = book["Placements"]
    headers = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(headers, ws[2])}
    assert ws.freeze_panes == "A2"
    assert row["Child"].value == "Jordan Whitfield" and row["Case reference"].value == "CASE-77123"
    assert isinstance(row["Start date"].value, dt.datetime) and row["Start date"].value.date() == dt.date(2026, 1, 26)
    assert row["Start date"].number_format == "dd/mm/yyyy"
    assert row["Weekly fee"].value == pytest.approx(4000.01) and "£" in row["Weekly fee"].number_format
    assert row["Active"].value is True
    assert ws.column_dimensions["A"].width >= len("Placement ref")
    partners = {r[0].value: r for r in book["Spend by funding partner"].iter_rows(min_row=2)}
    assert partners["Social care"][3].value == pytest.approx(3000.01)
    referral = [c.value for c in book["Referrals"][2]]
    assert referral[-1] == 21 and isinstance(referral[-1], int)  # days from referral to placement
    overdue = [c.value for c in book["Overdue actions"][2]]
    assert overdue[2] == "Send notification log" and overdue[5] == 10
    reds = [c.value for c in book["KPI reds"][2]]
    assert reds[1] == "ATTEND" and reds[4] == pytest.approx(82.5)


def test_csv_files_hold_exact_money_and_iso_dates(db: Database, filled, tmp_path: Path) -> None:
    with db.session_scope() as s:
        result = write_spreadsheets(s, tmp_path / "out", on=TODAY, xlsx=False, csv=True)
    placements = next(p for p in result.files if p.name == "placements.csv").read_text(encoding="utf-8-sig")
    header, first = placements.splitlines()[:2]
    assert header.startswith("Placement ref,Child,Case reference,Date of birth")
    assert "4000.01" in first and "2026-01-26" in first and "yes" in first


def test_pseudonymised_output_holds_no_name_case_reference_or_date_of_birth(
        db: Database, filled, tmp_path: Path) -> None:
    with db.session_scope() as s:
        fill(s, child_name=("Amara", "Okafor"), case_reference="CASE-88555")
        result = write_spreadsheets(s, tmp_path / "out", on=TODAY, pseudonymise=True, csv=True)
    assert all("pseudonymised" in str(p) for p in result.files)
    secrets = ["Jordan", "Whitfield", "Amara", "Okafor", "CASE-77123", "CASE-88555", "77123", "88555",
               "2010-05-17", "17/05/2010", "40315"]  # 40315 is 17/05/2010 as an Excel serial number
    for path in result.files:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                blob = " ".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        else:
            blob = path.read_text(encoding="utf-8-sig")
        for secret in secrets:
            assert secret not in blob, (path.name, secret)
    ws = openpyxl.load_workbook(next(p for p in result.files if p.suffix == ".xlsx"))["Placements"]
    headers = [c.value for c in ws[1]]
    assert "Date of birth" not in headers and "Age band" in headers
    children = {ws.cell(row=r, column=headers.index("Child (pseudonym)") + 1).value for r in (2, 3)}
    assert all(c.startswith("CHILD-") for c in children) and len(children) == 2


def test_the_same_child_gets_the_same_pseudonym_in_every_sheet_and_every_run(db: Database, filled) -> None:
    with db.session() as s:
        first = build_sheets(s, on=TODAY, pseudonymise=True)
        second = build_sheets(s, on=TODAY, pseudonymise=True)
    placements = first[0].rows[0][1]
    referrals = first[4].rows[0][1]
    assert placements == referrals == second[0].rows[0][1]


def test_an_empty_database_still_gives_every_sheet_with_its_headers(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        result = write_spreadsheets(s, tmp_path, on=TODAY)
    book = openpyxl.load_workbook(result.files[0])
    assert all(book[name].max_row == 1 for name in book.sheetnames)


def test_choosing_no_format_says_what_to_fix(db: Database, tmp_path: Path) -> None:
    with db.session() as s, pytest.raises(ValidationError, match="XLSX, CSV or both"):
        write_spreadsheets(s, tmp_path, on=TODAY, xlsx=False, csv=False)


def test_spend_by_funding_partner_follows_funding_by_element_as_the_dashboard_does(db: Database, tmp_path: Path) -> None:
    from placedesk.models import Placement
    from placedesk.models.enums import FundingPartner, LineFunding
    from placedesk.services.monitoring.dashboard import weekly_spend_by_partner
    from placedesk.services.referrals.funding import refresh_placement_funding

    with db.session_scope() as s:
        placement = s.get(Placement, fill(s).placement.id)
        # The £500.01 education line funded by education alone; the £3,500 core fee shared 75/25:
        # social care £2,625.00, education £875.00 + £500.01 = £1,375.01.
        placement.fee_lines[1].funded_by = LineFunding.EDUCATION
        refresh_placement_funding(placement)
    with db.session_scope() as s:
        book = openpyxl.load_workbook(write_spreadsheets(s, tmp_path / "out", on=TODAY).files[0])
        assert weekly_spend_by_partner(s, TODAY) == {FundingPartner.SOCIAL_CARE: 262500,
                                                     FundingPartner.EDUCATION: 137501}
    ws = book["Placements"]
    row = {h.value: c.value for h, c in zip(ws[1], ws[2])}
    assert row["Social care weekly"] == pytest.approx(2625.00) and row["Education weekly"] == pytest.approx(1375.01)
    partners = {r[0].value: r for r in book["Spend by funding partner"].iter_rows(min_row=2)}
    assert partners["Education"][3].value == pytest.approx(1375.01)
