"""Add the workflow: append-only events, versioned determinations, suggestions.

Revision ID: 2026_11_28_add_workflow
Revises: 2026_11_28_add_desk_comparison
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_28_add_workflow"
down_revision = "2026_11_28_add_desk_comparison"
branch_labels = None
depends_on = None

APPEND_ONLY = ("events", "determinations")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_before", sa.String(24), nullable=False),
        sa.Column("state_after", sa.String(24), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["patch_id"], ["patches.id"], name=op.f("fk_events_patch_id_patches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_patch_id"), "events", ["patch_id"])
    op.create_table(
        "determinations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("violation_type", sa.String(32), nullable=True),
        sa.Column("farmland_housing", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patch_id"], ["patches.id"], name=op.f("fk_determinations_patch_id_patches")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_determinations_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_determinations")),
        sa.UniqueConstraint("patch_id", "version", name="uq_determinations_patch_version"),
    )
    op.create_table(
        "suggestions",
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("subtype", sa.String(64), nullable=True),
        sa.Column("mineral_verdict", sa.String(32), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("remark", sa.String(64), nullable=True),
        sa.Column("is_new", sa.Boolean(), nullable=True),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(64), nullable=False),
        sa.Column("judged_on", sa.Date(), nullable=False),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patch_id"], ["patches.id"], name=op.f("fk_suggestions_patch_id_patches"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("patch_id", name=op.f("pk_suggestions")),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    else:
        op.execute(
            "CREATE FUNCTION weipian_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION weipian_append_only()"
            )


def downgrade() -> None:
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    if bind.dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS weipian_append_only()")
    op.drop_table("suggestions")
    op.drop_table("determinations")
    op.drop_table("events")
