"""The few statements services write differently on SQLite and PostgreSQL, behind one name each.

Services build queries with SQLAlchemy Core and the constructs here; each
renders the engine's own SQL when compiled (``julianday`` on SQLite, date
arithmetic on PostgreSQL). Raw driver SQL, kept where SQLAlchemy's per-value
work would cost the measured speed, goes through :func:`driver_sql` (or
:func:`driver_rows`), and its typed columns through :func:`id_text` and
:func:`json_text`, so both drivers hand back the same plain values (UUID as
32 hex digits, JSON as its text).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Date, Integer, String, Uuid
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, Executable, FunctionElement


def dialect_of(bind: Any) -> str:
    """``"sqlite"`` or ``"postgresql"`` for a session, connection or engine."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return str(bind.dialect.name)


def is_sqlite(bind: Any) -> bool:
    return dialect_of(bind) == "sqlite"


def driver_sql(bind: Any, sql: str) -> str:
    """``sql`` written with ``?`` placeholders, as the connection's driver takes it (``%s`` for psycopg)."""
    if is_sqlite(bind):
        return sql
    return sql.replace("%", "%%").replace("?", "%s")


def driver_rows(bind: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (``?`` placeholders) as the driver's plain tuples, on the connection's transaction.

    For reads of thousands of rows inside a measured budget: SQLAlchemy's result
    rows cost a wrapper object each, and the collector then has to look at them.
    """
    cursor = bind.connection.cursor()
    try:
        cursor.execute(driver_sql(bind, sql), tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def id_text(bind: Any, column: str) -> str:
    """SQL reading a UUID column as 32 hex digits (SQLite stores it so; PostgreSQL has a uuid type).

    On PostgreSQL the uuid's 16 bytes are hex-encoded directly: the same
    lower-case digits as its text form without the hyphens, for a third of the
    server's time on a read of thousands of rows.
    """
    return column if is_sqlite(bind) else f"encode(uuid_send({column}), 'hex')"


def json_text(bind: Any, column: str) -> str:
    """SQL reading a JSON column as its text (psycopg would parse it)."""
    return column if is_sqlite(bind) else f"CAST({column} AS TEXT)"


class days_between(FunctionElement[int]):  # noqa: N801 - used like a SQL function
    """Whole days from the second date to the first (ISO date text or date columns)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) "
            "AS INTEGER)")


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"(CAST({compiler.process(later, **kw)} AS DATE) - CAST({compiler.process(earlier, **kw)} AS DATE))"


class whole_years_between(FunctionElement[int]):  # noqa: N801 - used like a SQL function
    """Completed years from the second date to the first: an age on a day."""

    type = Integer()
    inherit_cache = True
    name = "whole_years_between"


@compiles(whole_years_between, "sqlite")
def _years_sqlite(element: whole_years_between, compiler: Any, **kw: Any) -> str:
    on, born = (compiler.process(c, **kw) for c in element.clauses)
    return (f"(CAST(strftime('%Y', {on}) AS INTEGER) - CAST(strftime('%Y', {born}) AS INTEGER) "
            f"- CAST(strftime('%m-%d', {on}) < strftime('%m-%d', {born}) AS INTEGER))")


@compiles(whole_years_between, "postgresql")
def _years_pg(element: whole_years_between, compiler: Any, **kw: Any) -> str:
    on, born = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(extract(year FROM age(CAST({on} AS DATE), CAST({born} AS DATE))) AS INTEGER)"


class as_date(FunctionElement[Any]):  # noqa: N801 - used like a SQL function
    """A timestamp's (or ISO text's) calendar date, in the form the engine stores dates."""

    type = Date()
    inherit_cache = True
    name = "as_date"


@compiles(as_date, "sqlite")
def _date_sqlite(element: as_date, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(as_date, "postgresql")
def _date_pg(element: as_date, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


def insert_or_ignore(bind: Any, table: str, names: str, marks: str) -> str:
    """Driver SQL inserting a row unless one with the same key is there (``?`` marks; see driver_sql)."""
    if is_sqlite(bind):
        return f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})"
    return driver_sql(bind, f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING")


def json_array_contains_between(column: ColumnElement[Any] | str, lo: str, hi: str, bind: Any) -> str:
    """SQL true when the JSON array in ``column`` holds a text value between ``:lo`` and ``:hi``."""
    if is_sqlite(bind):
        return f"EXISTS (SELECT 1 FROM json_each({column}) AS d WHERE d.value BETWEEN {lo} AND {hi})"
    return f"EXISTS (SELECT 1 FROM json_array_elements_text({column}) AS d(value) WHERE d.value BETWEEN {lo} AND {hi})"


def plain_rows(connection: Connection, statement: Executable) -> list[tuple[Any, ...]]:
    """Every row of ``statement`` as the driver's own tuples, skipping SQLAlchemy's per-row work.

    For reads of thousands of rows whose columns need no conversion (``stored_text``,
    strings, numbers): building a Row for each costs more than the query itself. A
    column whose type converts values (a date, a UUID, JSON) would come back raw, in
    the engine's own form, so read those through :class:`stored_text`.
    """
    result = connection.execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


class stored_text(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """A column read as SQLite stores it: UUID as 32 hex digits, dates as ISO text, enums as their value.

    Reading plain text skips building a Python object per value (on a large table that
    conversion costs more than the query); PostgreSQL casts its typed values to the same text.
    """

    type = String()
    inherit_cache = True
    name = "stored_text"


@compiles(stored_text, "sqlite")
def _stored_sqlite(element: stored_text, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(stored_text, "postgresql")
def _stored_pg(element: stored_text, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    text = f"CAST({compiler.process(column, **kw)} AS TEXT)"
    return f"replace({text}, '-', '')" if isinstance(column.type, Uuid) else text


def insert_rows(bind: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                keep_existing: bool = False) -> None:
    """Insert ``rows`` (values in SQLite's storage forms: hex ids, ISO dates and times, JSON text) in bulk.

    SQLite: one ``executemany``. PostgreSQL: one ``COPY``, which parses the same
    text forms into its own types, many times faster than row-by-row inserts;
    ``keep_existing`` (rows whose key is already there are left as they are) takes
    an ``INSERT ... ON CONFLICT DO NOTHING`` instead.
    """
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    if is_sqlite(bind):
        verb = "INSERT OR IGNORE" if keep_existing else "INSERT"
        bind.exec_driver_sql(f'{verb} INTO "{table}" ({names}) VALUES ({marks})', rows)
        return
    if keep_existing:
        bind.exec_driver_sql(driver_sql(bind, f'INSERT INTO "{table}" ({names}) VALUES ({marks}) '
                                              "ON CONFLICT DO NOTHING"), rows)
        return
    driver = bind.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def secondary_indexes(bind: Any, table: str) -> list[tuple[str, str]]:
    """``(name, CREATE INDEX statement)`` of ``table``'s indexes that no constraint owns (safe to drop and replay)."""
    if is_sqlite(bind):
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
    else:
        sql = ("SELECT indexname, indexdef FROM pg_indexes AS i WHERE tablename = %s AND schemaname = current_schema() "
               "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)")
    return [(str(name), str(create)) for name, create in bind.exec_driver_sql(sql, (table,))]


@contextlib.contextmanager
def bulk_load_cache(bind: Any, kib: int) -> Iterator[None]:
    """A larger SQLite page cache for a bulk load, restored afterwards (the server manages its own memory)."""
    if not is_sqlite(bind):
        yield
        return
    before = bind.exec_driver_sql("PRAGMA cache_size").scalar()
    bind.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        bind.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


class uk_date_text(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """A date column as the officer types it, ``31/03/2026`` (for searching)."""

    type = String()
    inherit_cache = True
    name = "uk_date_text"


@compiles(uk_date_text, "sqlite")
def _uk_sqlite(element: uk_date_text, compiler: Any, **kw: Any) -> str:
    return f"strftime('%d/%m/%Y', {compiler.process(element.clauses, **kw)})"


@compiles(uk_date_text, "postgresql")
def _uk_pg(element: uk_date_text, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'DD/MM/YYYY')"


def read_date(value: str | dt.date) -> dt.date:
    """A date read by raw SQL: SQLite gives its ISO text, PostgreSQL a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def read_uuid(value: str | uuid.UUID) -> uuid.UUID:
    """A record id read by raw SQL: SQLite gives its 32 hex digits, PostgreSQL a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)
