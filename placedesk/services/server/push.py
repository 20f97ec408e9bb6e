"""``placedesk server push``: move a laptop's whole database onto the team server, once, with its history.

Everything is copied in one transaction: every record, every audit event (with
the officer names and times the laptop recorded), the sync bookkeeping. Either
all of it lands or none does.

The laptop's records are new to the server or the push is refused. Merging a
laptop that shares records with the server (pushed before, or already
exchanging bundles with it) is what signed bundles and ``placedesk import``
are for: they compare versions and raise conflicts for the officer to decide,
where a bulk copy could only overwrite or drop one side silently. So before
writing anything, the push counts the laptop's record ids already on the
server and refuses, saying how many of which kind, if there are any.

Reference data is not casework and is matched instead of copied: KPI
definitions by code and outcome star scales by name (a laptop's KPI values and
assessments are pointed at the server's definition when it has one with the
same code), postcode locations by postcode. A record the server holds under
another id with the same unique reference (two laptops that each imported the
same provider list, say) refuses the push with the table and reference named.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from placedesk.db.postgres import permission_refusal
from placedesk.errors import PlaceDeskError
from placedesk.models import Base

if TYPE_CHECKING:
    from placedesk.db import Database

CHUNK = 2000
# Reference tables matched by their natural key rather than copied (column, then the references to rewrite).
MATCHED = {"kpi_definition": ("code", (("kpi_value", "definition_id"),)),
           "star_scale": ("name", (("outcome_assessment", "star_scale_id"),))}
LABELS = {"audit_event": "audit events", "postcode_location": "postcode locations"}


class PushRefused(PlaceDeskError):
    """The server already holds this laptop's records, or records that clash with them; nothing was written."""


@dataclass
class PushReport:
    """Rows copied per table, and reference rows matched to the server's own."""

    copied: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(n for t, n in self.copied.items() if t not in ("audit_event", "postcode_location"))

    @property
    def audit_events(self) -> int:
        return self.copied.get("audit_event", 0)


def label(table: str) -> str:
    return LABELS.get(table, table.replace("_", " ") + " records")


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _reference_map(src: Connection, dst: Connection, table: Table, key: str) -> dict[uuid.UUID, uuid.UUID]:
    """Laptop id -> server id for reference rows the server already has under the same key."""
    server = {k: i for k, i in dst.execute(select(table.c[key], table.c.id))}
    return {laptop_id: server[k] for laptop_id, k in src.execute(select(table.c.id, table.c[key])) if k in server}


def _already_there(src: Connection, dst: Connection, tables: list[Table]) -> dict[str, int]:
    found: dict[str, int] = {}
    for table in tables:
        if "id" not in table.c or table.name in MATCHED:
            continue
        ids = list(src.execute(select(table.c.id)).scalars())
        count = sum(int(dst.execute(select(func.count()).select_from(table).where(table.c.id.in_(chunk)))
                        .scalar_one()) for chunk in _chunks(ids))
        if count:
            found[table.name] = count
    return found


def _copy(src: Connection, dst: Connection, table: Table, skip: set[uuid.UUID],
          rewrite: dict[str, dict[uuid.UUID, uuid.UUID]]) -> int:
    copied = 0
    rows: list[dict[str, Any]] = []
    # Postcode locations are public reference data: those the server has already are left as they are.
    shared = table.name == "postcode_location"
    statement = pg_insert(table).on_conflict_do_nothing() if shared else table.insert()
    before = int(dst.execute(select(func.count()).select_from(table)).scalar_one()) if shared else 0
    query = select(table)
    if table.name == "agreement":
        # A new version refers to the one it supersedes, which must be there first.
        query = query.order_by(table.c.version_number)
    for row in src.execute(query).mappings():
        if "id" in row and row["id"] in skip:
            continue
        values = dict(row)
        for column, mapping in rewrite.items():
            if values.get(column) in mapping:
                values[column] = mapping[values[column]]
        rows.append(values)
        if len(rows) >= CHUNK:
            dst.execute(statement, rows)
            copied += len(rows)
            rows = []
    if rows:
        dst.execute(statement, rows)
        copied += len(rows)
    if shared:
        return int(dst.execute(select(func.count()).select_from(table)).scalar_one()) - before
    return copied


def _clash(exc: IntegrityError) -> str:
    diag = getattr(exc.orig, "diag", None)
    table = getattr(diag, "table_name", None) or "a"
    detail = getattr(diag, "message_detail", None) or ""
    return (f"The server already holds a different {table.replace('_', ' ')} record with the same reference "
            f"({detail.rstrip('.')}): this laptop's records were made separately from the server's. Nothing was "
            "written. Bring this laptop's work over with signed bundles instead (placedesk export on the laptop, "
            "placedesk import on the server), which match and compare records.")


def push_laptop(laptop: Path, target: Database) -> PushReport:
    """Copy the PlaceDesk file ``laptop`` into the open server database ``target`` in one transaction.

    The laptop's file is opened as every PlaceDesk opens it (an older one is
    upgraded first, with a backup); the server must be a PlaceDesk database
    already (``placedesk server init``).
    """
    from placedesk.db import open_database

    laptop = Path(laptop)
    if not laptop.is_file():
        raise PlaceDeskError(f"There is no laptop database at {laptop}. Give the path of its .sqlite file.")
    if target.engine.dialect.name != "postgresql":
        raise PlaceDeskError("'server push' copies a laptop's file onto a team server: give the server's "
                             "postgresql+psycopg:// address as the target.")
    source = open_database(laptop, create=False)
    report = PushReport()
    try:
        tables = list(Base.metadata.sorted_tables)
        with source.engine.connect() as src, target.engine.begin() as dst:
            # The server's trigger keeps the laptop's audit events as they were (no server login made them)
            # when the table's owner pushes; for anyone else it records their login on each event.
            dst.exec_driver_sql("SET LOCAL placedesk.keep_login = 'on'")
            skip: dict[str, set[uuid.UUID]] = {}
            rewrite: dict[str, dict[str, dict[uuid.UUID, uuid.UUID]]] = {}
            for name, (key, references) in MATCHED.items():
                mapping = _reference_map(src, dst, Base.metadata.tables[name], key)
                skip[name] = set(mapping)
                report.matched[name] = len(mapping)
                for referring, column in references:
                    rewrite.setdefault(referring, {})[column] = mapping
            already = _already_there(src, dst, tables)
            if already:
                listed = ", ".join(f"{n:,} {label(t)}" for t, n in sorted(already.items(), key=lambda i: -i[1])[:4])
                raise PushRefused(
                    f"The server already holds records from this laptop ({listed}): it was pushed before, or "
                    "has been exchanging bundles with the server. A push copies a laptop once and never "
                    "overwrites; bring later work over with signed bundles (placedesk export on the laptop, "
                    "placedesk import on the server). Nothing was written.")
            try:
                for table in tables:
                    report.copied[table.name] = _copy(src, dst, table, skip.get(table.name, set()),
                                                      rewrite.get(table.name, {}))
            except IntegrityError as exc:
                raise PushRefused(_clash(exc)) from None
            except DBAPIError as exc:
                # Pushed by an officer's login: what their role may not write refuses the whole push.
                refused = permission_refusal(exc)
                if refused is None:
                    raise
                raise PushRefused(f"{refused} The push was rolled back; nothing was written. Ask the database's "
                                  "owner to push this laptop.") from None
    finally:
        source.close()
    return report
