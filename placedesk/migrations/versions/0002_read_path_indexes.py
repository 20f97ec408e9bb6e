"""Indexes for the officer's week (open placements, placements by end date) and for matching.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:10:00

Only indexes: no table or column changes, so nothing in the data moves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_OPEN_COLUMNS = ["provider_id", "start_date", "child_id", "id", "ref", "planned_end_date", "review_date", "end_date"]


def upgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index('ix_provider_type', ['provider_type', 'name', 'ref', 'id'], unique=False)
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index('ix_placement_open', _OPEN_COLUMNS, unique=False,
                              sqlite_where=sa.text('end_date IS NULL'),
                              postgresql_where=sa.text('end_date IS NULL'))
        batch_op.create_index('ix_placement_end_date', ['end_date'], unique=False,
                              sqlite_where=sa.text('end_date IS NOT NULL'),
                              postgresql_where=sa.text('end_date IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index('ix_placement_end_date')
        batch_op.drop_index('ix_placement_open')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index('ix_provider_type')
