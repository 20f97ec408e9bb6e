"""Funding by element, the IPA's care arrangements and a preferred distance.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 00:50:00

- ``placement_fee_line.funded_by``: one partner alone, or "shared" by the agreed shares.
  Every existing line becomes "shared", which is how its money was split until now, so no
  partner's weekly amount changes.
- ``agreement.arrangements``: the care arrangements an IPA prints (empty for existing
  versions, whose PDFs are kept as they are).
- ``referral.preferred_distance_km``: scores providers, where ``max_distance_km`` now excludes.
- ``offer.needs_met``: how the provider says it will meet each need and risk (empty for
  existing offers).
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    # Plain ALTER TABLE ADD COLUMN, never a table copy: copying (and dropping) referral or
    # agreement would cascade to their children, and SQLite ignores "PRAGMA foreign_keys=OFF"
    # inside the migration's transaction. Adding a column with a default touches no row.
    conn.exec_driver_sql(
        "ALTER TABLE placement_fee_line ADD COLUMN funded_by VARCHAR(32) DEFAULT 'shared' NOT NULL "
        "CONSTRAINT ck_placement_fee_line_line_funding "
        "CHECK (funded_by IN ('shared', 'social_care', 'education', 'health'))"
    )
    conn.exec_driver_sql("ALTER TABLE agreement ADD COLUMN arrangements JSON DEFAULT '{}' NOT NULL")
    sqlite = conn.dialect.name == "sqlite"
    # PostgreSQL spells SQLite's DOUBLE out; both are an 8-byte float.
    conn.exec_driver_sql(f"ALTER TABLE referral ADD COLUMN preferred_distance_km {'DOUBLE' if sqlite else 'DOUBLE PRECISION'}")
    conn.exec_driver_sql("ALTER TABLE offer ADD COLUMN needs_met JSON DEFAULT '{}' NOT NULL")
    # PostgreSQL checks foreign keys as it goes; SQLite is asked.
    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
    if problems:
        raise RuntimeError(f"Foreign keys broken by the migration: {problems[:5]}")


def downgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("ALTER TABLE offer DROP COLUMN needs_met")
    conn.exec_driver_sql("ALTER TABLE referral DROP COLUMN preferred_distance_km")
    conn.exec_driver_sql("ALTER TABLE agreement DROP COLUMN arrangements")
    if conn.dialect.name != "sqlite":
        op.drop_column('placement_fee_line', 'funded_by')
        return
    # A column with a CHECK constraint cannot be dropped in place on SQLite: copy the table without it.
    with op.batch_alter_table('placement_fee_line', schema=None) as batch_op:
        batch_op.drop_constraint('line_funding', type_='check')
        batch_op.drop_column('funded_by')
