"""Ofsted lists from different years: header spellings, judgement codes, date forms, sheets, mappings, duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError
from placedesk.models import AuditEvent, Inspection, Provider
from placedesk.models.enums import OfstedJudgement, ProviderType
from placedesk.services.referrals.ofsted_import import import_ofsted_providers, report_lines
from placedesk.services.referrals.ofsted_layout import ColumnsNotRecognised, read_preview

TODAY = dt.date(2026, 3, 2)

# Three years' layouts, as Ofsted's own read-me files name the columns.
LAYOUT_2016 = ["Unique reference number", "Provider type", "Provider subtype", "Provider name", "Local authority",
               "Places", "Date of inspection", "Overall effectiveness"]
ROWS_2016 = [
    ["SC040001", "Children's home", "Secure children's home", "Aire Secure Unit", "Leeds", "8", "14/06/2016", "1"],
    ["SC040002", "Children's home", "Children's home", "Beck House", "Leeds", "4", "02/02/2016", "3"],
    ["SC040003", "Voluntary adoption agency", "", "Adopt Together", "York", "", "", ""],
    ["SC040004", "Children's home", "Children's home", "Calder House", "Wakefield", "3", "20/05/2016", "5"],
]
LAYOUT_2019 = ["Provider URN", "Provision type", "Setting name", "Setting address 1", "Setting town",
               "Setting postcode", "Registration status", "Inspection date",
               "Overall experiences and progress of children and young people"]
ROWS_2019 = [
    ["SC040001", "Secure children's home", "Aire Secure Unit", "1 Aire St", "Leeds", "LS1 1AA", "Active",
     "2019-03-04", "Good"],
    ["SC050005", "Independent fostering agency", "Dale Fostering", "5 Dale Rd", "York", "YO1 7AA", "Active", "", ""],
]
LAYOUT_2023 = ["URN", "Provision type", "Name", "Town", "Sector", "Maximum number of places",
               "Latest full inspection date", "Overall experiences and progress of children and young people"]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, title: str | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if title:
            writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(session: Session, path: Path, **kwargs: object):
    return import_ofsted_providers(session, path, today=TODAY, laptop_id="7f3a", **kwargs)


def provider(session: Session, urn: str) -> Provider:
    return session.scalars(select(Provider).where(Provider.urn == urn)).one()


def test_2016_layout_with_numeric_judgements(session: Session, tmp_path: Path) -> None:
    report = run(session, write_csv(tmp_path / "2016.csv", LAYOUT_2016, ROWS_2016))
    assert (report.rows_read, report.added, report.inspections_added, report.not_judged) == (4, 3, 2, 1)
    assert report.skipped_types == {"Voluntary adoption agency": 1}
    assert provider(session, "SC040001").ofsted_judgement is OfstedJudgement.OUTSTANDING
    assert provider(session, "SC040001").provider_type is ProviderType.CHILDRENS_HOME
    assert provider(session, "SC040002").ofsted_judgement is OfstedJudgement.REQUIRES_IMPROVEMENT
    # 5 = not judged: neither Good nor an error; nothing recorded, so still Not yet inspected.
    calder = provider(session, "SC040004")
    assert calder.ofsted_judgement is OfstedJudgement.NOT_YET_INSPECTED and report.problems == []
    assert ("URN", "Unique reference number") in report.columns_used
    assert ("Provider subtype", "Provider subtype") in report.columns_used
    assert "1 rows have an inspection that was not judged (code 5)" in "\n".join(report_lines(report))


def test_not_judged_keeps_the_last_real_judgement(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "a.csv", LAYOUT_2016, [ROWS_2016[1]]))
    later = list(ROWS_2016[1])
    later[6], later[7] = "01/02/2026", "5"
    report = run(session, write_csv(tmp_path / "b.csv", LAYOUT_2016, [later]))
    beck = provider(session, "SC040002")
    assert beck.ofsted_judgement is OfstedJudgement.REQUIRES_IMPROVEMENT
    assert report.not_judged == 1 and report.inspections_added == 0


def test_2019_layout_updates_the_2016_import_by_urn(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "2016.csv", LAYOUT_2016, ROWS_2016))
    report = run(session, write_csv(tmp_path / "2019.csv", LAYOUT_2019, ROWS_2019, title="Ofsted MI, 31 March 2019"))
    assert (report.added, report.updated, report.header_line) == (1, 1, 2)
    aire = provider(session, "SC040001")
    # The 2019 inspection is newer than 2016's, so its Good replaces Outstanding; ISO dates read.
    assert aire.ofsted_judgement is OfstedJudgement.GOOD and aire.last_inspection_date == dt.date(2019, 3, 4)
    assert aire.postcode == "LS1 1AA"
    assert provider(session, "SC050005").provider_type is ProviderType.IFA
    assert session.scalar(select(func.count()).select_from(Provider)) == 4


def test_2023_workbook_with_several_sheets_and_excel_date_serials(session: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Read me"
    notes.append(["URN: the unique reference number Ofsted gives each provider"])
    places = workbook.create_sheet("Places by LA")
    places.append(["Local authority", "Places"])
    places.append(["Leeds", 120])
    providers = workbook.create_sheet("Providers")
    providers.append(["Children's social care providers, 31 August 2023"])
    providers.append([])
    providers.append(LAYOUT_2023)
    # 45000 is 15/03/2023 as an Excel serial; a general-format cell keeps the number.
    providers.append([1234567, "Children's home", "Elm House", "Leeds", "Private", 5, 45000, 2])
    providers.append(["SC060006", "Children's home", "Fir House", "Leeds", "Private", 2, "45001", "4"])
    providers.append(["SC060007", "Children's home", "Gorse House", "Leeds", "Private", 2,
                      dt.datetime(2023, 1, 9), "Requires improvement to be good"])
    path = tmp_path / "ofsted-2023.xlsx"
    workbook.save(path)
    report = run(session, path)
    assert report.sheet == "Providers" and report.other_sheets == ["Read me", "Places by LA"]
    assert (report.added, report.inspections_added, report.problems) == (3, 3, [])
    elm = provider(session, "1234567")
    assert elm.last_inspection_date == dt.date(2023, 3, 15) and elm.ofsted_judgement is OfstedJudgement.GOOD
    assert elm.places == 5
    assert provider(session, "SC060006").last_inspection_date == dt.date(2023, 3, 16)
    assert "Providers" in report_lines(report)[0]


def test_an_unrecognised_file_offers_its_header_and_a_preview_for_mapping(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "council.csv", ["Ref", "Kind", "Home", "Judged on", "Result"],
                     [["SC070007", "Children's home", "Holly House", "03/03/2025", "Good"]])
    with pytest.raises(ColumnsNotRecognised) as raised:
        run(session, path)
    assert raised.value.headers == ["Ref", "Kind", "Home", "Judged on", "Result"]
    assert raised.value.preview == [["SC070007", "Children's home", "Holly House", "03/03/2025", "Good"]]
    assert "no URN column" in str(raised.value)
    assert isinstance(read_preview(path), ColumnsNotRecognised)
    mapping = {"urn": "Ref", "provision_type": "Kind", "name": "Home", "inspection_date": "Judged on",
               "judgement": "Result"}
    report = run(session, path, mapping=mapping)
    assert report.added == 1 and provider(session, "SC070007").ofsted_judgement is OfstedJudgement.GOOD
    assert ("Overall judgement", "Result") in report.columns_used
    # A file with the same header imports next time without asking: the mapping was remembered.
    again = write_csv(tmp_path / "council-2026.csv", ["ref", "KIND", "Home", "Judged on", "Result"],
                      [["SC070008", "Children's home", "Ivy House", "", ""]])
    report = run(session, again)
    assert report.added == 1 and report.mapping_remembered
    assert "Columns used (as remembered for this header):" in report_lines(report)


def test_a_mapping_naming_a_missing_column_is_refused(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ["Ref", "Kind", "Home"], [["SC070007", "Children's home", "Holly"]])
    with pytest.raises(PlaceDeskError, match='has no column "Provider URN" for URN'):
        run(session, path, mapping={"urn": "Provider URN", "provision_type": "Kind", "name": "Home"})
    with pytest.raises(PlaceDeskError, match="'colour' is not a field"):
        run(session, path, mapping={"colour": "Kind"})


def test_duplicate_urns_keep_the_first_and_report_both_lines(session: Session, tmp_path: Path) -> None:
    rows = [ROWS_2016[0], ROWS_2016[1], list(ROWS_2016[0]), ["SC040002", "Children's home", "Children's home",
                                                              "Beck House (renamed)", "Leeds", "4", "", ""]]
    report = run(session, write_csv(tmp_path / "dupes.csv", LAYOUT_2016, rows))
    assert report.added == 2 and report.rows_read == 4
    assert [(p.line, p.reason) for p in report.repeats] == [
        (4, "repeats line 2 exactly (URN SC040001): ignored")]
    assert [(p.line, p.reason) for p in report.duplicates] == [
        (5, "URN SC040002 is also on line 3, which is kept: line 5 was not imported")]
    assert provider(session, "SC040002").name == "Beck House"
    text = "\n".join(report_lines(report))
    assert "1 rows repeat an earlier row exactly and were ignored" in text
    assert "1 rows have a URN already read on an earlier line; the first is kept" in text


def test_the_report_says_which_columns_were_used(session: Session, tmp_path: Path) -> None:
    report = run(session, write_csv(tmp_path / "2019.csv", LAYOUT_2019, ROWS_2019))
    lines = report_lines(report)
    assert "  Name: Setting name" in lines and "  Postcode: Setting postcode" in lines
    assert lines[1] == "2 providers added, 0 updated, 0 unchanged; 1 inspections recorded."


CELL = st.one_of(st.none(), st.sampled_from(["SC123456", "1234567", "Children's home", "Boarding school", "Oak",
                                            "1", "5", "9", "Good", "45000", "31/02/2025", "2025-01-01", "", "-"]),
                 st.text(max_size=10), st.integers(-5, 100000), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=6), as_xlsx=st.booleans(),
       header=st.sampled_from([LAYOUT_2016, LAYOUT_2023, ["Name", "Town"]]))
def test_any_list_imports_or_is_refused_with_the_directory_unchanged(session: Session, tmp_path: Path,
                                                                    rows: list[list[object]], as_xlsx: bool,
                                                                    header: list[str]) -> None:
    session.rollback()
    if as_xlsx:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
        path = tmp_path / "fuzz.xlsx"
        try:
            workbook.save(path)
        except ValueError:
            return  # openpyxl refuses some characters in cells: no such workbook can exist
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header] + [["" if c is None else c for c in row] for row in rows])
        path = tmp_path / "fuzz.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
    before = (session.scalar(select(func.count()).select_from(Provider)),
              session.scalar(select(func.count()).select_from(Inspection)))
    try:
        report = import_ofsted_providers(session, path, today=TODAY, laptop_id="F022")
    except PlaceDeskError as exc:
        assert str(exc)
        session.rollback()
        assert (session.scalar(select(func.count()).select_from(Provider)),
                session.scalar(select(func.count()).select_from(Inspection))) == before
    else:
        assert report.added + report.updated + report.unchanged + report.bad_rows + report.skipped \
            + report.duplicate_rows + report.repeat_rows <= report.rows_read
        assert session.scalar(select(func.count()).select_from(Provider)) == report.added
        assert session.scalar(select(func.count()).select_from(AuditEvent)) >= report.added
        session.rollback()


@pytest.mark.parametrize("as_xlsx", [False, True])
def test_progress_is_reported_and_stopping_it_leaves_the_directory_unchanged(session: Session, tmp_path: Path,
                                                                            as_xlsx: bool) -> None:
    rows = [[f"SC{80000 + i}", "Children's home", "", f"Home {i}", "Leeds", "2", "", ""] for i in range(2500)]
    path = write_csv(tmp_path / "big.csv", LAYOUT_2016, rows)
    if as_xlsx:
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.active.append(LAYOUT_2016)
        for row in rows:
            workbook.active.append(row)
        path = tmp_path / "big.xlsx"
        workbook.save(path)
    seen: list[tuple[int, int]] = []
    run(session, path, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 2 and seen[-1][0] == seen[-1][1]
    session.rollback()

    class Stop(PlaceDeskError):
        pass

    calls: list[int] = []

    def stop_later(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise Stop("cancelled")

    with pytest.raises(Stop):
        run(session, path, progress=stop_later)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Provider)) == 0


def test_a_mapping_finds_its_sheet_in_a_workbook_with_notes_first(session: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Read me first"])
    homes = workbook.create_sheet("Homes")
    homes.append(["Ref", "Kind", "Home"])
    homes.append(["SC070007", "Children's home", "Holly House"])
    path = tmp_path / "council.xlsx"
    workbook.save(path)
    report = run(session, path, mapping={"urn": "Ref", "provision_type": "Kind", "name": "Home"})
    assert report.added == 1 and report.sheet == "Homes" and report.other_sheets == ["Notes"]
    with pytest.raises(PlaceDeskError, match='has no column "Setting URN"'):
        run(session, path, mapping={"urn": "Setting URN", "provision_type": "Kind", "name": "Home"})
