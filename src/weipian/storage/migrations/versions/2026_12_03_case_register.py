"""The case register (立案查处) in use: one case per patch, a confiscated area and a version.

- cases.patch_id: unique (one case per illegal patch; the statistics count it once);
- cases.confiscated_area_m2: 没收面积, checked against the patch's illegal area;
- cases.version: optimistic concurrency (a change applies only to the version it read).

Revision ID: 2026_12_03_case_register
Revises: 2026_12_03_batch_id_field
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_case_register"
down_revision = "2026_12_03_batch_id_field"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("confiscated_area_m2", sa.Float(), nullable=True))
    op.add_column("cases", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.drop_index(op.f("ix_cases_patch_id"), table_name="cases")
    op.create_index(op.f("ix_cases_patch_id"), "cases", ["patch_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_cases_patch_id"), table_name="cases")
    op.create_index(op.f("ix_cases_patch_id"), "cases", ["patch_id"], unique=False)
    # Plain DROP COLUMN (SQLite ≥ 3.35), not a batch recreate of a table case_persons references.
    op.drop_column("cases", "version")
    op.drop_column("cases", "confiscated_area_m2")
