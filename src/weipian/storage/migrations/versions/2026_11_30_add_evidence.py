"""Add imagery, field evidence (attachments) and referrals.

Revision ID: 2026_11_30_add_evidence
Revises: 2026_11_28_add_users
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_30_add_evidence"
down_revision = "2026_11_28_add_users"
branch_labels = None
depends_on = None


def _bbox() -> list[sa.Column[float]]:
    return [sa.Column(n, sa.Float(), nullable=False) for n in ("minx", "miny", "maxx", "maxy")]


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(8), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("crs", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bands", sa.Integer(), nullable=False),
        *_bbox(),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("stored_name", name="uq_images_stored_name"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("azimuth", sa.Float(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(255), nullable=True),
        sa.ForeignKeyConstraint(["patch_id"], ["patches.id"], name=op.f("fk_attachments_patch_id_patches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("stored_name", name="uq_attachments_stored_name"),
    )
    op.create_index(op.f("ix_attachments_patch_id"), "attachments", ["patch_id"])
    op.create_index(op.f("ix_attachments_sha256"), "attachments", ["sha256"])
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("referred_by", sa.String(64), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("feedback_by", sa.String(64), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["patch_id"], ["patches.id"], name=op.f("fk_referrals_patch_id_patches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_patch_id"), "referrals", ["patch_id"])
    op.create_index(op.f("ix_referrals_department"), "referrals", ["department"])


def downgrade() -> None:
    op.drop_table("referrals")
    op.drop_table("attachments")
    op.drop_table("images")
