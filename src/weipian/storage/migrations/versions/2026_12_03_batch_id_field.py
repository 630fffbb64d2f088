"""The identifier's field name as each batch delivered it (JCBH, TBBH, 监测编号 …), so the
platform delivery files name the identifier as received (INTERFACE.md). Batches imported before
keep NULL and are delivered under JCBH.

Revision ID: 2026_12_03_batch_id_field
Revises: 2026_12_03_add_rectification
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_batch_id_field"
down_revision = "2026_12_03_add_rectification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("id_field", sa.String(32), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite ≥ 3.35): batch mode would recreate ``batches``, and dropping a
    # table that patches reference fails while SQLite enforces foreign keys.
    op.drop_column("batches", "id_field")
