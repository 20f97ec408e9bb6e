"""Audit events may record an export; the KPI period index covers the dashboard's month read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 00:45:00

Only the CHECK constraint on ``audit_event.action`` widens to allow "export":
the table is copied (SQLite cannot alter a constraint) with every row as it
was. No table refers to ``audit_event``, so foreign keys need no care here.

``ix_kpi_value_period`` gains the columns the dashboard reads with it, so a
month's values come from the index alone: on an encrypted database each table
page read is a page decrypted. Only an index changes; no row moves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_BEFORE = ('insert', 'update', 'delete')
_AFTER = (*_BEFORE, 'export')


def _action(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='audit_action', native_enum=False, create_constraint=True, length=32)


_PERIOD_COVER = ['period_start', 'provider_id', 'definition_id', 'value']


def _replace_action_check(values: tuple[str, ...]) -> bool:
    """On PostgreSQL, swap the CHECK constraint in place (no copy needed); False on SQLite."""
    if op.get_bind().dialect.name == "sqlite":
        return False
    op.drop_constraint(op.f('ck_audit_event_audit_action'), 'audit_event', type_='check')
    allowed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(op.f('ck_audit_event_audit_action'), 'audit_event', sa.text(f"action IN ({allowed})"))
    return True


def upgrade() -> None:
    if _replace_action_check(_AFTER):
        op.drop_index('ix_kpi_value_period', table_name='kpi_value')
        op.create_index('ix_kpi_value_period', 'kpi_value', _PERIOD_COVER, unique=False)
        return
    with op.batch_alter_table('audit_event', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('action', existing_type=_action(_BEFORE), type_=_action(_AFTER),
                              existing_nullable=False)
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_value_period')
        batch_op.create_index('ix_kpi_value_period', _PERIOD_COVER, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_value_period')
        batch_op.create_index('ix_kpi_value_period', ['period_start'], unique=False)
    op.execute("DELETE FROM audit_event WHERE action = 'export'")
    if _replace_action_check(_BEFORE):
        return
    with op.batch_alter_table('audit_event', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('action', existing_type=_action(_AFTER), type_=_action(_BEFORE),
                              existing_nullable=False)
