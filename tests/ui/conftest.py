"""GUI fixtures: the small demo database on either engine, for the smoke tests that run on both.

``demo_db_on`` is the small demo on SQLite (``[sqlite]``, the shared ``demo_db``) or
on the throwaway PostgreSQL server (``[postgresql]``): a copy of a demo database
generated once per run, made with ``CREATE DATABASE … TEMPLATE`` (quick).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from placedesk.db import Database, open_database
from tests.conftest import DEMO_TODAY, _settle_background_work


@pytest.fixture(scope="session")
def _pg_demo_template(pg_server: Any) -> str:
    """A PostgreSQL database holding the small demo, made once per run; copied, never opened by tests."""
    from placedesk.services.demo import generate_demo

    name = f"demo_template_{uuid.uuid4().hex[:8]}"
    pg_server.psql(f"CREATE DATABASE {name}")
    template = open_database(pg_server.url(name), create=True)
    try:
        with template.session_scope() as s:
            generate_demo(s, scale="small", seed=1, today=DEMO_TODAY)
    finally:
        template.close()
    return name


@pytest.fixture
def pg_demo_db(pg_server: Any, _pg_demo_template: str) -> Iterator[Database]:
    """A private copy of the small demo on the PostgreSQL server."""
    name = f"demo_{uuid.uuid4().hex[:8]}"
    pg_server.psql(f"CREATE DATABASE {name} TEMPLATE {_pg_demo_template}")
    database = open_database(pg_server.url(name), create=False)
    database.officer = "Test Officer"
    yield database
    _settle_background_work()
    database.close()
    pg_server.psql(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_db_on(request: pytest.FixtureRequest) -> Database:
    """The small demo database on each engine in turn."""
    return request.getfixturevalue("demo_db" if request.param == "sqlite" else "pg_demo_db")  # type: ignore[no-any-return]
