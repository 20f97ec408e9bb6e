"""Fixtures for the common services tests."""

from tests.interim_pg import pg_placedesk_db, pg_server  # noqa: F401
