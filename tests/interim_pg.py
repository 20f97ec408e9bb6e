"""Interim PostgreSQL fixtures for part 17d until the foundation's ``pg_server`` lands (replaced then)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.pgserver import start_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    try:
        server = start_server()
    except FileNotFoundError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_placedesk_db(pg_server: Any) -> str:
    """The name of a new database holding PlaceDesk's tables."""
    from sqlalchemy import create_engine, text

    import placedesk.models  # noqa: F401
    from placedesk.models.base import Base

    name = f"pd_{uuid.uuid4().hex[:8]}"
    pg_server.psql(f"CREATE DATABASE {name}")
    engine = create_engine(pg_server.url(name))
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE placedesk_meta (application text, schema_version int)"))
    engine.dispose()
    return name


@pytest.fixture
def pg_database_url(pg_server: Any, pg_placedesk_db: str) -> str:
    return str(pg_server.url(pg_placedesk_db))
