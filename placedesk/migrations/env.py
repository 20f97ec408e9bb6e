"""Alembic environment: always given a live connection by :mod:`placedesk.migrations.runner`."""

from __future__ import annotations

from alembic import context

from placedesk.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("PlaceDesk migrations run from code: use placedesk.migrations.runner.upgrade().")

# Batch mode on SQLite only: it cannot ALTER most things, so Alembic copies tables; PostgreSQL alters in place.
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
