"""Security hardening (issue 11).

- ``patches.restricted`` / ``patches.military_layer_id``: military restriction from the moment
  of import, re-marked by every military layer version; backfilled here against the current
  military layer (patches stay unchecked, hence withheld from exports, when there is none).
- ``users.session_version``, ``failed_logins``, ``locked_until``: revocable sessions and
  sign-in throttling.

Revision ID: 2026_12_03_harden_security
Revises: 2026_11_30_add_web_indexes
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "2026_12_03_harden_security"
down_revision = "2026_11_30_add_web_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from weipian.storage.restriction import remark_against_current

    op.add_column("patches", sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("patches", sa.Column("military_layer_id", sa.Integer(), nullable=True))
    op.create_index("ix_patches_restricted", "patches", ["restricted"])
    remark_against_current(Session(bind=op.get_bind()))
    op.add_column("users", sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for name in ("locked_until", "failed_logins", "session_version"):
            batch.drop_column(name)
    op.drop_index("ix_patches_restricted", table_name="patches")
    with op.batch_alter_table("patches") as batch:
        batch.drop_column("military_layer_id")
        batch.drop_column("restricted")
