"""``placedesk server init``: make a PostgreSQL database the team's PlaceDesk server, or bring it up to date.

Run by the council's database owner. It builds (or upgrades) the schema
through the same Alembic revisions as a laptop's file, then (re)creates the
three roles, every grant, the guards and the commissioners' views, and adds
the default KPI definitions that are missing (officers may not). Running it
again after an upgrade re-applies all of these, so a new table or column gets
its grants. A database holding tables that are not PlaceDesk's is refused
(:func:`placedesk.db.open_database` checks), and so is a login that does not
own PlaceDesk's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from placedesk.errors import PlaceDeskError
from placedesk.services.server.guards import apply_guards
from placedesk.services.server.roles import Role, apply_grants, ensure_roles
from placedesk.services.server.views import apply_views


@dataclass
class InitReport:
    """What ``server init`` did, for the DBA to read."""

    login: str
    database: str
    created: bool
    upgraded_from: int | None
    roles_made: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    kpis_added: int = 0


def _check_owner(conn: Connection) -> None:
    foreign = conn.execute(text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND NOT pg_has_role(current_user, tableowner, 'USAGE') LIMIT 1")).scalar()
    if foreign is not None:
        raise PlaceDeskError(f"PlaceDesk's tables here belong to the login {foreign!r}: run 'placedesk server init' "
                             "as that login (the database's owner), which alone may grant them. Nothing was changed.")


def seed_definitions(conn: Connection, login: str) -> int:
    """The default KPI definitions, so officers (who may not add definitions) find them from the start.

    Existing definitions are never changed; returns how many were added.
    """
    from sqlalchemy.orm import Session

    from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis

    from placedesk.models import KpiDefinition

    def count() -> int:
        return int(conn.execute(select(func.count()).select_from(KpiDefinition)).scalar_one())

    before = count()
    session = Session(bind=conn)
    session.info["officer"] = f"PlaceDesk server init ({login})"
    try:
        ensure_default_kpis(session)
    finally:
        session.close()
    return count() - before


def configure(conn: Connection) -> tuple[list[str], list[str]]:
    """Roles, grants, guards and views on an up-to-date PlaceDesk schema, in the caller's transaction."""
    _check_owner(conn)
    try:
        with conn.begin_nested():
            made = ensure_roles(conn)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":
            raise
        names = ", ".join(r.group for r in Role)
        raise PlaceDeskError(
            f"Your login may not create roles. Ask the server's administrator to create the group roles {names} "
            "(CREATE ROLE … NOLOGIN) or to give your login CREATEROLE, then run this again. Nothing was changed."
        ) from None
    apply_grants(conn)
    apply_guards(conn)
    views = apply_views(conn)
    return made, views


def init_server(url: URL) -> InitReport:
    """Create or upgrade the schema at ``url``, then apply roles, grants, guards and views; all or nothing."""
    from placedesk.db import open_database

    db = open_database(url.render_as_string(hide_password=False), create=True)
    try:
        with db.engine.begin() as conn:
            login, database = conn.execute(text("SELECT session_user, current_database()")).one()
            made, views = configure(conn)
            seeded = seed_definitions(conn, str(login))
    finally:
        db.close()
    return InitReport(login=str(login), database=str(database), created=db.created,
                      upgraded_from=db.upgraded_from, roles_made=made, views=views, kpis_added=seeded)
