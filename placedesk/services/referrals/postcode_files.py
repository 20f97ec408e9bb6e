"""Reading postcode location tables as authorities hold them: which files, which columns.

Three layouts are recognised:

- a CSV with a header line naming a postcode (or outward code) column and
  latitude/longitude or easting/northing columns: the ONS Postcode
  Directory (ONSPD) and National Statistics Postcode Lookup (NSPL) in their
  own layout (``pcds``, ``doterm``, ``lat``, ``long``, ``oseast1m``, ...),
  outward-code centroid lists, anything similar;
- OS Code-Point Open: CSV files *without* a header line, in Code-Point's
  column order (postcode, positional quality, eastings, northings, ...). The
  column names are in ``Doc/Code-Point_Open_Column_Headers.csv`` in the
  zip; PlaceDesk reads them from there when present, else uses that order;
- a zip holding either: every ``Data/CSV/*.csv`` area file of Code-Point
  Open, or the directory CSV of ONSPD/NSPL (the single whole-country file
  when the zip has one, ignoring the per-area copies in ``multi_csv``).

Everything is streamed: a 2.7-million-row directory never sits in memory.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from placedesk.errors import PlaceDeskError

# Header names as they appear in the files authorities hold, compared after
# lower-casing and dropping spaces, underscores and hyphens.
POSTCODE_HEADERS = ("pcds", "pcd", "pcd2", "postcode", "postcodes", "postalcode", "pc")
OUTCODE_HEADERS = ("outcode", "outwardcode", "postcodedistrict", "postcodeoutward", "district")
LATITUDE_HEADERS = ("lat", "latitude")
LONGITUDE_HEADERS = ("long", "lng", "lon", "longitude")
EASTING_HEADERS = ("easting", "eastings", "oseast1m", "east", "x", "ea")
NORTHING_HEADERS = ("northing", "northings", "osnrth1m", "north", "y", "no")
TERMINATED_HEADERS = ("doterm", "dateoftermination", "terminated", "terminationdate")
QUALITY_HEADERS = ("positionalqualityindicator", "pq", "positionalquality")

# Code-Point Open's documented column order, used when its header document is not to hand.
CODEPOINT_ORDER = ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
                   "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code",
                   "Admin_ward_code")
CODEPOINT_HEADER_DOC = "code-point_open_column_headers.csv"

Progress = Callable[[int, int], None]
_LOOSE_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def norm(header: str) -> str:
    """A header as compared: lower case, without spaces, underscores, hyphens or a byte-order mark."""
    return re.sub(r"[\s_\-]+", "", header.strip().lower().lstrip("\ufeff"))


def _find(headers: list[str], names: tuple[str, ...]) -> int | None:
    normalised = [norm(h) for h in headers]
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


@dataclass(frozen=True)
class Columns:
    """Which column holds what; ``terminated`` and ``quality`` only where the layout has them."""

    key: int
    key_name: str
    lat: int | None
    lon: int | None
    east: int | None
    north: int | None
    terminated: int | None = None
    quality: int | None = None

    @property
    def uses_grid(self) -> bool:
        return self.lat is None

    def used(self, headers: list[str] | None = None) -> list[tuple[str, str]]:
        """(what, the file's column) for every column read, for the report."""
        def name(index: int) -> str:
            return headers[index].strip() if headers and index < len(headers) else f"column {index + 1}"

        used = [("postcode", self.key_name or name(self.key))]
        for what, index in (("latitude", self.lat), ("longitude", self.lon), ("easting", self.east),
                            ("northing", self.north), ("date terminated", self.terminated),
                            ("positional quality", self.quality)):
            if index is not None:
                used.append((what, name(index)))
        return used


def detect_columns(headers: list[str], name: str) -> Columns:
    """The columns of a file whose first line names them; PlaceDeskError saying what is missing."""
    key = _find(headers, POSTCODE_HEADERS)
    if key is None:
        key = _find(headers, OUTCODE_HEADERS)
    if key is None:
        raise PlaceDeskError(
            f"{name} has no postcode column. The first line must name the columns, with one called "
            "postcode, pcds, pcd or outcode (found: " + ", ".join(h for h in headers if h.strip())[:300] + "), "
            "or it must be OS Code-Point Open as distributed."
        )
    lat, lon = _find(headers, LATITUDE_HEADERS), _find(headers, LONGITUDE_HEADERS)
    east, north = _find(headers, EASTING_HEADERS), _find(headers, NORTHING_HEADERS)
    terminated, quality = _find(headers, TERMINATED_HEADERS), _find(headers, QUALITY_HEADERS)
    if lat is not None and lon is not None:
        return Columns(key, headers[key].strip(), lat, lon, None, None, terminated, quality)
    if east is not None and north is not None:
        return Columns(key, headers[key].strip(), None, None, east, north, terminated, quality)
    raise PlaceDeskError(
        f"{name} has a postcode column but no coordinates: it needs latitude and longitude columns "
        "(lat/latitude, long/lng/longitude) or easting and northing columns (easting/oseast1m, northing/osnrth1m)."
    )


def looks_like_codepoint(row: list[str]) -> bool:
    """Whether a first line is Code-Point Open data (no header): a postcode, then numbers."""
    if len(row) < 4:
        return False
    try:
        float(row[2])
        float(row[3])
    except ValueError:
        return False
    return bool(_LOOSE_POSTCODE.match(re.sub(r"\s+", " ", row[0].strip().upper())))


def codepoint_columns(headers: list[str] | None = None) -> tuple[Columns, list[str]]:
    """Code-Point Open's columns and their names, from its header document when given, else its documented order."""
    names = list(headers) if headers else list(CODEPOINT_ORDER)
    key = _find(names, POSTCODE_HEADERS)
    east, north = _find(names, EASTING_HEADERS), _find(names, NORTHING_HEADERS)
    quality = _find(names, QUALITY_HEADERS)
    if key is None or east is None or north is None:
        names = list(CODEPOINT_ORDER)
        key, east, north, quality = 0, 2, 3, 1
    return Columns(key, names[key], None, None, east, north, None, quality), names


@dataclass
class Source:
    """One CSV to read: its name for the report, how to open it, whether line 1 is a header, its size."""

    name: str
    open: Callable[[], IO[bytes]]
    has_header: bool
    size: int


@dataclass
class Plan:
    """What an import will read: the layout's name, its sources, and fixed columns (Code-Point) if known."""

    kind: str
    sources: list[Source]
    columns: Columns | None  # None: each source's header line says
    column_names: list[str] | None = None  # the names of fixed columns, for the report

    @property
    def total_bytes(self) -> int:
        return sum(s.size for s in self.sources)


def _first_line(handle: IO[bytes]) -> list[str]:
    raw = handle.readline(65536)
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()
    try:
        rows = list(csv.reader(lines[:1]))
    except csv.Error:
        return []
    return rows[0] if rows else []


def _plan_zip(path: Path) -> Plan:
    try:
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PlaceDeskError(f"{path.name} is not a readable zip file ({exc}).") from exc

    def opener(member: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
        def open_member() -> IO[bytes]:
            return zipfile.ZipFile(path).open(member)
        return open_member

    csvs = [m for m in members if m.filename.lower().endswith(".csv")]
    doc = next((m for m in csvs if PurePosixPath(m.filename).name.lower() == CODEPOINT_HEADER_DOC), None)
    area_files = sorted((m for m in csvs if "/data/csv/" in "/" + m.filename.lower()), key=lambda m: m.filename)
    try:
        if doc is not None or area_files:
            headers: list[str] | None = None
            if doc is not None:
                with archive.open(doc) as handle:
                    rows = list(csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace")))
                # The document's first line has short codes (PC, PQ, EA, NO, ...), the second the full names.
                headers = rows[1] if len(rows) > 1 else (rows[0] if rows else None)
            files = area_files or [m for m in csvs if m is not doc]
            if not files:
                raise PlaceDeskError(f"{path.name} looks like OS Code-Point Open but holds no Data/CSV area files.")
            return Plan(f"OS Code-Point Open ({len(files)} area files)",
                        [Source(PurePosixPath(m.filename).name, opener(m), False, m.file_size) for m in files],
                        *codepoint_columns(headers))
        with_header: list[zipfile.ZipInfo] = []
        for member in csvs:
            with archive.open(member) as handle:
                first = _first_line(handle)
            if _find(first, POSTCODE_HEADERS + OUTCODE_HEADERS) is not None:
                with_header.append(member)
        if not with_header:
            raise PlaceDeskError(
                f"{path.name} holds no CSV of postcode locations: import the ONS Postcode Directory (ONSPD or NSPL) "
                "or OS Code-Point Open zip as downloaded, or a CSV with postcode and coordinate columns."
            )
        whole = [m for m in with_header if "multi_csv" not in m.filename.lower()]
        chosen = [max(whole, key=lambda m: m.file_size)] if whole else sorted(with_header, key=lambda m: m.filename)
        first_name = PurePosixPath(chosen[0].filename).name.upper()
        kind = ("ONS Postcode Directory" if first_name.startswith("ONSPD")
                else "National Statistics Postcode Lookup" if first_name.startswith("NSPL") else "postcode table")
        return Plan(f"{kind} ({', '.join(PurePosixPath(m.filename).name for m in chosen[:3])}"
                    + (f" and {len(chosen) - 3} more" if len(chosen) > 3 else "") + ")",
                    [Source(PurePosixPath(m.filename).name, opener(m), True, m.file_size) for m in chosen], None)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise PlaceDeskError(f"{path.name} is a damaged zip file ({exc}).") from exc
    finally:
        archive.close()


def plan_import(path: Path) -> Plan:
    """What to read in ``path`` (a CSV or a zip), or PlaceDeskError saying why it cannot be read."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
            handle.seek(0)
            first = _first_line(handle)
        size = path.stat().st_size
    except OSError as exc:
        raise PlaceDeskError(f"Cannot open {path}: {exc.strerror or exc}.") from exc
    if magic == b"PK\x03\x04":
        return _plan_zip(path)
    if b"\x00" in magic:
        raise PlaceDeskError(f"{path.name} is not a CSV file: import a CSV or the zip it came in.")

    def open_file() -> IO[bytes]:
        return path.open("rb")

    source = Source(path.name, open_file, True, size)
    if first and _find(first, POSTCODE_HEADERS + OUTCODE_HEADERS) is None and looks_like_codepoint(first):
        return Plan("OS Code-Point Open area file", [Source(path.name, open_file, False, size)],
                    *codepoint_columns())
    name = path.name.upper()
    kind = ("ONS Postcode Directory" if name.startswith("ONSPD")
            else "National Statistics Postcode Lookup" if name.startswith("NSPL") else "postcode table")
    return Plan(kind, [source], None)


class _Counting(io.RawIOBase):
    """Counts bytes read from a stream so progress can be reported against the file's size."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def read_rows(source: Source, progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of one source, streamed; ``progress(bytes read)`` every few thousand lines."""
    counting = _Counting(source.open())
    text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 20), encoding="utf-8-sig", errors="replace",
                            newline="")
    reader = csv.reader(text)
    try:
        for row in reader:
            line = reader.line_num
            if progress is not None and line % 20000 == 0:
                progress(counting.count)
            yield line, row
    except csv.Error as exc:
        raise PlaceDeskError(f"{source.name} stops being readable CSV at line {reader.line_num + 1} ({exc}).") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise PlaceDeskError(f"{source.name} cannot be read to its end ({exc}): download it again.") from exc
    finally:
        if progress is not None:
            progress(counting.count)
        text.close()


__all__ = [
    "CODEPOINT_ORDER",
    "Columns",
    "Plan",
    "Source",
    "codepoint_columns",
    "detect_columns",
    "looks_like_codepoint",
    "norm",
    "plan_import",
    "read_rows",
]
