"""Indexes for Coming up's children by date of birth, and a child's referrals.

Revision ID: 0007_indexes
Revises: 0006
Create Date: 2026-12-06 06:10:00

Only indexes: no table or column changes, so nothing in the data moves, and
foreign keys are never broken. ``audit_event (entity, entity_id)`` needs no new
index: ``ix_audit_event_entity`` has covered it since 0001 (an edit conflict's
"changed by" now filters on both columns, so it uses it).
"""

from __future__ import annotations

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


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_child')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index('ix_child_date_of_birth')
