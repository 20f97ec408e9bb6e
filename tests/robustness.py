"""Helpers for the hostile-input tests: did a refused import leave the database exactly as it was?"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from placedesk.db import Database
from placedesk.errors import PlaceDeskError


def snapshot(where: Path | Database | None) -> str:
    """A digest of every row of every table (through a separate connection, so only committed data counts).

    ``where`` is a file path or an open database (a server's is read table by table, in key order).
    """
    if isinstance(where, Database):
        if where.is_server:
            return _server_snapshot(where)
        where = where.path
    assert where is not None
    conn = sqlite3.connect(where)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        conn.close()


def _server_snapshot(db: Database) -> str:
    from sqlalchemy import select

    from placedesk.models import Base

    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr((table.name, tuple(row))).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def succeeds_or_refuses_cleanly(db: Database, action: Callable[[Any], object]) -> object | PlaceDeskError:
    """Run ``action(session)`` as one user action: it succeeds, or raises PlaceDeskError with nothing changed.

    Any other exception (a traceback for the officer) propagates and fails the test.
    """
    before = snapshot(db)
    try:
        with db.session_scope() as session:
            return action(session)
    except PlaceDeskError as exc:
        assert str(exc).strip(), "a refusal must say what is wrong"
        assert snapshot(db) == before, f"refused ({exc}) but the database changed"
        return exc
