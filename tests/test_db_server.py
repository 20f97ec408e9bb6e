"""Opening a team's PostgreSQL database: refusing what is not ours, migrating an empty one, busy rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from placedesk.db import Database, open_database, parse_target
from placedesk.errors import DatabaseBusy, DatabaseRefused
from placedesk.migrations import SCHEMA_VERSION

_names = itertools.count()


@pytest.fixture
def empty_url(pg_server: Any, _pg_admin: Any) -> Iterator[str]:
    """A brand-new empty database on the test server (no tables at all)."""
    name = f"server_{next(_names)}"
    _pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    _pg_admin.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url(name)
    _pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_path_or_a_url_is_told_apart() -> None:
    assert parse_target("postgresql+psycopg://officer@council-db/placedesk") == \
        "postgresql+psycopg://officer@council-db/placedesk"
    assert parse_target("~/cases.sqlite") == Path("~/cases.sqlite").expanduser()


def test_an_empty_server_database_is_migrated_and_marked_as_placedesks(empty_url: str) -> None:
    db = open_database(empty_url)
    try:
        assert (db.created, db.is_server, db.dialect_name, db.path) == (True, True, "postgresql", None)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT application, schema_version FROM placedesk_meta")).all() == [
                ("PlaceDesk", SCHEMA_VERSION)]
    finally:
        db.close()
    again = open_database(empty_url, create=False)
    assert not again.created and again.upgraded_from is None
    again.close()


def test_an_empty_server_database_is_not_created_unless_asked(empty_url: str) -> None:
    with pytest.raises(DatabaseRefused, match="empty"):
        open_database(empty_url, create=False)


def test_a_database_with_other_tables_is_refused_and_left_untouched(empty_url: str, pg_server: Any) -> None:
    name = make_url(empty_url).database
    pg_server.psql("CREATE TABLE payroll (id int); INSERT INTO payroll VALUES (1)", name)
    with pytest.raises(DatabaseRefused, match="not a PlaceDesk database"):
        open_database(empty_url)
    assert pg_server.psql("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'",
                          name).strip() == "payroll"


def test_a_newer_schema_is_refused_and_left_untouched(empty_url: str, pg_server: Any) -> None:
    open_database(empty_url).close()
    name = make_url(empty_url).database
    pg_server.psql(f"UPDATE placedesk_meta SET schema_version = {SCHEMA_VERSION + 1}", name)
    with pytest.raises(DatabaseRefused, match="newer version of PlaceDesk"):
        open_database(empty_url)
    assert pg_server.psql("SELECT schema_version FROM placedesk_meta", name).strip() == str(SCHEMA_VERSION + 1)


def test_an_unreachable_server_is_one_clear_message(pg_server: Any) -> None:
    with pytest.raises(DatabaseRefused, match="Could not reach the team server"):
        open_database(pg_server.url("no_such_database"))


def test_the_shown_url_never_holds_the_password() -> None:
    db = Database(url="postgresql+psycopg://officer:s3cret@council-db/placedesk")
    assert "s3cret" not in db.url and "s3cret" not in db.location


def test_a_row_a_colleague_holds_too_long_is_one_busy_message(pg_database_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.db import postgres
    from placedesk.models import KpiDefinition
    from placedesk.models.enums import KpiDirection, KpiKind

    monkeypatch.setattr(postgres, "LOCK_TIMEOUT_MS", 300)
    mine, colleague = open_database(pg_database_url), open_database(pg_database_url)
    mine.officer = colleague.officer = "Test Officer"
    try:
        with mine.session_scope() as s:
            definition = KpiDefinition(code="ATTEND", name="School attendance", kind=KpiKind.OUTCOME,
                                       direction=KpiDirection.HIGHER_IS_BETTER, target=95.0, amber_threshold=90.0)
            s.add(definition)
        with colleague.engine.connect() as holding:
            holding.execute(text("SELECT 1 FROM kpi_definition FOR UPDATE"))
            with pytest.raises(DatabaseBusy, match="try again"), mine.session_scope() as s:
                s.get(KpiDefinition, definition.id).name = "Attendance"  # type: ignore[union-attr]
                s.flush()
            holding.rollback()
    finally:
        mine.close()
        colleague.close()
