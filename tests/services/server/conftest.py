"""A team server per test: a fresh database initialised by its owner, and one login per PlaceDesk role.

The logins (cluster-wide, like the roles) are made once per server: ``alice``
an officer, ``bob`` a manager, ``carol`` a commissioner, each with a password,
and ``owner17`` the database owner who runs ``server init``.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from placedesk.db.postgres import permission_refusal
from placedesk.services.server.roles import Role, grant_role
from tests.pgserver import ThrowawayServer

OWNER = "owner17"
LOGINS = {"alice": Role.OFFICER, "bob": Role.MANAGER, "carol": Role.COMMISSIONER}
PASSWORD = "pw-{}-secret"


@pytest.fixture(scope="session")
def _logins(pg_server: ThrowawayServer) -> ThrowawayServer:
    if not isinstance(pg_server, ThrowawayServer):
        pytest.skip("the role tests make logins with passwords: they need the throwaway cluster, not "
                    "PLACEDESK_TEST_POSTGRES_URL's server")
    made = [OWNER, *LOGINS]
    statements = [f"CREATE ROLE {OWNER} LOGIN CREATEROLE PASSWORD '{PASSWORD.format(OWNER)}'"]
    statements += [f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD.format(name)}'" for name in LOGINS]
    for name, statement in zip(made, statements, strict=True):
        if not pg_server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{name}'").strip():
            pg_server.psql(statement)
    return pg_server


@dataclass
class Team:
    """One PlaceDesk database on the throwaway server, initialised, with its logins granted."""

    server: ThrowawayServer
    database: str

    def url(self, login: str = OWNER, *, password: bool = True) -> str:
        """Over loopback TCP, where the server wants a password (given in the URL, or not)."""
        if password:
            return self.server.url(self.database, login, PASSWORD.format(login))
        return f"postgresql+psycopg://{login}@127.0.0.1:{self.server.port}/{self.database}"

    def socket_url(self, login: str = OWNER) -> str:
        """Through the Unix socket, which trusts this machine's users: no password asked."""
        return self.server.url(self.database, login)

    def engine(self, login: str = OWNER) -> Engine:
        return create_engine(self.url(login), poolclass=NullPool)

    @contextlib.contextmanager
    def scope(self, login: str, officer: str = "Test Officer") -> Iterator[Session]:
        """One user action as ``login``, refused as the app would refuse it (a PermissionRefused)."""
        engine = self.engine(login)
        session = Session(engine, expire_on_commit=False)
        session.info["officer"] = officer
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            refused = permission_refusal(exc)
            if refused is not None:
                raise refused from exc
            raise
        finally:
            session.close()
            engine.dispose()


def build_team_database(server: ThrowawayServer, database: str) -> None:
    """An empty database owned by ``owner17``, made PlaceDesk's by ``server init`` (as the DBA would)."""
    from placedesk.services.server.login import parse_server_url
    from placedesk.services.server.setup import init_server

    server.psql(f"CREATE DATABASE {database} OWNER {OWNER}")
    init_server(parse_server_url(server.url(database, OWNER, PASSWORD.format(OWNER))))


@pytest.fixture
def laptop(_small_demo_template: Path, tmp_path: Path) -> Path:
    """A laptop's database file: a private copy of the small demo (always SQLite, whatever the engine)."""
    path = tmp_path / "laptop.sqlite"
    shutil.copyfile(_small_demo_template, path)
    return path


@pytest.fixture
def team(_logins: ThrowawayServer) -> Team:
    database = f"team_{uuid.uuid4().hex[:12]}"
    build_team_database(_logins, database)
    made = Team(_logins, database)
    engine = made.engine()
    with engine.begin() as conn:
        for login, role in LOGINS.items():
            grant_role(conn, login, role)
    engine.dispose()
    return made
