"""``server init``: the same roles, grants, guards and views however often it runs; only the owner runs it."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from placedesk.errors import DatabaseRefused, PlaceDeskError
from placedesk.models import Base
from placedesk.services.server.roles import CASEWORK, DEFINITIONS
from placedesk.services.server.setup import configure
from tests.services.server.conftest import Team


def _privileges(conn: Connection) -> dict[str, list[tuple[str, ...]]]:
    found = {
        "tables": sorted(conn.execute(text(
            "SELECT grantee, table_schema, table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee LIKE 'placedesk_%'")).all()),
        "columns": sorted(conn.execute(text(
            "SELECT grantee, table_name, column_name, privilege_type FROM information_schema.column_privileges "
            "WHERE grantee LIKE 'placedesk_%'")).all()),
        "triggers": sorted(conn.execute(text(
            "SELECT event_object_table, trigger_name, event_manipulation FROM information_schema.triggers")).all()),
        "views": sorted(conn.execute(text(
            "SELECT table_schema, table_name FROM information_schema.views WHERE table_schema NOT IN "
            "('pg_catalog', 'information_schema')")).all()),
    }
    return {kind: [tuple(row) for row in rows] for kind, rows in found.items()}


def test_running_init_again_leaves_the_same_privileges(team: Team) -> None:
    engine = team.engine()
    try:
        with engine.begin() as conn:
            first = _privileges(conn)
            made, views = configure(conn)
            assert made == []  # the roles were there already
            assert _privileges(conn) == first
    finally:
        engine.dispose()
    assert ("placedesk_officer", "public", "child", "INSERT") in first["tables"]
    assert ("placedesk_officer", "public", "child", "DELETE") not in first["tables"]
    assert not [row for row in first["tables"] if row[0] == "placedesk_commissioner" and row[1] == "public"
                and row[2] not in ("placedesk_meta", "alembic_version")]
    assert len(views) == 8


def test_a_privilege_granted_by_hand_is_taken_back_by_init(team: Team) -> None:
    team.server.psql("GRANT DELETE ON child TO placedesk_officer; GRANT SELECT ON child TO placedesk_commissioner",
                     team.database)
    engine = team.engine()
    try:
        with engine.begin() as conn:
            configure(conn)
            extra = conn.execute(text(
                "SELECT count(*) FROM information_schema.role_table_grants WHERE table_name = 'child' AND "
                "((grantee = 'placedesk_officer' AND privilege_type = 'DELETE') OR grantee = 'placedesk_commissioner')"
            )).scalar_one()
    finally:
        engine.dispose()
    assert extra == 0


def test_only_the_owner_of_placedesks_tables_runs_init(team: Team) -> None:
    engine = team.engine("bob")
    try:
        with pytest.raises(PlaceDeskError, match="belong to the login 'owner17': run 'placedesk server init' as "
                           "that login"), engine.begin() as conn:
            configure(conn)
    finally:
        engine.dispose()


def test_every_table_has_its_grants_decided() -> None:
    # A new table must be placed in the role model before it ships, or officers could not use it.
    decided = set(CASEWORK) | set(DEFINITIONS) | {"audit_event", "sync_conflict"}
    assert {t.name for t in Base.metadata.sorted_tables} == decided


def test_an_officer_cannot_build_or_upgrade_the_schema(team: Team) -> None:
    from placedesk.db import open_database

    database = team.database + "_empty"
    team.server.psql(f"CREATE DATABASE {database} OWNER owner17")
    with pytest.raises(DatabaseRefused) as refused:
        open_database(team.url("alice").replace(team.database, database), create=True)
    message = str(refused.value)
    assert "is empty; this PlaceDesk needs schema" in message
    assert "Ask the database's owner to run 'placedesk server init postgresql+psycopg://alice:***@" in message
    assert team.server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database).strip() == "0"
