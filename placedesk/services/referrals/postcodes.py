"""The postcode location table: importing it, looking places up, measuring distance.

The officer imports, once, any CSV their authority holds that gives a
postcode (or an outward code such as ``S10``) with either latitude/longitude
or a National Grid easting/northing: the ONS Postcode Directory, OS
Code-Point Open, an outward-code centroid list. Column names are recognised
whatever their case or spacing. Rows that cannot be read are reported by
line with the reason; the rest are imported, replacing earlier locations for
the same key.

Lookups try the full postcode first and fall back to its outward code, so a
table of outward-code centroids is enough for distances at district level.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError
from placedesk.models import PostcodeLocation
from placedesk.services.referrals.osgrid import grid_to_wgs84
from placedesk.services.common.parsing import outward_code, postcode_key

EARTH_RADIUS_KM = 6371.0088
BATCH = 2000
# Enough lines to fix a file by; the count of bad rows is always complete.
MAX_REPORTED_PROBLEMS = 500

# Header names as they appear in the files authorities hold, compared after
# lower-casing and dropping spaces, underscores and hyphens.
POSTCODE_HEADERS = ("pcds", "pcd", "pcd2", "postcode", "postcodes", "postalcode")
OUTCODE_HEADERS = ("outcode", "outwardcode", "postcodedistrict", "postcodeoutward", "district")
LATITUDE_HEADERS = ("lat", "latitude")
LONGITUDE_HEADERS = ("long", "lng", "lon", "longitude")
EASTING_HEADERS = ("easting", "eastings", "oseast1m", "east", "x")
NORTHING_HEADERS = ("northing", "northings", "osnrth1m", "north", "y")

# Generous bounds of the UK and Crown dependencies; ONS marks postcodes without
# a location with latitude 99.999999, which these reject.
_LAT_RANGE = (49.0, 61.5)
_LON_RANGE = (-9.0, 2.5)
_EASTING_RANGE = (0.0, 700000.0)
_NORTHING_RANGE = (0.0, 1300000.0)

_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


@dataclass
class ImportProblem:
    """A row that was not imported: its line in the file (header is line 1) and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: rows read and imported, and each row it could not read."""

    path: Path
    key_column: str
    coordinates: str  # "latitude/longitude" or "easting/northing (converted to WGS84)"
    rows_read: int = 0
    imported: int = 0
    bad_rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    def add_problem(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(ImportProblem(line, reason))


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lower().lstrip("\ufeff"))


def _find(headers: list[str], names: tuple[str, ...]) -> int | None:
    normalised = [_norm(h) for h in headers]
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


@dataclass(frozen=True)
class _Columns:
    key: int
    key_name: str
    lat: int | None
    lon: int | None
    east: int | None
    north: int | None

    @property
    def uses_grid(self) -> bool:
        return self.lat is None


def _detect_columns(headers: list[str], path: Path) -> _Columns:
    key = _find(headers, POSTCODE_HEADERS)
    if key is None:
        key = _find(headers, OUTCODE_HEADERS)
    if key is None:
        raise PlaceDeskError(
            f"{path.name} has no postcode column. The first line must name the columns, with one called "
            "postcode, pcds, pcd or outcode (found: " + ", ".join(h for h in headers if h.strip()) + ")."
        )
    lat, lon = _find(headers, LATITUDE_HEADERS), _find(headers, LONGITUDE_HEADERS)
    east, north = _find(headers, EASTING_HEADERS), _find(headers, NORTHING_HEADERS)
    if lat is not None and lon is not None:
        return _Columns(key, headers[key].strip(), lat, lon, None, None)
    if east is not None and north is not None:
        return _Columns(key, headers[key].strip(), None, None, east, north)
    raise PlaceDeskError(
        f"{path.name} has a postcode column but no coordinates: it needs latitude and longitude columns "
        "(lat/latitude, long/lng/longitude) or easting and northing columns (easting/oseast1m, northing/osnrth1m)."
    )


def parse_location_row(row: list[str], columns: _Columns) -> tuple[str, float, float]:
    """(key, latitude, longitude) for one row, or ValueError saying what is wrong with it."""
    needed = max(i for i in (columns.key, columns.lat, columns.lon, columns.east, columns.north) if i is not None)
    if len(row) <= needed:
        raise ValueError(f"has {len(row)} columns, expected at least {needed + 1}")
    raw_key = row[columns.key].strip()
    if not raw_key:
        raise ValueError("no postcode")
    key = postcode_key(raw_key)
    if not _FULL_POSTCODE.match(key) and outward_code(key) != key:
        raise ValueError(f"'{raw_key}' is not a postcode or outward code")

    def number(index: int, name: str) -> float:
        text = row[index].strip()
        if not text:
            raise ValueError(f"no {name}")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{name} '{text}' is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{name} '{text}' is not a number")
        return value

    if columns.uses_grid:
        assert columns.east is not None and columns.north is not None
        east, north = number(columns.east, "easting"), number(columns.north, "northing")
        if not (_EASTING_RANGE[0] <= east <= _EASTING_RANGE[1] and _NORTHING_RANGE[0] <= north <= _NORTHING_RANGE[1]):
            raise ValueError(f"easting/northing {east:.0f},{north:.0f} is outside Great Britain's grid")
        if east == 0 and north == 0:
            raise ValueError("has no grid reference (0,0)")
        lat, lon = grid_to_wgs84(east, north)
    else:
        assert columns.lat is not None and columns.lon is not None
        lat, lon = number(columns.lat, "latitude"), number(columns.lon, "longitude")
        if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]):
            raise ValueError(f"latitude/longitude {lat},{lon} is outside the UK")
    return key, lat, lon


def _read_rows(path: Path) -> Iterator[list[str]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise PlaceDeskError(f"Cannot open {path}: {exc.strerror or exc}.") from exc
    with handle:
        yield from csv.reader(handle)


def import_locations(session: Session, path: Path) -> ImportReport:
    """Import a postcode location CSV into the table, in the caller's transaction."""
    path = Path(path)
    rows = _read_rows(path)
    try:
        headers = next(rows)
    except StopIteration:
        raise PlaceDeskError(f"{path.name} is empty: it needs a header line and one row per postcode.") from None
    except csv.Error as exc:
        raise PlaceDeskError(f"{path.name} is not a readable CSV file ({exc}).") from exc
    columns = _detect_columns(headers, path)
    report = ImportReport(
        path=path, key_column=columns.key_name,
        coordinates="easting/northing (converted to WGS84)" if columns.uses_grid else "latitude/longitude",
    )
    batch: dict[str, tuple[float, float]] = {}
    line = 1
    try:
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            report.rows_read += 1
            try:
                key, lat, lon = parse_location_row(row, columns)
            except ValueError as exc:
                report.add_problem(line, str(exc))
                continue
            batch[key] = (lat, lon)
            if len(batch) >= BATCH:
                report.imported += _upsert(session, batch)
                batch = {}
    except csv.Error as exc:
        raise PlaceDeskError(f"{path.name} stops being readable CSV at line {line + 1} ({exc}).") from exc
    report.imported += _upsert(session, batch)
    return report


def _upsert(session: Session, batch: dict[str, tuple[float, float]]) -> int:
    if not batch:
        return 0
    statement = insert(PostcodeLocation).values(
        [{"postcode": key, "latitude": lat, "longitude": lon} for key, (lat, lon) in batch.items()]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[PostcodeLocation.postcode],
        set_={"latitude": statement.excluded.latitude, "longitude": statement.excluded.longitude},
    )
    session.execute(statement)
    return len(batch)


@functools.lru_cache(maxsize=65536)
def lookup_keys(postcode: str) -> tuple[str, ...]:
    """The keys to try for a postcode, most precise first: full postcode, outward code."""
    key = postcode.replace(" ", "").upper()
    if _FULL_POSTCODE.match(key):
        # The inward code is always the last three characters.
        return (key, key[:-3])
    key = postcode_key(postcode)
    if not key:
        return ()
    outward = outward_code(key)
    return (key, outward) if outward and outward != key else (key,)


def locations_for(session: Session, postcodes: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Postcode as given -> (latitude, longitude), in one query; unknown ones are left out."""
    wanted = {pc: lookup_keys(pc) for pc in set(postcodes) if pc}
    keys = sorted({k for ks in wanted.values() for k in ks})
    found: dict[str, tuple[float, float]] = {}
    # SQLite limits bound parameters per statement; stay well under it.
    for start in range(0, len(keys), 30000):
        chunk = keys[start:start + 30000]
        found.update(
            (pc, (lat, lon))
            for pc, lat, lon in session.execute(
                select(PostcodeLocation.postcode, PostcodeLocation.latitude, PostcodeLocation.longitude)
                .where(PostcodeLocation.postcode.in_(chunk))
            ).fetchall()
        )
    result: dict[str, tuple[float, float]] = {}
    for pc, ks in wanted.items():
        for k in ks:
            if k in found:
                result[pc] = found[k]
                break
    return result


def location_for(session: Session, postcode: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a postcode, or of its outward code; None if neither is known."""
    return locations_for(session, [postcode]).get(postcode)


def has_locations(session: Session) -> bool:
    """Whether a location table has been imported at all."""
    return session.execute(select(PostcodeLocation.postcode).limit(1)).first() is not None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in km between two (latitude, longitude) points."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


__all__ = [
    "ImportProblem",
    "ImportReport",
    "distance_km",
    "has_locations",
    "import_locations",
    "location_for",
    "locations_for",
    "lookup_keys",
    "parse_location_row",
]
