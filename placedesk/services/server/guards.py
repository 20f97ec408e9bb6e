"""Row-level rules the server enforces beyond table grants: only a manager lifts a restriction.

A grant can allow or forbid writing a column, but "an officer may impose a
sanction and edit its notes, not lift it" depends on the old and new values,
so a trigger decides. It refuses, for a login that is an officer and not a
manager:

* setting ``cap_sanction.lifted_on`` on a sanction not yet lifted (or adding
  one already lifted), or deleting a sanction still in force;
* turning off ``provider.suspended``.

The table's owner and superusers (the DBA, ``placedesk server push``) are
not PlaceDesk officers and pass. The refusal is PostgreSQL's
``insufficient_privilege`` with the officer's message and the hint
``placedesk``, which :func:`placedesk.db.permission_refusal` shows as it is.
"""

from __future__ import annotations

from sqlalchemy import Connection

from placedesk.services.server.roles import Role

LIFT_MESSAGE = ("Only a manager can lift a restriction; ask your team's manager to lift it (a CAP's referral "
                "restriction or framework suspension, or a provider's suspension). Nothing was changed.")

GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION placedesk_guard_restrictions() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lifting boolean := false;
BEGIN
    IF NOT pg_has_role(current_user, '{Role.OFFICER.group}', 'MEMBER')
       OR pg_has_role(current_user, '{Role.MANAGER.group}', 'MEMBER') THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    IF TG_TABLE_NAME = 'cap_sanction' THEN
        IF TG_OP = 'INSERT' THEN
            lifting := NEW.lifted_on IS NOT NULL;
        ELSIF TG_OP = 'UPDATE' THEN
            lifting := NEW.lifted_on IS DISTINCT FROM OLD.lifted_on;
        ELSE
            lifting := OLD.lifted_on IS NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'provider' AND TG_OP = 'UPDATE' THEN
        lifting := OLD.suspended AND NOT NEW.suspended;
    END IF;
    IF lifting THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', HINT = 'placedesk',
            MESSAGE = '{LIFT_MESSAGE.replace("'", "''")}';
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$
"""

GUARDED = {"cap_sanction": "INSERT OR UPDATE OR DELETE", "provider": "UPDATE"}


def apply_guards(conn: Connection) -> None:
    """(Re)create the guard function and its triggers; safe to repeat."""
    conn.exec_driver_sql(GUARD_FUNCTION)
    for table, events in GUARDED.items():
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS placedesk_guard_restrictions ON {table}")
        conn.exec_driver_sql(f"CREATE TRIGGER placedesk_guard_restrictions BEFORE {events} ON {table} "
                             "FOR EACH ROW EXECUTE FUNCTION placedesk_guard_restrictions()")
