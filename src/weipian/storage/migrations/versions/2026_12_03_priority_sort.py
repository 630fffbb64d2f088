"""``patches.priority`` (重点关注): the patch's suggestion carries a priority flag
(可以长期稳定利用耕地, 江河沿岸, 战略性矿种), so the patch list and the special lists put priority
patches first, then by the deadline and JCBH. Filled by ``weipian judge`` from now on; backfilled
here from the suggestions stored before. The list-order indexes follow the new order, so a page
is still read off an index (docs/web.md).

Revision ID: 2026_12_03_priority_sort
Revises: 2026_12_03_case_register
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_priority_sort"
down_revision = "2026_12_03_org_units"
branch_labels = None
depends_on = None

# rules.PRIORITY_FLAGS as of this revision: a migration keeps the definition it was written with.
PRIORITY_FLAGS = ("stable_farmland", "riverside", "strategic_mineral")
CHUNK = 1000
OLD_INDEXES = {
    "ix_patches_list_order": ["township_code", "patch_code"],
    "ix_patches_state_list_order": ["state", "township_code", "patch_code"],
}
NEW_INDEXES = {
    "ix_patches_list_order": ["priority", "due_on", "patch_code", "id"],
    "ix_patches_state_list_order": ["state", "priority", "due_on", "patch_code", "id"],
    "ix_patches_township_list_order": ["township_code", "priority", "due_on", "patch_code", "id"],
}


def upgrade() -> None:
    op.add_column("patches", sa.Column("priority", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    suggestions = sa.table("suggestions", sa.column("patch_id", sa.Integer), sa.column("flags", sa.JSON))
    patches = sa.table("patches", sa.column("id", sa.Integer), sa.column("priority", sa.Boolean))
    # Flags are a JSON list on both backends; reading them in Python avoids two JSON dialects.
    ids = [
        pid
        for pid, flags in bind.execute(sa.select(suggestions.c.patch_id, suggestions.c.flags))
        if any(flag in PRIORITY_FLAGS for flag in flags or ())
    ]
    for start in range(0, len(ids), CHUNK):
        bind.execute(
            patches.update().where(patches.c.id.in_(ids[start : start + CHUNK])).values(priority=sa.true())
        )
    for name in OLD_INDEXES:
        op.drop_index(name, table_name="patches")
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "patches", columns)


def downgrade() -> None:
    for name in NEW_INDEXES:
        op.drop_index(name, table_name="patches")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "patches", columns)
    # A plain DROP COLUMN (SQLite ≥ 3.35): batch mode would recreate ``patches``, which many
    # tables reference.
    op.drop_column("patches", "priority")
