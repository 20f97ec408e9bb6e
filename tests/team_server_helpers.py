"""Helpers for tests that log in to the test PostgreSQL server as an officer would (over TCP, with a password)."""

from __future__ import annotations

import uuid
from typing import Any

PASSWORD = "right-password"


def run_sql(server: Any, sql: str, dbname: str = "postgres") -> None:
    """Run ``sql`` as the server's superuser in ``dbname`` (autocommit: CREATE ROLE, GRANT, CREATE DATABASE)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server.url(dbname))
    params = {"dbname": url.database, "user": url.username, "password": url.password, "host": url.host,
              "port": url.port, **{k: v for k, v in url.query.items() if isinstance(v, str)}}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def tcp_address(server: Any) -> tuple[str, int]:
    """Where officers reach the server over the network (the test server listens on loopback)."""
    from sqlalchemy.engine import make_url

    url = make_url(server.url("postgres"))
    port = url.port or int(str(url.query.get("port", 5432)))
    host = url.host if url.host and not url.host.startswith("/") else "127.0.0.1"
    return host, port


def new_login(server: Any, *, grant_in: str | None = None, prefix: str = "officer") -> str:
    """A new login with ``PASSWORD``; with ``grant_in`` (a database name) it may read and change every table there."""
    login = f"{prefix}_{uuid.uuid4().hex[:8]}"
    run_sql(server, f"CREATE ROLE {login} LOGIN PASSWORD '{PASSWORD}'")
    if grant_in is not None:
        run_sql(server, f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {login}", grant_in)
    return login
