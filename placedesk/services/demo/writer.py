"""The generator's shared state: seeded randomness, ids, timestamps and buffered bulk inserts.

Rows are plain dicts written with SQLAlchemy Core ``insert(table)`` in large
batches, so a million KPI values load in seconds. Core inserts bypass the ORM
``before_flush`` audit hook: generated demo data has no audit trail, which is
intended (nobody changed anything; the data was made up in one go).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from placedesk.models import Base

T = TypeVar("T")

# Buffered rows across all tables before they are written (bounds memory at large scale).
FLUSH_AT = 40_000


class DemoWriter:
    """Deterministic randomness plus buffered, foreign-key-ordered bulk inserts."""

    def __init__(self, session: Session, seed: int, today: dt.date) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.today = today
        # A fixed creation time (the morning of ``today``) keeps same-seed runs identical.
        self.stamp = dt.datetime.combine(today, dt.time(8, 30), tzinfo=dt.timezone.utc)
        self._order = {table.name: i for i, table in enumerate(Base.metadata.sorted_tables)}
        self._tables = {table.name: table for table in Base.metadata.sorted_tables}
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._buffered = 0
        self.counts: dict[str, int] = {}

    def new_id(self) -> uuid.UUID:
        """A version-4 UUID drawn from the seeded generator (same seed, same ids)."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

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

    def flush(self) -> None:
        """Write every buffered row, parents before children, in the session's transaction."""
        conn = self.session.connection()
        for name in sorted(self._buffers, key=self._order.__getitem__):
            rows = self._buffers[name]
            if rows:
                table: Table = self._tables[name]
                conn.execute(insert(table), rows)
        self._buffers.clear()
        self._buffered = 0

    # Randomness helpers used by every part of the generator.

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def weighted(self, pairs: Sequence[tuple[T, int]]) -> T:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))


ProgressFn = Callable[[str], None]
