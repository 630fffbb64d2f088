"""Responsibility units as data (issue 13 item 6).

- units: code, name, kind (township | development_zone | section | branch | resource_office),
  active; filled by ``weipian init`` from the package data (missing units only);
- unit_townships: the townships each unit answers for (a township covers itself);
- users.unit_code: the unit a township account is scoped to; older township accounts get their
  township's own unit, so they see exactly what they saw before.

Revision ID: 2026_12_03_org_units
Revises: 2026_12_03_case_register
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_org_units"
down_revision = "2026_12_03_case_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_units")),
    )
    op.create_table(
        "unit_townships",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_unit_townships_unit_code_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_unit_townships_township_code_townships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_code", "township_code", name=op.f("pk_unit_townships")),
    )
    op.create_index("ix_unit_townships_township_code", "unit_townships", ["township_code"])
    op.add_column("users", sa.Column("unit_code", sa.String(length=32), nullable=True))
    users = sa.table("users", sa.column("role", sa.String), sa.column("township_code", sa.String),
                     sa.column("unit_code", sa.String))  # fmt: skip
    op.execute(
        users.update()
        .where(users.c.role == "township", users.c.township_code.is_not(None))
        .values(unit_code=users.c.township_code)
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35), not a batch recreate of the users table.
    op.drop_column("users", "unit_code")
    op.drop_index("ix_unit_townships_township_code", table_name="unit_townships")
    op.drop_table("unit_townships")
    op.drop_table("units")
