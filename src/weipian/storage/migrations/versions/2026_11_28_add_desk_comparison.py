"""Add desk comparison results: analysis runs, per-patch facts, per-record overlaps.

Revision ID: 2026_11_28_add_desk_comparison
Revises: 2026_11_28_create_store
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_28_add_desk_comparison"
down_revision = "2026_11_28_create_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("area_method", sa.String(32), nullable=False),
        sa.Column("layer_versions", sa.JSON(), nullable=False),
        sa.Column("missing_kinds", sa.JSON(), nullable=False),
        sa.Column("patch_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    floats = [
        "farmland_m2", "agri_m2", "construction_m2", "unused_m2",
    ]  # fmt: skip
    op.create_table(
        "patch_facts",
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("area_method", sa.String(32), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        *[sa.Column(n, sa.Float(), nullable=True) for n in floats],
        sa.Column("land_classes", sa.JSON(), nullable=True),
        *[
            sa.Column(n, sa.Float(), nullable=True)
            for n in (
                "basic_farmland_m2",
                "eco_redline_m2",
                "dev_inside_m2",
                "protected_m2",
                "military_m2",
                "prior_m2",
            )
        ],
        sa.Column("approval_kind", sa.String(32), nullable=True),
        sa.Column("approval_no", sa.String(128), nullable=True),
        sa.Column("approval_ratio", sa.Float(), nullable=True),
        sa.Column("mining_status", sa.String(16), nullable=True),
        sa.Column("mining_licence", sa.String(128), nullable=True),
        sa.Column("mining_valid", sa.Boolean(), nullable=True),
        sa.Column("is_mining", sa.String(2), nullable=True),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patch_id"], ["patches.id"], name=op.f("fk_patch_facts_patch_id_patches"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["analysis_runs.id"], name=op.f("fk_patch_facts_run_id_analysis_runs")
        ),
        sa.PrimaryKeyConstraint("patch_id", name=op.f("pk_patch_facts")),
    )
    op.create_index(op.f("ix_patch_facts_run_id"), "patch_facts", ["run_id"])
    op.create_table(
        "patch_overlaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("doc_no", sa.String(128), nullable=True),
        sa.Column("doc_date", sa.String(10), nullable=True),
        sa.Column("valid_from", sa.String(10), nullable=True),
        sa.Column("valid_to", sa.String(10), nullable=True),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patch_id"], ["patches.id"], name=op.f("fk_patch_overlaps_patch_id_patches"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["analysis_runs.id"], name=op.f("fk_patch_overlaps_run_id_analysis_runs")
        ),
        sa.ForeignKeyConstraint(["layer_id"], ["layers.id"], name=op.f("fk_patch_overlaps_layer_id_layers")),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["layer_features.id"],
            name=op.f("fk_patch_overlaps_feature_id_layer_features"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patch_overlaps")),
    )
    op.create_index(op.f("ix_patch_overlaps_patch_id"), "patch_overlaps", ["patch_id"])


def downgrade() -> None:
    op.drop_table("patch_overlaps")
    op.drop_table("patch_facts")
    op.drop_table("analysis_runs")
