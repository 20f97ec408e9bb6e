"""Alembic migrations, shipped inside the package and run from code.

``SCHEMA_VERSION`` is written to ``PRAGMA user_version`` after every upgrade,
so start-up can tell whether a file is current without importing Alembic.
Raise it by one with every new revision; a test checks they agree.
"""

SCHEMA_VERSION = 7
