"""Postcode tables as publishers distribute them: Code-Point Open zip and area CSV, the ONSPD with terminated rows."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError
from placedesk.models import PostcodeLocation
from placedesk.services.referrals.osgrid import grid_to_wgs84
from placedesk.services.referrals.postcodes import import_locations, location_for, report_lines

CODEPOINT_DOC = ("PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n"
                 "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,NHS_regional_HA_code,"
                 "NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\n")
# Code-Point Open area files: no header line, postcode quoted, then quality, eastings, northings, codes.
AREA_S = ('"S10 2TN",10,431700,386900,"E92000001","E19000003","E18000003","","E08000019","E05010859"\n'
          '"S1  1AA",10,435300,387200,"E92000001","E19000003","E18000003","","E08000019","E05010862"\n'
          '"S99 9ZZ",90,0,0,"E92000001","","","","",""\n')
AREA_LS = ('"LS1 1UR",10,429900,433400,"E92000001","E19000003","E18000003","","E08000035","E05011414"\n'
           '"LS1 1XX",10,north,433400,"E92000001","","","","",""\n')

ONSPD_HEADER = ("pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,"
                "oshlthau,nhser,ctry,rgn,lat,long,imd\n")


def onspd_row(pcds: str, doterm: str, east: str, north: str, lat: str, lon: str) -> str:
    pcd = pcds.replace(" ", "").ljust(7)
    return (f'{pcd},{pcd.ljust(8)},{pcds},199801,{doterm},E99999999,E99999999,E08000019,E05010859,E43000173,0,'
            f"{east},{north},1,E18000003,E40000001,E92000001,E12000003,{lat},{lon},12345\n")


ONSPD_ROWS = (onspd_row("S10 2TN", "", "431700", "386900", "53.380000", "-1.520000")
              + onspd_row("S10 9ZZ", "200012", "431800", "386950", "53.390000", "-1.530000")
              + onspd_row("S11 8AA", "", "", "", "99.999999", "0.000000")
              + onspd_row("LS1 1UR", "", "429900", "433400", "53.797000", "-1.549000"))


def codepoint_zip(path: Path, *, with_doc: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if with_doc:
            archive.writestr("Doc/Code-Point_Open_Column_Headers.csv", CODEPOINT_DOC)
        archive.writestr("Doc/licence.txt", "Contains OS data")
        archive.writestr("Data/CSV/ls.csv", AREA_LS)
        archive.writestr("Data/CSV/s.csv", AREA_S)
    return path


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PostcodeLocation)) or 0)


def test_codepoint_open_zip_reads_every_area_file_without_headers(session: Session, tmp_path: Path) -> None:
    report = import_locations(session, codepoint_zip(tmp_path / "codepo_gb.zip"))
    assert report.kind == "OS Code-Point Open (2 area files)" and report.files == 2
    assert report.rows_read == 5 and report.imported == 3
    assert report.skipped == {"no location given in the file": 1}
    assert [(p.file, p.line, p.reason) for p in report.problems] == [
        ("ls.csv", 2, "easting 'north' is not a number")]
    assert ("easting", "Eastings") in report.columns_used and ("positional quality",
                                                              "Positional_quality_indicator") in report.columns_used
    lat, lon = location_for(session, "S10 2TN")
    assert (lat, lon) == pytest.approx(grid_to_wgs84(431700, 386900), abs=1e-9)
    assert location_for(session, "S1 1AA") is not None
    text = "\n".join(report_lines(report))
    assert "line 2 of ls.csv: easting 'north' is not a number" in text
    assert "Skipped 1 rows: no location given in the file." in text


def test_codepoint_zip_without_its_header_document_uses_the_documented_order(session: Session,
                                                                             tmp_path: Path) -> None:
    report = import_locations(session, codepoint_zip(tmp_path / "codepo_gb.zip", with_doc=False))
    assert report.imported == 3 and report.columns_used[0] == ("postcode", "Postcode")


def test_a_single_codepoint_area_csv_imports(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(AREA_S, encoding="utf-8")
    report = import_locations(session, path)
    assert report.kind == "OS Code-Point Open area file" and report.imported == 2
    assert location_for(session, "S1 1AA") == pytest.approx(grid_to_wgs84(435300, 387200))


def test_onspd_skips_terminated_postcodes_but_keeps_them_findable_by_outward_code(session: Session,
                                                                                   tmp_path: Path) -> None:
    path = tmp_path / "ONSPD_FEB_2026_UK.csv"
    path.write_text(ONSPD_HEADER + ONSPD_ROWS, encoding="utf-8")
    report = import_locations(session, path)
    assert report.kind == "ONS Postcode Directory" and report.rows_read == 4
    assert report.imported == 2 and report.terminated == 1
    assert report.skipped == {"terminated postcodes": 1, "no location given in the file": 1}
    assert ("date terminated", "doterm") in report.columns_used
    assert report.outward_codes == 2  # S10 and LS1
    assert session.get(PostcodeLocation, "S109ZZ") is None
    # The terminated postcode falls back to its district's centre, made from S10 2TN and itself.
    lat, lon = location_for(session, "S10 9ZZ")
    assert (lat, lon) == pytest.approx((53.385, -1.525))
    assert location_for(session, "S10 2TN") == (53.38, -1.52)
    assert "Skipped 1 rows: terminated postcodes (kept findable by their outward code)." in report_lines(report)


def test_onspd_zip_reads_the_whole_country_file_not_the_per_area_copies(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "ONSPD_FEB_2026.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Data/ONSPD_FEB_2026_UK.csv", ONSPD_HEADER + ONSPD_ROWS)
        archive.writestr("Data/multi_csv/ONSPD_FEB_2026_UK_S.csv", ONSPD_HEADER + ONSPD_ROWS)
        archive.writestr("Documents/LA_UA names and codes UK as at 04_23.csv", "LAD23CD,LAD23NM\nE08000019,Sheffield\n")
        archive.writestr("User Guide/readme.txt", "ONS Postcode Directory")
    report = import_locations(session, path)
    assert report.kind == "ONS Postcode Directory (ONSPD_FEB_2026_UK.csv)"
    assert (report.rows_read, report.imported, report.terminated) == (4, 2, 1)


def test_progress_is_reported_and_an_exception_from_it_stops_the_import(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "ONSPD.csv"
    path.write_text(ONSPD_HEADER + ONSPD_ROWS, encoding="utf-8")
    seen: list[tuple[int, int]] = []
    import_locations(session, path, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == path.stat().st_size

    class Stop(PlaceDeskError):
        pass

    def cancel(done: int, total: int) -> None:
        raise Stop("cancelled")

    session.rollback()
    with pytest.raises(Stop):
        import_locations(session, path, progress=cancel)
    session.rollback()
    assert count(session) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("pc.zip", b"PK\x03\x04 broken", "not a readable zip"),
     ("pc.csv", b"\x00\x01\x02", "not a CSV file"),
     ("pc.csv", b"name,lat,long\nx,1,2\n", "no postcode column")],
)
def test_unreadable_files_are_refused(session: Session, tmp_path: Path, name: str, content: bytes,
                                      message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlaceDeskError, match=message):
        import_locations(session, path)


def test_a_zip_without_a_postcode_table_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.csv", "a,b\n1,2\n")
    with pytest.raises(PlaceDeskError, match="holds no CSV of postcode locations"):
        import_locations(session, path)


CELL = st.one_of(st.sampled_from(["S10 2TN", "LS1 1UR", "S10", "431700", "386900", "53.38", "-1.5", "99.999999",
                                  "90", "10", "", "200012", "x", '"', "1e400", "nan"]), st.text(max_size=8))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(layout=st.sampled_from(["onspd", "codepoint", "codepoint-zip"]),
       rows=st.lists(st.lists(CELL, min_size=0, max_size=21), max_size=6),
       raw=st.binary(max_size=40))
def test_any_file_imports_or_is_refused_with_the_table_unchanged(session: Session, tmp_path: Path, layout: str,
                                                                 rows: list[list[str]], raw: bytes) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    body = buffer.getvalue().encode("utf-8") + raw
    path = tmp_path / ("f.zip" if layout == "codepoint-zip" else "f.csv")
    if layout == "codepoint-zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("Doc/Code-Point_Open_Column_Headers.csv", CODEPOINT_DOC)
            archive.writestr("Data/CSV/s.csv", body)
    else:
        path.write_bytes((ONSPD_HEADER.encode() if layout == "onspd" else b"") + body)
    session.rollback()
    before = count(session)
    try:
        report = import_locations(session, path)
    except PlaceDeskError as exc:
        assert str(exc)
        session.rollback()
        assert count(session) == before
    else:
        assert report.imported + report.bad_rows + sum(report.skipped.values()) <= report.rows_read + 1
        for key, lat, lon in session.execute(select(PostcodeLocation.postcode, PostcodeLocation.latitude,
                                                    PostcodeLocation.longitude)):
            assert 49 <= lat <= 61.5 and -9 <= lon <= 2.5, key
        session.rollback()


def test_nspl_zip_in_its_own_layout(session: Session, tmp_path: Path) -> None:
    header = "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,lat,long\n"
    rows = ("S10 2TN,S10 2TN,S10 2TN,198001,,0,431700,386900,1,E00039474,E99999999,E99999999,E08000019,"
            "E05010859,53.380000,-1.520000\n"
            "S10 9ZZ,S10 9ZZ,S10 9ZZ,198001,201506,0,431800,386950,1,E00039474,E99999999,E99999999,E08000019,"
            "E05010859,53.390000,-1.530000\n")
    path = tmp_path / "NSPL_FEB_2026_UK.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Data/NSPL_FEB_2026_UK.csv", header + rows)
    report = import_locations(session, path)
    assert report.kind == "National Statistics Postcode Lookup (NSPL_FEB_2026_UK.csv)"
    assert (report.imported, report.terminated) == (1, 1)
    assert location_for(session, "S10 2TN") == (53.38, -1.52)
