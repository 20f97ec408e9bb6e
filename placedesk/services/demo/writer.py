"""The generator's shared state: seeded randomness, ids, timestamps and buffered bulk inserts.

Rows are plain dicts keyed by column, written per table in large batches
with one ``executemany`` on the session's connection, the Core insert path
minus SQLAlchemy's per-value bind processing (which cost three times the
insert itself at a million rows). Values are converted here to exactly the
storage formats SQLAlchemy's SQLite types use (UUID as 32 hex digits, dates
ISO, datetimes ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC, enums by value, JSON text),
so the ORM reads them back as if it had written them; a test checks that.

Bulk inserts bypass the ORM ``before_flush`` audit hook: generated demo data
has no audit trail, which is intended (nobody changed anything; the data was
made up in one go).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import enum
import itertools
import json
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, Boolean, Column, Date, Enum, Table, Uuid
from sqlalchemy.orm import Session

from placedesk.db.dialect import bulk_load_cache, insert_rows, secondary_indexes
from placedesk.models import Base
from placedesk.models.base import UTCDateTime

T = TypeVar("T")

# Reference tables an officer may already have filled (an imported postcode table):
# rows already there are kept, since real locations beat invented ones.
KEEP_EXISTING = frozenset({"postcode_location"})
# Buffered rows across all tables before they are written (bounds memory at large scale).
FLUSH_AT = 40_000
# SQLite page cache while generating (KiB, negative per SQLite's convention): indexes stay in memory.
GENERATION_CACHE_KIB = 262_144
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

Converter = Callable[[Any], Any]
# A record id in storage form (``uuid.UUID(...).hex``).
RowId = str
# Version 4 and the RFC 4122 variant, set the way uuid.UUID(version=4) sets them.
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _datetime_text(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return value.astimezone(dt.timezone.utc).strftime(DATETIME_FORMAT)


def _converter(column: Column[Any]) -> Converter | None:
    """The function turning a Python value into what SQLAlchemy would store for ``column``."""
    kind = column.type
    if isinstance(kind, Uuid):
        # Generator ids are already text; an ORM-made id (a KPI definition's) is converted.
        return None
    if isinstance(kind, UTCDateTime):
        return _datetime_text
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, JSON):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(kind, Boolean):
        # 1 and 0: what SQLite stores, and what PostgreSQL's COPY reads as true and false.
        return lambda v: None if v is None else int(v)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        # PlaceDesk's enums are StrEnums, which sqlite3 binds as their value already.
        if issubclass(kind.enum_class, enum.StrEnum):
            return None
        return lambda v: None if v is None else (v.value if isinstance(v, enum.Enum) else v)
    return None


def _default(column: Column[Any]) -> Any:
    """The value for a column a row leaves out: its scalar or list default, else NULL."""
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    value = default.arg(None)
    if isinstance(value, (uuid.UUID, dt.datetime)):
        raise ValueError(f"demo rows must give {column.table.name}.{column.key} explicitly")
    return value


class DemoWriter:
    """Deterministic randomness plus buffered, foreign-key-ordered bulk inserts."""

    def __init__(self, session: Session, seed: int, today: dt.date) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self._id_prefix = self.rng.getrandbits(24)
        self._random_bits = self.rng.getrandbits
        self._serial = 0
        self._raw: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
        # Cumulative weights per distinct pairs tuple, so repeated weighted picks stay cheap.
        self._weights: dict[Any, tuple[list[Any], list[int]]] = {}
        self.today = today
        # A fixed creation time (the morning of ``today``) keeps same-seed runs identical.
        self.stamp = dt.datetime.combine(today, dt.time(8, 30), tzinfo=dt.timezone.utc)
        self._order = {table.name: i for i, table in enumerate(Base.metadata.sorted_tables)}
        self._tables = {table.name: table for table in Base.metadata.sorted_tables}
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._buffered = 0
        self.counts: dict[str, int] = {}
        self._stamp_text = _datetime_text(self.stamp)
        self._cache = bulk_load_cache(session.connection(), GENERATION_CACHE_KIB)
        self._cache.__enter__()

    def _next_id_int(self) -> int:
        self._serial += 1
        value = (self._id_prefix << 104) | (self._serial << 80) | self._random_bits(80)
        return (value & _UUID_CLEAR) | _UUID4_SET

    def new_id(self) -> RowId:
        """A version-4 UUID from the seeded generator (same seed, same ids), as stored: 32 hex digits.

        Bits 103-80 count up, so each table's primary-key index is appended to
        rather than split at random; the prefix and the 74 random low bits keep
        ids from different seeds apart. Ids stay in storage form throughout
        the generator: building ``uuid.UUID`` objects for two million rows
        only to turn them back into text cost seconds.
        """
        return f"{self._next_id_int():032x}"

    def row(self, table: str, **values: Any) -> dict[str, Any]:
        """Buffer a record row with id and bookkeeping columns filled in; returns it."""
        values.setdefault("id", self.new_id())
        values["created_at"] = self.stamp
        values["updated_at"] = self.stamp
        values["version"] = 1
        self.add(table, values)
        return values

    def add(self, table: str, values: dict[str, Any]) -> None:
        """Buffer a row exactly as given (reference tables without bookkeeping columns)."""
        self._buffers.setdefault(table, []).append(values)
        self.counts[table] = self.counts.get(table, 0) + 1
        self._buffered += 1
        if self._buffered >= FLUSH_AT:
            self.flush()

    def add_raw(self, table: str, columns: tuple[str, ...], values: tuple[Any, ...]) -> None:
        """Buffer a row already in storage form (hot paths: a million KPI values).

        ``columns`` must be the same tuple object for every row of a table;
        ids come from :meth:`new_id` and times from :attr:`stamp_text`.
        """
        buffered = self._raw.get(table)
        if buffered is None:
            buffered = self._raw[table] = (columns, [])
        buffered[1].append(values)
        self.counts[table] = self.counts.get(table, 0) + 1
        self._buffered += 1
        if self._buffered >= FLUSH_AT:
            self.flush()

    @property
    def stamp_text(self) -> str:
        return self._stamp_text

    def flush(self) -> None:
        """Write every buffered row, parents before children, in the session's transaction."""
        conn = self.session.connection()
        for name in sorted(set(self._buffers) | set(self._raw), key=self._order.__getitem__):
            raw = self._raw.get(name)
            if raw and raw[1]:
                raw_columns, raw_rows = raw
                insert_rows(conn, name, raw_columns, raw_rows)
            rows = self._buffers.get(name)
            if not rows:
                continue
            table: Table = self._tables[name]
            given = list(rows[0])
            missing = [c for c in table.columns if c.key not in rows[0]]
            columns = [table.c[key] for key in given] + missing
            converters = [_converter(c) for c in columns]
            tail = [_default(c) for c in missing]
            tail = [conv(v) if conv else v for conv, v in zip(converters[len(given):], tail)]
            stamp_columns = {"created_at", "updated_at"}
            plan = [
                (key, None if key in stamp_columns else conv, key in stamp_columns)
                for key, conv in zip(given, converters)
            ]
            stamp = self._stamp_text
            params = [
                tuple(stamp if is_stamp else (conv(row[key]) if conv else row[key]) for key, conv, is_stamp in plan) + tuple(tail)
                for row in rows
            ]
            insert_rows(conn, table.name, [c.name for c in columns], params, keep_existing=name in KEEP_EXISTING)
        self._buffers.clear()
        self._raw.clear()
        self._buffered = 0

    @contextlib.contextmanager
    def indexes_deferred(self, table: str) -> Iterator[None]:
        """Drop ``table``'s secondary indexes while it is bulk loaded, then rebuild them.

        Building an index once over sorted rows is much cheaper than updating
        it a million times; the original ``CREATE INDEX`` statements are
        replayed exactly, in the same transaction.
        """
        self.flush()
        conn = self.session.connection()
        statements = secondary_indexes(conn, table)
        for name, _ in statements:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        yield
        self.flush()
        for _, sql in statements:
            conn.exec_driver_sql(sql)

    def finish(self) -> None:
        """Write what is left and give the connection its usual page cache back."""
        self.flush()
        self._cache.__exit__(None, None, None)

    # Randomness helpers used by every part of the generator.

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def weighted(self, pairs: Sequence[tuple[T, int]]) -> T:
        """One item of ``(item, weight)`` pairs, chosen in proportion to its weight."""
        table = self._weights.get(pairs)
        if table is None:
            cumulative = list(itertools.accumulate(weight for _, weight in pairs))
            table = self._weights[pairs] = ([item for item, _ in pairs], cumulative)
        items, cumulative = table
        return items[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))


ProgressFn = Callable[[str], None]
