"""Indexes for the web pages at county scale (100,000 patches).

The patch list pages in (township, JCBH) order straight off an index, also within one state;
the overdue and due-soon figures read (state, due date) from an index, 月清 (township, batch); the review queue, 月清 and
the return deadlines find their events by action; the military-restricted patches, hidden from
most roles on every page, are found without reading every patch's figures. See docs/performance.md.

Revision ID: 2026_11_30_add_web_indexes
Revises: 2026_11_30_add_evidence
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "2026_11_30_add_web_indexes"
down_revision = "2026_11_30_add_evidence"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_patches_list_order": ("patches", ["township_code", "patch_code"]),
    "ix_patches_state_list_order": ("patches", ["state", "township_code", "patch_code"]),
    "ix_patches_state_due": ("patches", ["state", "due_on", "township_code", "patch_code"]),
    "ix_patches_township_batch": ("patches", ["township_code", "batch_id"]),
    "ix_events_action_patch": ("events", ["action", "patch_id", "at"]),
    "ix_suggestions_verdict": ("suggestions", ["verdict"]),
    "ix_patch_facts_restricted": ("patch_facts", ["restricted"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
