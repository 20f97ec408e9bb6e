"""Who signed what arrived: audit events and imported bundles remember their signer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 00:40:00

Signed bundles (issue 13): an audit event received in a colleague's bundle
keeps the SHA-256 fingerprint of the certificate that signed the bundle and
the bundle's id, and an imported bundle's sync record keeps its signer's
fingerprint. Only nullable columns are added (SQLite adds them in place), so
existing rows are untouched and mean "made on this laptop".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('received_bundle_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_audit_event_received', ['received_bundle_id'], unique=False)
    with op.batch_alter_table('sync_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_record', schema=None) as batch_op:
        batch_op.drop_column('signer_fingerprint')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_received')
        batch_op.drop_column('received_bundle_id')
        batch_op.drop_column('signer_fingerprint')
