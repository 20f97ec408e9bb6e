"""Indexes for Coming up (children by date of birth, care histories, who is in care) and a child's referrals.

Revision ID: 0007_indexes
Revises: 0006
Create Date: 2026-12-06 06:10:00

Only indexes: no table or column changes, so nothing in the data moves, and
foreign keys are never broken. ``ix_care_period_child_start (child_id,
start_date)`` gives way to ``ix_care_period_history``, which starts with the
same two columns and adds the end date and legal status, so a care history is
read from the index alone. ``audit_event (entity, entity_id)`` needs no new
index: ``ix_audit_event_entity`` has covered it since 0001 (an edit conflict's
"changed by" now filters on both columns, so it uses it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_indexes'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.create_index('ix_child_date_of_birth', ['date_of_birth'], unique=False)
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_child', ['child_id'], unique=False)
    with op.batch_alter_table('care_period', schema=None) as batch_op:
        batch_op.create_index('ix_care_period_history', ['child_id', 'start_date', 'end_date', 'legal_status'],
                              unique=False)
        batch_op.create_index('ix_care_period_open', ['child_id'], unique=False,
                              sqlite_where=sa.text('end_date IS NULL'),
                              postgresql_where=sa.text('end_date IS NULL'))
        batch_op.drop_index('ix_care_period_child_start')


def downgrade() -> None:
    with op.batch_alter_table('care_period', schema=None) as batch_op:
        batch_op.create_index('ix_care_period_child_start', ['child_id', 'start_date'], unique=False)
        batch_op.drop_index('ix_care_period_open')
        batch_op.drop_index('ix_care_period_history')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_child')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index('ix_child_date_of_birth')
