"""The PostgreSQL side of the dialect layer: a team server's database, checked and migrated.

A server database is PlaceDesk's when it holds the ``placedesk_meta`` table
(``application``, ``schema_version``), written in the same transaction as every
upgrade; it plays the part SQLite's ``application_id`` and ``user_version`` play
in a file. A database holding other tables, or a newer schema, is refused and
left untouched; an empty one is migrated when asked to create.

Transactions run at PostgreSQL's default READ COMMITTED: a long read never
blocks a writer, and each statement sees what was committed when it started.
A writer waiting on another's row lock gives up after ``LOCK_TIMEOUT_MS``; that,
a deadlock or a serialization failure becomes one clear message
(:class:`~placedesk.errors.DatabaseBusy`), never a traceback. A step the
login's PlaceDesk role does not allow ("permission denied") becomes one
message too (:func:`permission_refusal`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from placedesk.errors import DatabaseRefused, PermissionRefused
from placedesk.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

APPLICATION = "PlaceDesk"
META_TABLE = "placedesk_meta"
# How long a write waits for a colleague's lock on the same rows before the action is refused.
LOCK_TIMEOUT_MS = 5000
# SQLSTATEs that mean "someone else was in the way", not "this is wrong": retrying later succeeds.
BUSY_STATES = frozenset({"40001", "40P01", "55P03"})
UNIQUE_VIOLATION = "23505"
# The key of the advisory lock held while a server database is migrated ("PDK1", as SQLite's application_id).
ADVISORY_LOCK = 0x50444B31


def masked(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit to show or print."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def partial_indexes_on_the_server() -> None:
    """Give the models' partial indexes the same condition on PostgreSQL as on SQLite.

    The models state it for SQLite alone: naming PostgreSQL in a model loads
    SQLAlchemy's whole PostgreSQL dialect into every laptop process. The
    server's schema itself comes from the migrations, which state both; this
    keeps the models describing it (comparisons, anything created from them).
    """
    from placedesk.models import Base

    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None and index.dialect_options["postgresql"]["where"] is None:
                index.dialect_options["postgresql"]["where"] = where


def make_server_engine(url: str) -> Engine:
    """An engine on the server at ``url``; every new connection waits at most ``LOCK_TIMEOUT_MS`` for a lock."""
    from sqlalchemy import create_engine, event

    partial_indexes_on_the_server()
    engine = create_engine(url, future=True, pool_pre_ping=True)

    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        dbapi_connection.commit()

    event.listen(engine, "connect", on_connect)
    return engine


def is_busy_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is PostgreSQL giving up because of another connection."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        if getattr(seen, "sqlstate", None) in BUSY_STATES:
            return True
        visited.add(id(seen))
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def is_unique_clash(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique key already taken (on the server: by a colleague's save committed meanwhile)."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        if getattr(seen, "sqlstate", None) == UNIQUE_VIOLATION:
            return True
        visited.add(id(seen))
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def schema_version(conn: Connection, shown: str) -> int:
    """The schema version of the database behind ``conn``: 0 when empty; refuse one not ours or too new."""
    from sqlalchemy import inspect, text

    tables = set(inspect(conn).get_table_names())
    if not tables:
        return 0
    if META_TABLE not in tables:
        raise DatabaseRefused(
            f"The database {shown} holds tables but is not a PlaceDesk database (it has no {META_TABLE} table). "
            "It was left untouched; give an empty database to start one.")
    row = conn.execute(text(f"SELECT application, schema_version FROM {META_TABLE}")).first()
    if row is None or row[0] != APPLICATION:
        raise DatabaseRefused(f"The database {shown} is not a PlaceDesk database. It was left untouched.")
    version = int(row[1])
    if version > SCHEMA_VERSION:
        raise DatabaseRefused(
            f"The database {shown} was written by a newer version of PlaceDesk (schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}). Update PlaceDesk to open it. It was left untouched.")
    return version


def prepare_server(engine: Engine, shown: str, *, create: bool) -> tuple[bool, int | None]:
    """Check the server database and migrate it if needed; returns (created, upgraded_from).

    The upgrade holds an advisory lock, so two officers opening a new database at
    once migrate it once; the version is read again under the lock.
    """
    from sqlalchemy import text

    with engine.connect() as conn:
        version = schema_version(conn, shown)
    if version == SCHEMA_VERSION:
        return False, None
    if version == 0 and not create:
        raise DatabaseRefused(f"The database {shown} is empty: it holds no PlaceDesk data yet.")
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        version = schema_version(conn, shown)
        if version == SCHEMA_VERSION:
            return False, None
        if not conn.execute(text("SELECT has_schema_privilege(current_schema(), 'CREATE')")).scalar():
            # An officer's login may not change the schema; the owner upgrades it and re-applies the grants.
            state = "is empty" if version == 0 else f"holds PlaceDesk schema {version}"
            raise DatabaseRefused(
                f"The database {shown} {state}; this PlaceDesk needs schema {SCHEMA_VERSION}. Ask the database's "
                f"owner to run 'placedesk server init {shown}' to bring it up to date. It was left untouched.")
        # Imported only now: a current database never pays for loading Alembic.
        from placedesk.migrations.runner import upgrade

        upgrade(conn)
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
                          "(application VARCHAR(32) NOT NULL, schema_version INTEGER NOT NULL)"))
        conn.execute(text(f"DELETE FROM {META_TABLE}"))
        conn.execute(text(f"INSERT INTO {META_TABLE} (application, schema_version) VALUES (:app, :version)"),
                     {"app": APPLICATION, "version": SCHEMA_VERSION})
    return (True, None) if version == 0 else (False, version)


# What a role may not do on a team server, by (table, statement), then by table: the officer's words.
_ASK_MANAGER = "ask your team's manager to make this change. Nothing was changed."
REFUSALS: dict[tuple[str, str] | str, str] = {
    "kpi_definition": f"Only a manager can change KPI definitions; {_ASK_MANAGER}",
    "star_scale": f"Only a manager can change the outcome star scales; {_ASK_MANAGER}",
    ("sync_conflict", "UPDATE"): "Only a manager can resolve a sync conflict; ask your team's manager to decide "
                                 "it. Nothing was changed.",
    ("audit_event", "UPDATE"): "The audit trail can only be added to: no one can change an audit event.",
    ("audit_event", "DELETE"): "The audit trail can only be added to: no one can delete an audit event.",
}
GENERIC_REFUSAL = ("Your PostgreSQL login is not allowed to {verb} {what} on the team server, so nothing was changed. "
                   "If your work needs it, ask the database administrator for the right PlaceDesk role "
                   "('placedesk server grant LOGIN --role officer|manager').")
_VERBS = {"SELECT": "read", "INSERT": "add", "UPDATE": "change", "DELETE": "delete"}


def permission_refusal(exc: BaseException) -> PermissionRefused | None:
    """PostgreSQL's "permission denied" (SQLSTATE 42501) inside ``exc`` as one message the officer can act on.

    The server's own guards (:mod:`placedesk.services.server.guards`, the
    audit trail's trigger) word their refusal themselves and mark it with the
    hint ``placedesk``; a refused grant is explained by table and statement.
    """
    import re

    seen: BaseException | None = exc
    statement = ""
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        statement = statement or str(getattr(seen, "statement", "") or "")
        if getattr(seen, "sqlstate", None) == "42501":
            break
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    else:
        return None
    if seen is None:
        return None
    diag = getattr(seen, "diag", None)
    primary = str(getattr(diag, "message_primary", None) or seen)
    if getattr(diag, "message_hint", None) == "placedesk":
        return PermissionRefused(primary)
    found = re.search(r"permission denied for (table|relation|view|schema|database) \"?([\w.]+)", primary)
    kind, name = (found.group(1), found.group(2)) if found else ("", "")
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    message = REFUSALS.get((name, verb)) or REFUSALS.get(name)
    if message is None:
        what = f"the {name.replace('_', ' ')} records" if kind in ("table", "relation", "view") else \
            (f"the {kind} {name}" if name else "this")
        message = GENERIC_REFUSAL.format(verb=_VERBS.get(verb, "use"), what=what)
    return PermissionRefused(message)


def server_identity(conn: Connection) -> tuple[int, str, str]:
    """The cluster's system identifier, the database's name and the logged-in role.

    Together they name a team server database for as long as it exists (a restore
    from ``pg_dump`` onto another cluster is, rightly, another server).
    """
    from sqlalchemy import text

    system, database, login = conn.execute(text(
        "SELECT (SELECT system_identifier FROM pg_control_system()), current_database(), current_user")).one()
    return int(system), str(database), str(login)


_INSPECT = """
SELECT current_user,
       current_setting('server_version'),
       to_regclass('placedesk_meta') IS NOT NULL,
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p', 'v', 'm')),
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p', 'v', 'm')
           AND c.relname NOT IN ('placedesk_meta', 'alembic_version')
           AND has_table_privilege(c.oid, 'SELECT')),
       ARRAY(SELECT r.rolname FROM pg_roles r
              WHERE r.rolname <> current_user AND r.rolname NOT LIKE 'pg\\_%'
                AND pg_has_role(current_user, r.oid, 'MEMBER') ORDER BY r.rolname)
"""


def inspect_server(conn: Connection) -> tuple[str, str, bool, int, int, list[str]]:
    """What a login finds on a server database, changing nothing.

    The login, the server's version, whether ``placedesk_meta`` is there, how many
    tables and views there are, how many of those the login may read, and the roles
    it belongs to.
    """
    from sqlalchemy import text

    user, version, has_meta, tables, readable, roles = conn.execute(text(_INSPECT)).one()
    return str(user), str(version), bool(has_meta), int(tables), int(readable), list(roles)
