"""Audit events record the PostgreSQL login that wrote them; on a server the trail is insert-only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:30:00

``audit_event.login`` is a new nullable column (no row moves; SQLite adds it in
place). On a laptop's SQLite file it stays empty: the laptop has one user. On
PostgreSQL two triggers are installed:

* ``placedesk_audit_login`` fills ``login`` with ``session_user`` on every
  insert, whatever the client sent, so an officer cannot record a change under
  a colleague's login. Only the table's owner (``placedesk server push``,
  moving a laptop's history) may keep the value given, by setting
  ``placedesk.keep_login`` for its transaction.
* ``placedesk_audit_insert_only`` refuses every UPDATE and DELETE of an audit
  event, for every login including the owner's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STAMP_LOGIN = """
CREATE OR REPLACE FUNCTION placedesk_audit_login() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('placedesk.keep_login', true), '') = 'on'
       AND pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NEW;
    END IF;
    NEW.login := session_user;
    RETURN NEW;
END
$$
"""

INSERT_ONLY = """
CREATE OR REPLACE FUNCTION placedesk_audit_insert_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'insufficient_privilege',
        MESSAGE = 'The audit trail can only be added to: no one can change or delete an audit event. '
                  'Nothing was changed.',
        HINT = 'placedesk';
END
$$
"""


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=63), nullable=True))
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(STAMP_LOGIN)
    op.execute(INSERT_ONLY)
    op.execute("DROP TRIGGER IF EXISTS placedesk_audit_login ON audit_event")
    op.execute("CREATE TRIGGER placedesk_audit_login BEFORE INSERT ON audit_event "
               "FOR EACH ROW EXECUTE FUNCTION placedesk_audit_login()")
    op.execute("DROP TRIGGER IF EXISTS placedesk_audit_insert_only ON audit_event")
    op.execute("CREATE TRIGGER placedesk_audit_insert_only BEFORE UPDATE OR DELETE ON audit_event "
               "FOR EACH ROW EXECUTE FUNCTION placedesk_audit_insert_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS placedesk_audit_insert_only ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS placedesk_audit_login ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS placedesk_audit_insert_only()")
        op.execute("DROP FUNCTION IF EXISTS placedesk_audit_login()")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('login')
