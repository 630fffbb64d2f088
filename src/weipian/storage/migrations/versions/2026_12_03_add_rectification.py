"""Add the rectification ledger (查处整改台账), 销号 requests, the case register, patch splits,
referral feedback series and ledger files (issue 13).

Tables (see docs/architecture.md "Rectification ledger"):
- rectifications: one record per problem patch: responsible unit/person, measures, deadline,
  illegal area and 耕地 at opening, areas to date (demolished/regularised and their 耕地),
  remaining area, method (整改方式), state (rectifying | requested | closed), 销号 date.
- rectification_progress: append-only progress entries (areas as totals to date, note, event).
- close_out_requests: 销号 requests and the 市局's decision (approved | returned, reason code).
- cases / case_persons: 立案查处 register (case no., filing date, 处罚决定书, fines,
  confiscations, 结案 date) and the persons held responsible with the outcome.
- patch_splits: parent → child patch links of a split (图斑拆分).
- referral_feedback: append-only feedback series of a referral (接收/受理/办理中/办结).
- ledger_files: attachments tied to a progress entry, 销号 request, feedback entry or case.

Existing referral feedback (given once, before this revision) becomes a 办结 entry.

Revision ID: 2026_12_03_add_rectification
Revises: 2026_12_03_harden_security
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_add_rectification"
down_revision = "2026_12_03_harden_security"
branch_labels = None
depends_on = None

APPEND_ONLY = ("rectification_progress", "referral_feedback")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("decision_no", sa.String(length=128), nullable=True),
        sa.Column("decision_on", sa.Date(), nullable=True),
        sa.Column("fine_yuan", sa.Float(), nullable=True),
        sa.Column("confiscated_yuan", sa.Float(), nullable=True),
        sa.Column("confiscation", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patch_id"], ["patches.id"], name=op.f("fk_cases_patch_id_patches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_no", name="uq_cases_case_no"),
    )
    op.create_index(op.f("ix_cases_patch_id"), "cases", ["patch_id"], unique=False)
    op.create_table(
        "patch_splits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_patch_id", sa.Integer(), nullable=False),
        sa.Column("child_patch_id", sa.Integer(), nullable=False),
        sa.Column("part_no", sa.Integer(), nullable=False),
        sa.Column("split_status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_patch_id"], ["patches.id"], name=op.f("fk_patch_splits_child_patch_id_patches")
        ),
        sa.ForeignKeyConstraint(
            ["parent_patch_id"], ["patches.id"], name=op.f("fk_patch_splits_parent_patch_id_patches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patch_splits")),
        sa.UniqueConstraint("child_patch_id", name="uq_patch_splits_child_patch_id"),
    )
    op.create_index(
        op.f("ix_patch_splits_parent_patch_id"), "patch_splits", ["parent_patch_id"], unique=False
    )
    op.create_table(
        "rectifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("responsible_unit", sa.String(length=32), nullable=False),
        sa.Column("responsible_person", sa.String(length=64), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("illegal_area_m2", sa.Float(), nullable=False),
        sa.Column("illegal_farmland_m2", sa.Float(), nullable=True),
        sa.Column("demolished_m2", sa.Float(), nullable=False),
        sa.Column("demolished_farmland_m2", sa.Float(), nullable=False),
        sa.Column("regularised_m2", sa.Float(), nullable=False),
        sa.Column("regularised_farmland_m2", sa.Float(), nullable=False),
        sa.Column("remaining_m2", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("major_case", sa.Boolean(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patch_id"], ["patches.id"], name=op.f("fk_rectifications_patch_id_patches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectifications")),
        sa.UniqueConstraint("patch_id", name="uq_rectifications_patch_id"),
    )
    op.create_index(op.f("ix_rectifications_state"), "rectifications", ["state"], unique=False)
    op.create_index(
        "ix_rectifications_unit_state",
        "rectifications",
        ["responsible_unit", "state", "deadline"],
        unique=False,
    )
    op.create_table(
        "case_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.String(length=128), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("suggested_by", sa.String(length=32), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_persons_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_persons")),
    )
    op.create_index(op.f("ix_case_persons_case_id"), "case_persons", ["case_id"], unique=False)
    op.create_table(
        "close_out_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("request_event_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_event_id"], ["events.id"], name=op.f("fk_close_out_requests_decision_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectifications.id"],
            name=op.f("fk_close_out_requests_rectification_id_rectifications"),
        ),
        sa.ForeignKeyConstraint(
            ["request_event_id"], ["events.id"], name=op.f("fk_close_out_requests_request_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_close_out_requests")),
    )
    op.create_index(
        "ix_close_out_requests_decision", "close_out_requests", ["decision", "requested_at"], unique=False
    )
    op.create_index(
        op.f("ix_close_out_requests_rectification_id"),
        "close_out_requests",
        ["rectification_id"],
        unique=False,
    )
    op.create_table(
        "rectification_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("demolished_m2", sa.Float(), nullable=False),
        sa.Column("demolished_farmland_m2", sa.Float(), nullable=False),
        sa.Column("regularised_m2", sa.Float(), nullable=False),
        sa.Column("regularised_farmland_m2", sa.Float(), nullable=False),
        sa.Column("remaining_m2", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_rectification_progress_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectifications.id"],
            name=op.f("fk_rectification_progress_rectification_id_rectifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_progress")),
    )
    op.create_index(
        op.f("ix_rectification_progress_rectification_id"),
        "rectification_progress",
        ["rectification_id"],
        unique=False,
    )
    op.create_table(
        "referral_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("given_by", sa.String(length=64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_referral_feedback_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_feedback")),
    )
    op.create_index(
        op.f("ix_referral_feedback_referral_id"), "referral_feedback", ["referral_id"], unique=False
    )
    op.create_table(
        "ledger_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=True),
        sa.Column("close_request_id", sa.Integer(), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attachment_id"], ["attachments.id"], name=op.f("fk_ledger_files_attachment_id_attachments")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_ledger_files_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["close_request_id"],
            ["close_out_requests.id"],
            name=op.f("fk_ledger_files_close_request_id_close_out_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["referral_feedback.id"],
            name=op.f("fk_ledger_files_feedback_id_referral_feedback"),
        ),
        sa.ForeignKeyConstraint(
            ["progress_id"],
            ["rectification_progress.id"],
            name=op.f("fk_ledger_files_progress_id_rectification_progress"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_files")),
        sa.UniqueConstraint("attachment_id", name="uq_ledger_files_attachment_id"),
    )
    op.create_index(op.f("ix_ledger_files_case_id"), "ledger_files", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_ledger_files_close_request_id"), "ledger_files", ["close_request_id"], unique=False
    )
    op.create_index(op.f("ix_ledger_files_feedback_id"), "ledger_files", ["feedback_id"], unique=False)
    op.create_index(op.f("ix_ledger_files_progress_id"), "ledger_files", ["progress_id"], unique=False)

    op.execute(
        "INSERT INTO referral_feedback (referral_id, stage, text, given_by, given_at) "
        "SELECT id, 'done', feedback, feedback_by, feedback_at FROM referrals WHERE feedback_at IS NOT NULL"
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    else:  # weipian_append_only() was made by 2026_11_28_add_workflow
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
    op.drop_index(op.f("ix_ledger_files_progress_id"), table_name="ledger_files")
    op.drop_index(op.f("ix_ledger_files_feedback_id"), table_name="ledger_files")
    op.drop_index(op.f("ix_ledger_files_close_request_id"), table_name="ledger_files")
    op.drop_index(op.f("ix_ledger_files_case_id"), table_name="ledger_files")
    op.drop_table("ledger_files")
    op.drop_index(op.f("ix_referral_feedback_referral_id"), table_name="referral_feedback")
    op.drop_table("referral_feedback")
    op.drop_index(op.f("ix_rectification_progress_rectification_id"), table_name="rectification_progress")
    op.drop_table("rectification_progress")
    op.drop_index(op.f("ix_close_out_requests_rectification_id"), table_name="close_out_requests")
    op.drop_index("ix_close_out_requests_decision", table_name="close_out_requests")
    op.drop_table("close_out_requests")
    op.drop_index(op.f("ix_case_persons_case_id"), table_name="case_persons")
    op.drop_table("case_persons")
    op.drop_index("ix_rectifications_unit_state", table_name="rectifications")
    op.drop_index(op.f("ix_rectifications_state"), table_name="rectifications")
    op.drop_table("rectifications")
    op.drop_index(op.f("ix_patch_splits_parent_patch_id"), table_name="patch_splits")
    op.drop_table("patch_splits")
    op.drop_index(op.f("ix_cases_patch_id"), table_name="cases")
    op.drop_table("cases")
    # ### end Alembic commands ###
