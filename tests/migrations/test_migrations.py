"""Migrations build exactly the schema the ORM describes."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from placedesk.db import open_database
from placedesk.migrations import SCHEMA_VERSION
from placedesk.migrations.runner import alembic_config
from placedesk.models import Base


def test_upgraded_empty_file_matches_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.sqlite")
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.close()


def test_schema_version_counts_the_revisions() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    assert len(revisions) == SCHEMA_VERSION
    assert len(script.get_heads()) == 1, "migrations have branched: merge them"
