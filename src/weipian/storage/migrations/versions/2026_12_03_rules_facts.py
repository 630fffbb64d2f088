"""Desk-comparison facts the rules read (issue 10).

patch_facts gains the CZCSXM (城镇村属性码) areas per patch, 耕地 outside 永久基本农田 (永农 may
exceed 耕地), the area outside the mining licences (patch minus their union), the licence's
mineral (战略性矿种 priority) and the 可以长期稳定利用耕地 and 江河沿岸 areas (priority areas).

Revision ID: 2026_12_03_rules_facts
Revises: 2026_11_30_add_web_indexes
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_rules_facts"
down_revision = "2026_11_30_add_web_indexes"
branch_labels = None
depends_on = None

COLUMNS = (
    ("settlement_m2", sa.JSON()),
    ("farmland_outside_basic_m2", sa.Float()),
    ("mining_outside_m2", sa.Float()),
    ("mining_mineral", sa.String(64)),
    ("stable_farmland_m2", sa.Float()),
    ("riverside_m2", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("patch_facts") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patch_facts") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
