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

from placedesk.db import permission_refusal
from placedesk.services.server.roles import Role, grant_role
from tests.pgserver import ThrowawayServer

OWNER = "owner17"
LOGINS = {"alice": Role.OFFICER, "bob": Role.MANAGER, "carol": Role.COMMISSIONER}
PASSWORD = "pw-{}-secret"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ThrowawayServer]:
    from tests.pgserver import postgres_bindir, start_server

    if postgres_bindir() is None:
        pytest.skip("no PostgreSQL 15+ installed here: the team server tests are skipped")
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _logins(pg_server: ThrowawayServer) -> ThrowawayServer:
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
    # INTERIM until 17a's open_database(URL) lands: create_all plus 0007's triggers, then configure.
    import importlib

    from placedesk.models import Base
    from placedesk.services.server.setup import configure, seed_definitions

    server.psql(f"CREATE DATABASE {database} OWNER {OWNER}")
    mig = importlib.import_module("placedesk.migrations.versions.0007_audit_login")
    engine = create_engine(server.url(database, OWNER, PASSWORD.format(OWNER)), poolclass=NullPool)
    Base.metadata.create_all(engine)
    with engine.begin() as c:
        c.exec_driver_sql(mig.STAMP_LOGIN)
        c.exec_driver_sql(mig.INSERT_ONLY)
        c.exec_driver_sql("CREATE TRIGGER placedesk_audit_login BEFORE INSERT ON audit_event FOR EACH ROW "
                          "EXECUTE FUNCTION placedesk_audit_login()")
        c.exec_driver_sql("CREATE TRIGGER placedesk_audit_insert_only BEFORE UPDATE OR DELETE ON audit_event "
                          "FOR EACH ROW EXECUTE FUNCTION placedesk_audit_insert_only()")
        configure(c)
        seed_definitions(c, OWNER)
    engine.dispose()


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
