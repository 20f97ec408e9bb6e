"""The postcode location table: importing real-shaped files, grid conversion, lookups, distance."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError
from placedesk.models import PostcodeLocation
from placedesk.services.referrals.osgrid import grid_to_wgs84
from placedesk.services.referrals.postcodes import (
    _Columns,
    distance_km,
    import_locations,
    location_for,
    locations_for,
    parse_location_row,
)


def _write(tmp_path: Path, text: str, name: str = "locations.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_grid_conversion_matches_the_ordnance_survey_worked_example() -> None:
    # OS guide annex C: TG 51409 13177 is 52°39'27.2531"N 1°43'4.5177"E on OSGB36;
    # WGS84 moves it about 100 m, to roughly 52.65798 N, 1.71605 E.
    lat, lon = grid_to_wgs84(651409.903, 313177.270)
    assert lat == pytest.approx(52.65798, abs=0.0002)
    assert lon == pytest.approx(1.71605, abs=0.0003)


def test_grid_conversion_agrees_with_the_outcode_table(outcodes_csv: Path) -> None:
    import csv

    worst = 0.0
    with outcodes_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lat, lon = grid_to_wgs84(float(row["easting"]), float(row["northing"]))
            worst = max(worst, distance_km((lat, lon), (float(row["latitude"]), float(row["longitude"]))))
    # The table's grid references are rounded to 100 m.
    assert worst < 0.2


def test_import_outcode_table(session: Session, outcodes_csv: Path) -> None:
    report = import_locations(session, outcodes_csv)
    assert report.key_column == "postcode"
    assert report.coordinates == "latitude/longitude"
    assert report.bad_rows == 0 and report.rows_read == report.imported > 2800
    assert session.scalar(select(func.count()).select_from(PostcodeLocation)) == report.imported
    sheffield = location_for(session, "S10 2TN")  # full postcode falls back to S10
    leeds = location_for(session, "ls1")
    assert sheffield is not None and leeds is not None
    assert 45 < distance_km(sheffield, leeds) < 48  # straight line, not by road


def test_easting_northing_columns_are_converted(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, "PCDS,OSEAST1M,OSNRTH1M\nS10 2TN,431700,386900\nZZ,1,1\nS1 1AA,,386000\n")
    report = import_locations(session, path)
    assert report.coordinates.startswith("easting/northing")
    assert report.imported == 1
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "'ZZ' is not a postcode or outward code"), (4, "no easting"),
    ]
    lat, lon = location_for(session, "S10 2TN")
    assert lat == pytest.approx(53.38, abs=0.01) and lon == pytest.approx(-1.52, abs=0.01)


def test_headers_are_recognised_whatever_their_case_and_spacing(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, " Outward_Code ,Lat, LNG \nS10,53.38,-1.51\n")
    report = import_locations(session, path)
    assert report.imported == 1 and report.key_column == "Outward_Code"


def test_reimport_updates_rather_than_duplicates(session: Session, tmp_path: Path) -> None:
    import_locations(session, _write(tmp_path, "postcode,latitude,longitude\nS10,53.0,-1.0\n"))
    import_locations(session, _write(tmp_path, "postcode,latitude,longitude\nS10,53.38,-1.51\n", "b.csv"))
    assert session.scalar(select(func.count()).select_from(PostcodeLocation)) == 1
    assert location_for(session, "S10") == (53.38, -1.51)


def test_bad_rows_are_reported_by_line_and_the_rest_imported(session: Session, tmp_path: Path) -> None:
    text = ("pcd,lat,long\nS10 2TN,53.38,-1.51\nAB1 2CD,99.999999,0.000000\nS11 8XX,north,-1.5\n"
            "\nS12 1AA,53.3\n")
    report = import_locations(session, _write(tmp_path, text))
    assert report.imported == 1
    # ONS's 99.999999 means "no location": skipped and counted, not a fault in the file.
    assert report.skipped == {"no location given in the file": 1}
    assert [(p.line, p.reason) for p in report.problems] == [
        (4, "latitude 'north' is not a number"),
        (6, "has 2 columns, expected at least 3"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "is empty"), ("name,lat,long\nx,1,2\n", "no postcode column"),
     ("postcode,town\nS10,Sheffield\n", "no coordinates")],
)
def test_unusable_files_are_refused_with_what_to_fix(session: Session, tmp_path: Path, text: str,
                                                     message: str) -> None:
    with pytest.raises(PlaceDeskError, match=message):
        import_locations(session, _write(tmp_path, text))


def test_missing_file_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(PlaceDeskError, match="Cannot open"):
        import_locations(session, tmp_path / "nope.csv")


def test_lookup_prefers_the_full_postcode(session: Session) -> None:
    session.add_all([PostcodeLocation(postcode="S10", latitude=53.0, longitude=-1.0),
                     PostcodeLocation(postcode="S102TN", latitude=53.38, longitude=-1.51)])
    session.flush()
    assert locations_for(session, ["S10 2TN", "s10 9zz", "TR1 1AA", ""]) == {
        "S10 2TN": (53.38, -1.51), "s10 9zz": (53.0, -1.0),
    }


def test_distance_is_symmetric_and_zero_at_a_point() -> None:
    london, edinburgh = (51.5072, -0.1276), (55.9533, -3.1883)
    assert distance_km(london, edinburgh) == pytest.approx(534, abs=3)
    assert distance_km(edinburgh, london) == distance_km(london, edinburgh)
    assert distance_km(london, london) == 0


COLUMNS = _Columns(key=0, key_name="postcode", lat=1, lon=2, east=None, north=None)


@given(st.lists(st.text(max_size=12), min_size=0, max_size=5))
def test_row_parser_returns_a_clean_location_or_says_why(row: list[str]) -> None:
    try:
        key, lat, lon = parse_location_row(row, COLUMNS)
    except ValueError as exc:
        assert str(exc)
    else:
        assert key == key.upper() and " " not in key
        assert 49 <= lat <= 61.5 and -9 <= lon <= 2.5 and math.isfinite(lat)
