"""The three PlaceDesk roles on a team server and exactly what each may do, table by table.

Roles are PostgreSQL group roles (NOLOGIN); a council's DBA makes each officer's
own login a member of one (``placedesk server grant``). Everything is granted
per table, the narrowest that the casework screens and services need:

* **officer**: reads every casework table; adds and edits casework; deletes
  only the rows a form replaces (fee lines, funding shares, KPI values,
  inspections, care periods, CAP actions and reviews); adds audit events and
  reads them; reads KPI definitions and star scales; records sync conflicts
  but may not resolve them (column grants leave out the resolution columns).
* **manager**: everything an officer may, and also resolves sync conflicts,
  edits KPI definitions and star scales, and lifts referral restrictions (the
  row-level guard in :mod:`placedesk.services.server.guards` lets only
  managers lift a CAP sanction or a provider's suspension).
* **commissioner**: no casework table at all; reads only the pseudonymised
  views in their own schema (:mod:`placedesk.services.server.views`), and
  the two bookkeeping tables that say which PlaceDesk schema this is.

The audit trail is insert-only for everybody (a trigger of migration 0006
refuses UPDATE and DELETE); nobody but the owner may TRUNCATE anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from sqlalchemy import Connection, text

from placedesk.errors import PlaceDeskError, ValidationError


class Role(str, Enum):
    """A PlaceDesk role, by the name the DBA types (``--role officer``)."""

    OFFICER = "officer"
    MANAGER = "manager"
    COMMISSIONER = "commissioner"

    @property
    def group(self) -> str:
        """The PostgreSQL group role's name."""
        return f"placedesk_{self.value}"


# The schema holding the commissioners' pseudonymised views: the only thing their role may read.
VIEWS_SCHEMA = "placedesk_commissioning"

# Casework an officer adds to and edits.
CASEWORK = (
    "child", "care_period", "referral", "referral_funding_share", "referral_recipient", "offer", "offer_fee_line",
    "placement", "placement_fee_line", "placement_funding_share", "agreement", "stored_document", "cap",
    "cap_action", "cap_review", "cap_sanction", "monitoring_visit", "outcome_assessment", "kpi_value",
    "provider", "inspection", "postcode_location", "sync_record", "officer_profile",
)
# Rows a form or an import replaces (ORM delete-orphan, re-entered returns); no main record is ever deleted.
REPLACED_ROWS = (
    "care_period", "referral_funding_share", "referral_recipient", "offer_fee_line", "placement_fee_line",
    "placement_funding_share", "cap_action", "cap_review", "cap_sanction", "kpi_value", "inspection",
)
# Definitions the manager keeps; officers read them.
DEFINITIONS = ("kpi_definition", "star_scale")
# What deciding a sync conflict writes; an officer records conflicts but may not fill these in.
CONFLICT_DECISION = ("resolution", "resolved_by", "resolved_at", "note")
# Bookkeeping every PlaceDesk reads when it opens a database; no personal data in either.
BOOKKEEPING = ("placedesk_meta", "alembic_version")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _existing(conn: Connection, names: Iterable[str]) -> list[str]:
    present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                  .scalars())
    return [n for n in names if n in present]


def ensure_roles(conn: Connection) -> list[str]:
    """Create the three NOLOGIN group roles where missing (roles belong to the whole cluster); returns those made."""
    made = []
    for role in Role:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role.group}).first()
        if exists is None:
            conn.exec_driver_sql(f"CREATE ROLE {_quote(role.group)} NOLOGIN")
            made.append(role.group)
        # INHERIT: a manager's login gets the officer's rights through the manager group.
        conn.exec_driver_sql(f"ALTER ROLE {_quote(role.group)} NOLOGIN INHERIT")
    officer, manager = _quote(Role.OFFICER.group), _quote(Role.MANAGER.group)
    if not conn.execute(text("SELECT pg_has_role(:m, :o, 'MEMBER')"),
                        {"m": Role.MANAGER.group, "o": Role.OFFICER.group}).scalar():
        conn.exec_driver_sql(f"GRANT {officer} TO {manager}")
    return made


def apply_grants(conn: Connection) -> None:
    """Revoke, then grant afresh, every PlaceDesk privilege on this database (safe to repeat after an upgrade)."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    groups = ", ".join(_quote(r.group) for r in Role)
    officer, manager = _quote(Role.OFFICER.group), _quote(Role.MANAGER.group)
    tables = list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                  .scalars())
    run = conn.exec_driver_sql
    # Nobody reaches this database without a PlaceDesk role (PostgreSQL lets PUBLIC connect by default).
    run(f"REVOKE ALL ON DATABASE {_quote(database)} FROM PUBLIC")
    run(f"GRANT CONNECT, TEMPORARY ON DATABASE {_quote(database)} TO {groups}")
    # Only PlaceDesk's roles reach the schema; a commissioner there may read the bookkeeping alone, so
    # PlaceDesk can tell the database is its own and every other table answers "permission denied".
    run(f"REVOKE ALL ON SCHEMA {_quote(schema)} FROM PUBLIC")
    run(f"GRANT USAGE ON SCHEMA {_quote(schema)} TO {groups}")
    for table in tables:
        run(f"REVOKE ALL ON TABLE {_quote(table)} FROM PUBLIC, {groups}")
        # Column grants are separate from table grants and survive a table REVOKE: clear them too.
        columns = list(conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = :t"), {"t": table}).scalars())
        if columns:
            run(f"REVOKE ALL ({', '.join(_quote(c) for c in columns)}) ON TABLE {_quote(table)} FROM {groups}")
    for table in _existing(conn, BOOKKEEPING):
        run(f"GRANT SELECT ON TABLE {_quote(table)} TO {groups}")
    casework_tables = _existing(conn, CASEWORK)
    for table in casework_tables:
        run(f"GRANT SELECT, INSERT, UPDATE ON TABLE {_quote(table)} TO {officer}")
    for table in _existing(conn, REPLACED_ROWS):
        run(f"GRANT DELETE ON TABLE {_quote(table)} TO {officer}")
    for table in _existing(conn, DEFINITIONS):
        run(f"GRANT SELECT ON TABLE {_quote(table)} TO {officer}")
        run(f"GRANT INSERT, UPDATE ON TABLE {_quote(table)} TO {manager}")
    if _existing(conn, ["audit_event"]):
        run(f"GRANT SELECT, INSERT ON TABLE audit_event TO {officer}")
    if _existing(conn, ["sync_conflict"]):
        columns = conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'sync_conflict'")).scalars()
        recorded = ", ".join(_quote(c) for c in columns if c not in CONFLICT_DECISION)
        run(f"GRANT SELECT, INSERT ON TABLE sync_conflict TO {officer}")
        run(f"GRANT UPDATE ({recorded}) ON TABLE sync_conflict TO {officer}")
        run(f"GRANT UPDATE ON TABLE sync_conflict TO {manager}")


def _check_login(conn: Connection, login: str) -> None:
    row = conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": login}).first()
    if row is None:
        raise ValidationError(f"There is no PostgreSQL login called {login!r} on this server. Create it first "
                              f"(CREATE ROLE \"{login}\" LOGIN, with a password or for Kerberos), then grant "
                              "it a PlaceDesk role.", field="login")
    if login in {r.group for r in Role}:
        raise ValidationError(f"{login} is one of PlaceDesk's own group roles, not a person's login.",
                              field="login")
    if not row[0]:
        raise ValidationError(f"{login!r} is a group role that cannot log in; give the role to a person's "
                              "login instead.", field="login")


def roles_of(conn: Connection, login: str) -> list[Role]:
    """The PlaceDesk roles ``login`` is directly a member of."""
    rows = set(conn.execute(text(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :login"), {"login": login}).scalars())
    return [r for r in Role if r.group in rows]


def grant_role(conn: Connection, login: str, role: Role) -> list[Role]:
    """Give ``login`` the PlaceDesk ``role``, taking away any other PlaceDesk role it had; returns those taken away.

    A login holds one PlaceDesk role at a time, so a commissioner promoted to
    officer does not keep seeing the views as well, and a demoted manager loses
    the manager's rights.
    """
    _check_login(conn, login)
    if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role.group}).first():
        raise PlaceDeskError("This server has no PlaceDesk roles yet: run 'placedesk server init URL' first.")
    removed = [r for r in roles_of(conn, login) if r is not role]
    for other in removed:
        conn.exec_driver_sql(f"REVOKE {_quote(other.group)} FROM {_quote(login)}")
    if role not in roles_of(conn, login):
        conn.exec_driver_sql(f"GRANT {_quote(role.group)} TO {_quote(login)}")
    return removed


def revoke_role(conn: Connection, login: str, role: Role | None = None) -> list[Role]:
    """Take ``role`` (or every PlaceDesk role) away from ``login``; returns the roles taken away."""
    _check_login(conn, login)
    held = roles_of(conn, login)
    removed = [r for r in held if role is None or r is role]
    for other in removed:
        conn.exec_driver_sql(f"REVOKE {_quote(other.group)} FROM {_quote(login)}")
    return removed


def working_role(conn: Connection) -> tuple[str, Role | None]:
    """The login on this connection and the PlaceDesk role it works as (None for the owner or a superuser).

    Refuses a login that cannot do casework here: a commissioner (whose
    reporting tool reads the views instead) or a login with no PlaceDesk role.
    """
    login, superuser, owner = conn.execute(text(
        "SELECT session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user), "
        "EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'audit_event' "
        "AND pg_has_role(session_user, tableowner, 'USAGE'))")).one()
    if superuser or owner:
        return str(login), None
    held = set(conn.execute(text(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'placedesk\\_%' AND pg_has_role(session_user, oid, 'USAGE')"
    )).scalars())
    for role in (Role.MANAGER, Role.OFFICER):
        if role.group in held:
            return str(login), role
    if Role.COMMISSIONER.group in held:
        raise PlaceDeskError(
            f"The login {login} is a commissioner's: it reads the pseudonymised views in the schema "
            f"{VIEWS_SCHEMA} (with a reporting tool or psql), not PlaceDesk's casework. Ask the database "
            "administrator for an officer's role if you need the casework.")
    raise PlaceDeskError(
        f"The login {login} has no PlaceDesk role on this server. Ask the database administrator to run "
        f"'placedesk server grant {login} --role officer' (or manager).")
