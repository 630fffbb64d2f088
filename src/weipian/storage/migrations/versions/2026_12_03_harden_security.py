"""Security hardening (issue 11).

- ``patches.restricted`` / ``patches.military_layer_id``: military restriction from the moment
  of import, re-marked by every military layer version; backfilled here against the current
  military layer (patches stay unchecked, hence withheld from exports, when there is none).

Revision ID: 2026_12_03_harden_security
Revises: 2026_12_03_rules_facts
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "2026_12_03_harden_security"
down_revision = "2026_12_03_rules_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from weipian.storage.restriction import remark_against_current

    op.add_column("patches", sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("patches", sa.Column("military_layer_id", sa.Integer(), nullable=True))
    op.create_index("ix_patches_restricted", "patches", ["restricted"])
    remark_against_current(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_index("ix_patches_restricted", table_name="patches")
    with op.batch_alter_table("patches") as batch:
        batch.drop_column("military_layer_id")
        batch.drop_column("restricted")
