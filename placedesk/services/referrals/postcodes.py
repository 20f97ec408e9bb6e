"""The postcode location table: importing it, looking places up, measuring distance.

The officer imports, once, the table their authority holds (see
:mod:`postcode_files` for the layouts: the ONS Postcode Directory or NSPL,
OS Code-Point Open as distributed, an outward-code centroid list; CSV or the
zip they come in). Rows that cannot be read are reported by line with the
reason; the rest are imported, replacing earlier locations for the same key.
The import streams: rows are read, converted and written in batches, with
``progress(done, total)`` called as it goes; an exception from ``progress``
(the officer cancelling) stops it and the caller's transaction rolls back.

Terminated postcodes (the directory's ``doterm`` is set) are skipped and
counted: matching measures from where children and providers are now, and a
terminated postcode may since have been reused elsewhere. They stay findable
by outward code: every import of full postcodes also stores each outward
code's centroid (the mean of its postcodes, terminated ones included), and
lookups fall back to it, so a child's historic address still gets a
distance at district level. Rows the publisher marks as having no location
(ONS's latitude 99.999999, Code-Point's positional quality 90 or a 0,0 grid
reference) are skipped and counted too.

Lookups try the full postcode first and fall back to its outward code, so a
table of outward-code centroids is enough for distances at district level.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.db.dialect import driver_sql
from placedesk.errors import PlaceDeskError
from placedesk.models import PostcodeLocation
from placedesk.services.common.parsing import outward_code, postcode_key
from placedesk.services.referrals.osgrid import grid_to_wgs84, grid_to_wgs84_many
from placedesk.services.referrals.postcode_files import (
    Columns,
    detect_columns,
    plan_import,
    read_rows,
)

EARTH_RADIUS_KM = 6371.0088
BATCH = 20000
# Enough lines to fix a file by; the count of bad rows is always complete.
MAX_REPORTED_PROBLEMS = 500
SKIPPED_TERMINATED = "terminated postcodes"
SKIPPED_NO_LOCATION = "no location given in the file"

# Generous bounds of the UK and Crown dependencies.
_LAT_RANGE = (49.0, 61.5)
_LON_RANGE = (-9.0, 2.5)
_EASTING_RANGE = (0.0, 700000.0)
_NORTHING_RANGE = (0.0, 1300000.0)
# ONS marks postcodes without a location with this latitude.
_ONS_NO_LATITUDE = 99.999999
# Code-Point Open's positional quality for a postcode with no coordinates.
_CODEPOINT_NO_LOCATION = "90"

_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")

# Kept under its old name for callers that build columns by hand.
_Columns = Columns


class NoLocation(ValueError):
    """The file itself says it has no location for this postcode (not a fault in the file)."""


@dataclass
class ImportProblem:
    """A row that was not imported: its line in the file (header is line 1), the file in a zip, and why."""

    line: int
    reason: str
    file: str = ""

    @property
    def where(self) -> str:
        return f"line {self.line}" + (f" of {self.file}" if self.file else "")


@dataclass
class ImportReport:
    """What an import did: what was read, what was imported, what was skipped and why."""

    path: Path
    key_column: str
    coordinates: str  # "latitude/longitude" or "easting/northing (converted to WGS84)"
    kind: str = "postcode table"
    rows_read: int = 0
    imported: int = 0
    bad_rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    # Reason -> rows skipped on purpose (terminated, no location): not faults in the file.
    skipped: Counter[str] = field(default_factory=Counter)
    outward_codes: int = 0
    files: int = 1
    # (what, the file's column) for every column read.
    columns_used: list[tuple[str, str]] = field(default_factory=list)

    @property
    def terminated(self) -> int:
        return self.skipped[SKIPPED_TERMINATED]

    def add_problem(self, line: int, reason: str, file: str = "") -> None:
        self.bad_rows += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(ImportProblem(line, reason, file))


def report_lines(report: ImportReport) -> list[str]:
    """The import report as the officer reads it: what was read, imported, skipped by reason, and bad lines."""
    lines = [f"{report.path.name}: {report.kind}, {report.rows_read:,} rows read"
             + (f" from {report.files:,} files" if report.files > 1 else "") + f" ({report.coordinates}).",
             f"Imported {report.imported:,} locations"
             + (f", and {report.outward_codes:,} outward-code centres worked out from them" if report.outward_codes
                else "") + f"; {report.bad_rows:,} rows could not be read."]
    for reason, count in report.skipped.most_common():
        note = (" (kept findable by their outward code)" if reason == SKIPPED_TERMINATED else "")
        lines.append(f"Skipped {count:,} rows: {reason}{note}.")
    if report.problems:
        lines.append("Rows not read:")
        lines.extend(f"  {problem.where}: {problem.reason}" for problem in report.problems)
        if report.bad_rows > len(report.problems):
            lines.append(f"  ... and {report.bad_rows - len(report.problems):,} more")
    lines.append("Columns used: " + "; ".join(f"{what} from '{column}'" for what, column in report.columns_used)
                 + ".")
    return lines


def _number(row: list[str], index: int, name: str) -> float:
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


def _parse(row: list[str], columns: Columns, needed: int) -> tuple[str, float, float]:
    """(key, a, b): latitude/longitude, or easting/northing when the layout uses the grid."""
    if len(row) <= needed:
        raise ValueError(f"has {len(row)} columns, expected at least {needed + 1}")
    raw_key = row[columns.key]
    key = "".join(raw_key.split()).upper()
    if not key:
        raise ValueError("no postcode")
    if not _FULL_POSTCODE.match(key) and outward_code(key) != key:
        raise ValueError(f"'{raw_key.strip()}' is not a postcode or outward code")
    if columns.quality is not None and row[columns.quality].strip() == _CODEPOINT_NO_LOCATION:
        raise NoLocation("no location given in the file")
    if columns.lat is None:
        assert columns.east is not None and columns.north is not None
        east, north = _number(row, columns.east, "easting"), _number(row, columns.north, "northing")
        if east == 0 and north == 0:
            raise NoLocation("has no grid reference (0,0)")
        if not (_EASTING_RANGE[0] <= east <= _EASTING_RANGE[1] and _NORTHING_RANGE[0] <= north <= _NORTHING_RANGE[1]):
            raise ValueError(f"easting/northing {east:.0f},{north:.0f} is outside Great Britain's grid")
        return key, east, north
    assert columns.lon is not None
    lat, lon = _number(row, columns.lat, "latitude"), _number(row, columns.lon, "longitude")
    if lat == _ONS_NO_LATITUDE:
        raise NoLocation("no location given in the file (latitude 99.999999)")
    if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]):
        raise ValueError(f"latitude/longitude {lat},{lon} is outside the UK")
    return key, lat, lon


def _needed(columns: Columns) -> int:
    return max(i for i in (columns.key, columns.lat, columns.lon, columns.east, columns.north, columns.quality)
               if i is not None)


def parse_location_row(row: list[str], columns: Columns) -> tuple[str, float, float]:
    """(key, latitude, longitude) for one row, or ValueError saying what is wrong with it."""
    key, a, b = _parse(row, columns, _needed(columns))
    if columns.uses_grid:
        a, b = grid_to_wgs84(a, b)
    return key, a, b


class _Writer:
    """Collects parsed rows and writes them a batch at a time, converting grid references in bulk."""

    def __init__(self, session: Session, grid: bool) -> None:
        self.session = session
        self.grid = grid
        self.keys: list[str] = []
        self.keep: list[bool] = []
        self.a: list[float] = []
        self.b: list[float] = []
        self.written = 0
        # Outward code -> [sum of latitudes, sum of longitudes, count], for the centres.
        self.outward: dict[str, list[float]] = {}
        # Outward codes the file gives itself: its own centre wins over one worked out.
        self.explicit_outward: set[str] = set()

    def add(self, key: str, a: float, b: float, *, keep: bool) -> None:
        """Queue a row; ``keep`` False (terminated) counts it towards its outward code's centre only."""
        self.keys.append(key)
        self.keep.append(keep)
        self.a.append(a)
        self.b.append(b)
        if len(self.keys) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.keys:
            return
        if self.grid:
            lats, lons = grid_to_wgs84_many(self.a, self.b)
        else:
            lats, lons = self.a, self.b
        rows: dict[str, tuple[float, float]] = {}
        outward = self.outward
        for key, keep, lat, lon in zip(self.keys, self.keep, lats, lons):
            if keep:
                rows[key] = (lat, lon)
            if _FULL_POSTCODE.match(key):
                sums = outward.get(key[:-3])
                if sums is None:
                    outward[key[:-3]] = [lat, lon, 1.0]
                else:
                    sums[0] += lat
                    sums[1] += lon
                    sums[2] += 1
            else:
                self.explicit_outward.add(key)
        self.written += _upsert(self.session, rows)
        self.keys, self.keep, self.a, self.b = [], [], [], []

    def finish(self) -> int:
        """Write what is left, then the outward-code centres; the number of centres written."""
        self.flush()
        centres = {code: (s[0] / s[2], s[1] / s[2]) for code, s in self.outward.items()
                   if code not in self.explicit_outward}
        _upsert(self.session, centres)
        return len(centres)


_UPSERT = ("INSERT INTO postcode_location (postcode, latitude, longitude) VALUES (?, ?, ?) "
           "ON CONFLICT (postcode) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude")


def _upsert(session: Session, batch: dict[str, tuple[float, float]]) -> int:
    if not batch:
        return 0
    # Plain executemany: the ORM's per-row work costs minutes over a 2.7-million-row directory.
    conn = session.connection()
    conn.exec_driver_sql(driver_sql(conn, _UPSERT), [(key, lat, lon) for key, (lat, lon) in batch.items()])
    return len(batch)


def import_locations(session: Session, path: Path,
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a postcode location table (CSV or zip) into the table, in the caller's transaction."""
    path = Path(path)
    plan = plan_import(path)
    total = max(plan.total_bytes, 1)
    done_before = 0
    report: ImportReport | None = None
    writer: _Writer | None = None
    for source in plan.sources:
        def tick(count: int, base: int = done_before) -> None:
            if progress is not None:
                progress(min(base + count, total), total)

        rows = read_rows(source, tick)
        columns = plan.columns
        first_line = 0
        if columns is None:
            header: list[str] | None = None
            for first_line, row in rows:
                if any(cell.strip() for cell in row):
                    header = row
                    break
            if header is None:
                raise PlaceDeskError(f"{source.name} is empty: it needs a header line and one row per postcode.")
            columns = detect_columns(header, source.name)
            used = columns.used(header)
        else:
            used = columns.used(plan.column_names)
        if report is None:
            report = ImportReport(
                path=path, key_column=columns.key_name, kind=plan.kind, files=len(plan.sources), columns_used=used,
                coordinates="easting/northing (converted to WGS84)" if columns.uses_grid else "latitude/longitude",
            )
            writer = _Writer(session, columns.uses_grid)
        elif columns.uses_grid != writer.grid:  # type: ignore[union-attr]
            raise PlaceDeskError(f"{source.name} gives its locations differently from the other files in "
                                 f"{path.name}: import them separately.")
        assert writer is not None
        _read_source(source.name if len(plan.sources) > 1 else "", rows, columns, report, writer)
        done_before += source.size
    if report is None or writer is None:
        raise PlaceDeskError(f"{path.name} holds nothing to import.")
    report.outward_codes = writer.finish()
    report.imported = writer.written
    if progress is not None:
        progress(total, total)
    return report


def _read_source(file: str, rows: Iterable[tuple[int, list[str]]], columns: Columns, report: ImportReport,
                 writer: _Writer) -> None:
    needed = _needed(columns)
    terminated = columns.terminated
    for line, row in rows:
        if not any(row):
            continue
        report.rows_read += 1
        try:
            key, a, b = _parse(row, columns, needed)
        except NoLocation:
            report.skipped[SKIPPED_NO_LOCATION] += 1
            continue
        except ValueError as exc:
            if terminated is not None and len(row) > terminated and row[terminated].strip():
                report.skipped[SKIPPED_TERMINATED] += 1
            else:
                report.add_problem(line, str(exc), file)
            continue
        if terminated is not None and row[terminated].strip():
            report.skipped[SKIPPED_TERMINATED] += 1
            writer.add(key, a, b, keep=False)
        else:
            writer.add(key, a, b, keep=True)


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
    "NoLocation",
    "distance_km",
    "has_locations",
    "import_locations",
    "location_for",
    "locations_for",
    "lookup_keys",
    "parse_location_row",
    "report_lines",
]
