"""Records in export bundles: which tables travel, and each column's value to and from JSON.

Decoding is strict: a value of the wrong kind, an unknown column or table,
or a missing required column is a :class:`BundleError` naming the table and
record, found before the database is touched.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, Float, Integer, LargeBinary, String, Table, Uuid

import placedesk.models  # noqa: F401  (registers every table on the metadata)
from placedesk.models.base import Base, UTCDateTime
from placedesk.services.sync.bundle_format import BundleError

# Local bookkeeping and reference data never travel: sync history and conflicts are
# per laptop, and postcode locations are imported on each laptop from a public table.
LOCAL_TABLES = frozenset({"sync_record", "sync_conflict", "postcode_location"})
BOOKKEEPING = ("created_at", "updated_at", "version")
AUDIT_TABLE = "audit_event"
DOCUMENT_TABLE = "stored_document"
# Columns that say how a record reached this laptop; they never travel (the receiving laptop
# fills them in from the bundle's verified signature, never from what the bundle claims).
LOCAL_COLUMNS = frozenset({"signer_fingerprint", "received_bundle_id"})
# SQLite stores integers in 64 bits; a bundle claiming more is refused as an invalid record.
_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 63 - 1


def exported_tables() -> list[Table]:
    """Tables in a bundle, parents before children (the order inserts must follow)."""
    return [t for t in Base.metadata.sorted_tables if t.name not in LOCAL_TABLES and "version" in t.c]


def table_named(name: str) -> Table:
    for table in exported_tables():
        if table.name == name:
            return table
    raise BundleError(f"The bundle holds records of a kind this PlaceDesk does not know ({name!r}); it may come "
                      "from a newer version. Update PlaceDesk, then import it again. Nothing was imported.")


def mapped_class(table_name: str) -> type[Any]:
    """The record class stored in ``table_name``."""
    from placedesk.errors import NotFound

    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table_name:
            return mapper.class_
    raise NotFound(f"No kind of record is called {table_name!r}.")


_JSON_COLUMNS: dict[str, list[str]] = {}
_DATA_COLUMNS: dict[str, list[str]] = {}


def json_columns(table: Table) -> list[str]:
    """Columns written to JSON (binary content travels as a separate file)."""
    columns = _JSON_COLUMNS.get(table.name)
    if columns is None:
        columns = _JSON_COLUMNS[table.name] = [c.name for c in table.columns if not isinstance(c.type, LargeBinary)
                                               and c.name not in LOCAL_COLUMNS]
    return columns


def data_columns(table: Table) -> list[str]:
    """Columns whose values make up a record's content (not its bookkeeping)."""
    columns = _DATA_COLUMNS.get(table.name)
    if columns is None:
        columns = _DATA_COLUMNS[table.name] = [c for c in json_columns(table) if c not in BOOKKEEPING]
    return columns


def encode(value: Any) -> Any:
    """A column value as JSON data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise TypeError(f"cannot put {type(value).__name__} in a bundle")


def encode_row(table: Table, row: Any) -> dict[str, Any]:
    """A database row (mapping) as a JSON record."""
    return {name: encode(row[name]) for name in json_columns(table)}


class _Bad(Exception):
    pass


_HEX32 = re.compile(r"[0-9a-f]{32}")


def _uuid(v: Any) -> uuid.UUID:
    if not isinstance(v, str):
        raise _Bad
    if _HEX32.fullmatch(v):
        # The form exports write; building from the integer skips UUID's string clean-up (a large import
        # decodes millions of these).
        return uuid.UUID(int=int(v, 16))
    return uuid.UUID(v)


def _datetime(v: Any) -> dt.datetime:
    if not isinstance(v, str):
        raise _Bad
    value = dt.datetime.fromisoformat(v)
    if value.tzinfo is None:
        raise _Bad
    return value.astimezone(dt.timezone.utc)


def _date(v: Any) -> dt.date:
    if not isinstance(v, str) or len(v) != 10:
        raise _Bad
    return dt.date.fromisoformat(v)


def _bool(v: Any) -> bool:
    # Exports write SQLite's 0/1; true/false are accepted too.
    if isinstance(v, bool):
        return v
    if type(v) is int and v in (0, 1):
        return bool(v)
    raise _Bad


def _int(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not _INT_MIN <= v <= _INT_MAX:
        raise _Bad
    return v


def _float(v: Any) -> float:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise _Bad
    value = float(v)  # an int too large for a float raises OverflowError, reported as invalid
    if not math.isfinite(value):
        raise _Bad
    return value


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise _Bad
    # A lone surrogate (valid in JSON escapes, not in UTF-8) could not be stored.
    v.encode("utf-8")
    return v


def _no_constant(name: str) -> Any:
    raise _Bad


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Bad
    return value


def _json(v: Any) -> Any:
    import json

    if isinstance(v, str):
        # The form exports write: JSON text. It must be storable as JSON text again, so no NaN or
        # infinity (nor a number too large for a float), and no lone surrogates in the text itself.
        v.encode("utf-8")
        try:
            v = json.loads(v, parse_constant=_no_constant, parse_float=_finite)
        except ValueError:
            raise _Bad from None
        if not isinstance(v, (list, dict)):
            raise _Bad
        return v
    if not isinstance(v, (list, dict)):
        raise _Bad
    json.dumps(v, allow_nan=False).encode("utf-8")
    return v


def _decoder(column: Any) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, Uuid):
        return _uuid
    if isinstance(kind, UTCDateTime):
        return _datetime
    if isinstance(kind, Enum):
        enum_class = kind.enum_class
        if enum_class is None:
            return _str

        def decode_enum(v: Any) -> Any:
            if not isinstance(v, str):
                raise _Bad
            return enum_class(v)

        return decode_enum
    if isinstance(kind, Boolean):
        return _bool
    if isinstance(kind, Date):
        return _date
    if isinstance(kind, Integer):
        return _int
    if isinstance(kind, Float):
        return _float
    if isinstance(kind, JSON):
        return _json
    if isinstance(kind, String):
        return _str
    raise TypeError(f"no bundle decoder for {kind!r}")


@dataclass(frozen=True)
class _ColumnSpec:
    name: str
    decode: Callable[[Any], Any]
    nullable: bool
    default: Any
    has_default: bool


_SPECS: dict[str, list[_ColumnSpec]] = {}


def _specs(table: Table) -> list[_ColumnSpec]:
    specs = _SPECS.get(table.name)
    if specs is None:
        specs = []
        for name in json_columns(table):
            column = table.c[name]
            default = column.default
            scalar = default is not None and default.is_scalar
            callable_default = default is not None and default.is_callable
            specs.append(_ColumnSpec(
                name, _decoder(column), bool(column.nullable),
                default.arg if scalar else None, scalar or callable_default or bool(column.nullable),
            ))
        _SPECS[table.name] = specs
    return specs


def decode_record(table: Table, record: Any, where: str) -> dict[str, Any]:
    """A JSON record as column values, checked against the table; ``where`` names it in errors."""
    if not isinstance(record, dict):
        raise BundleError(f"{where} is not a record. The bundle was rejected; nothing was imported.")
    specs = _specs(table)
    known = {s.name for s in specs}
    unknown = [k for k in record if k not in known]
    if unknown:
        raise BundleError(f"{where} has fields this PlaceDesk does not know ({', '.join(sorted(unknown)[:3])}); the "
                          "bundle may come from a newer version. Nothing was imported.")
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name not in record:
            if spec.name in ("id", *BOOKKEEPING) or not spec.has_default:
                raise BundleError(f"{where} lacks the field {spec.name!r}. The bundle was rejected; nothing was imported.")
            if spec.default is None and not spec.nullable:
                # A callable default (a new list, say) that the database layer would fill in.
                default = table.c[spec.name].default
                out[spec.name] = default.arg(None) if default is not None and default.is_callable else None
            else:
                out[spec.name] = spec.default
            continue
        value = record[spec.name]
        if value is None:
            if not spec.nullable:
                raise BundleError(f"{where} has no value for {spec.name!r}, which is required. "
                                  "The bundle was rejected; nothing was imported.")
            out[spec.name] = None
            continue
        try:
            out[spec.name] = spec.decode(value)
        except (_Bad, ValueError, TypeError, OverflowError, RecursionError):
            raise BundleError(f"{where} has an invalid value for {spec.name!r} ({_shown(value)}). "
                              "The bundle was rejected; nothing was imported.") from None
    if out["version"] < 1:
        raise BundleError(f"{where} has an impossible version ({out['version']}). The bundle was rejected.")
    return out


class _Required(Exception):
    pass


def row_decoder(table: Table, columns: list[str], path: str) -> Callable[[Any, int], dict[str, Any]]:
    """A decoder for the rows of one records file whose header names ``columns``.

    It checks the header once (unknown fields, required fields missing), then
    decodes each row (a list, one value per column) as :func:`decode_record`
    would a mapping, with the same messages, without building a mapping first.
    """
    specs = {spec.name: spec for spec in _specs(table)}
    unknown = [c for c in columns if c not in specs]
    if unknown:
        raise BundleError(f"Records in {path} have fields this PlaceDesk does not know "
                          f"({', '.join(sorted(unknown)[:3])}); the bundle may come from a newer version. "
                          "Nothing was imported.")
    fill: list[tuple[str, Any, bool]] = []
    for spec in specs.values():
        if spec.name in columns:
            continue
        if spec.name in ("id", *BOOKKEEPING) or not spec.has_default:
            raise BundleError(f"Records in {path} lack the field {spec.name!r}. The bundle was rejected; "
                              "nothing was imported.")
        default = table.c[spec.name].default
        if spec.default is None and not spec.nullable and default is not None and default.is_callable:
            fill.append((spec.name, default.arg, True))
        else:
            fill.append((spec.name, spec.default, False))
    plan = [(specs[name].name, specs[name].decode, specs[name].nullable) for name in columns]
    width = len(columns)

    def decode(row: Any, number: int) -> dict[str, Any]:
        if type(row) is not list or len(row) != width:
            raise BundleError(f"Record {number} in {path} does not have one value per column. The bundle was "
                              "rejected; nothing was imported.")
        out: dict[str, Any] = {}
        name, value = "", None
        try:
            for (name, convert, nullable), value in zip(plan, row):
                if value is None:
                    if not nullable:
                        raise _Required
                    out[name] = None
                else:
                    out[name] = convert(value)
        except _Required:
            raise BundleError(f"Record {number} in {path} has no value for {name!r}, which is required. "
                              "The bundle was rejected; nothing was imported.") from None
        except (_Bad, ValueError, TypeError, OverflowError, RecursionError):
            raise BundleError(f"Record {number} in {path} has an invalid value for {name!r} ({_shown(value)}). "
                              "The bundle was rejected; nothing was imported.") from None
        for name, default, call in fill:
            out[name] = default(None) if call else default
        if out["version"] < 1:
            raise BundleError(f"Record {number} in {path} has an impossible version ({out['version']}). "
                              "The bundle was rejected.")
        return out

    return decode


def _shown(value: Any) -> str:
    """A bad value as a short, safe quotation for a message."""
    text = str(value) if not isinstance(value, int) or abs(value) < 10 ** 30 else f"a {value.bit_length()}-bit number"
    return repr(text[:40])


def label_of(values: dict[str, Any]) -> str:
    """A short, non-personal way to name a record in messages: its ref, code or id."""
    for key in ("ref", "code", "urn"):
        if values.get(key):
            return str(values[key])
    return str(values.get("id", ""))[:8]


# --- storage form ------------------------------------------------------------------------
# Imports write thousands of rows; going through the driver with values already in the
# form SQLAlchemy stores them in SQLite (hex UUIDs, ISO dates, naive-UTC times, JSON text)
# is several times faster than per-value bind processing, and reads back identically.

def _store_uuid(v: uuid.UUID) -> str:
    return v.hex


def _store_datetime(v: dt.datetime) -> str:
    if v.tzinfo is not dt.timezone.utc:
        v = v.astimezone(dt.timezone.utc)
    return v.replace(tzinfo=None).isoformat(" ", "microseconds")


def _store_date(v: dt.date) -> str:
    return v.isoformat()


def _store_enum(v: Any) -> str:
    return v.value if isinstance(v, enum.Enum) else str(v)


def _store_bool(v: bool) -> int:
    return 1 if v else 0


def _store_json(v: Any) -> str:
    import json

    return json.dumps(v)


def _store_plain(v: Any) -> Any:
    return v


def _storer(column: Any) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, Uuid):
        return _store_uuid
    if isinstance(kind, UTCDateTime):
        return _store_datetime
    if isinstance(kind, Enum):
        return _store_enum
    if isinstance(kind, Boolean):
        return _store_bool
    if isinstance(kind, Date):
        return _store_date
    if isinstance(kind, JSON):
        return _store_json
    return _store_plain


def storage_rows(table: Table, columns: list[str], rows: list[dict[str, Any]], *,
                 sqlite: bool = True) -> list[tuple[Any, ...]]:
    """Rows as tuples of SQLite storage values, in ``columns`` order (PostgreSQL's parameters take booleans)."""
    storers = [(_storer(table.c[name]) if sqlite or not isinstance(table.c[name].type, Boolean) else bool, name)
               for name in columns]
    return [tuple(None if row[name] is None else store(row[name]) for store, name in storers) for row in rows]


# --- reading storage form straight into JSON Lines (export) ------------------------------
# A full export of a large file must stay close to ``sqlite3 .dump``, so SQLite itself
# writes each record's line with ``json_array``: UUIDs travel as their 32 hex digits, times
# as ISO text in UTC ("Z"), JSON columns as their JSON text, booleans as 0/1. Reals are the
# exception: SQLite's JSON and printf keep too few digits to round-trip, so real columns go
# last in the line and Python appends them with ``repr`` (the shortest exact form).
# The decoders above accept exactly these forms (as well as the richer ones).

def json_line_select(table: Table, *, sqlite: bool = True) -> tuple[list[str], list[str], int]:
    """(columns in line order, SQL expressions to select, how many trailing reals Python appends).

    PostgreSQL builds the same line with ``json_build_array`` from its typed values cast
    to SQLite's storage forms (UUID hex, JSON text, booleans 0/1, times "…T…Z").
    """
    names = json_columns(table)
    reals = [n for n in names if isinstance(table.c[n].type, Float)]
    others = [n for n in names if n not in reals]
    parts = [_line_part(table.c[name], sqlite) for name in others]
    line = f"json_array({', '.join(parts)})" if sqlite else f"CAST(json_build_array({', '.join(parts)}) AS TEXT)"
    return others + reals, [line, *(f'"{n}"' for n in reals)], len(reals)


def _line_part(column: Any, sqlite: bool) -> str:
    col = f'"{column.name}"'
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return f"replace({col},' ','T')||'Z'" if sqlite else f"""to_char({col}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    if sqlite:
        return col
    if isinstance(kind, Uuid):
        return f"replace(CAST({col} AS TEXT), '-', '')"
    if isinstance(kind, JSON):
        return f"CAST({col} AS TEXT)"
    if isinstance(kind, Boolean):
        return f"CAST({col} AS INTEGER)"
    return col


def json_line(row: tuple[Any, ...]) -> str:
    """One record's line from ``json_array`` text followed by its reals (see :func:`json_line_select`)."""
    tail = ",".join("null" if v is None else repr(float(v)) for v in row[1:])
    return f"{row[0][:-1]},{tail}]"


def stored_datetime(value: dt.datetime) -> str:
    """An aware time as SQLite holds it here (for comparing in raw SQL)."""
    return _store_datetime(value)
