"""An equal-area copy of every layer feature, stored at import, so ``weipian analyze`` projects
only its patches: ``layer_features.plane_wkb`` in the Lambert equal-area plane on GRS80 centred on
(``layers.plane_lon``, ``layers.plane_lat``). Layers imported before keep NULL and are projected
a chunk at a time, as before.

Revision ID: 2026_12_03_layer_plane
Revises: 2026_12_03_priority_sort
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_03_layer_plane"
down_revision = "2026_12_03_priority_sort"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("layers", sa.Column("plane_lon", sa.Float(), nullable=True))
    op.add_column("layers", sa.Column("plane_lat", sa.Float(), nullable=True))
    op.add_column("layer_features", sa.Column("plane_wkb", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35): batch mode would recreate tables others reference.
    op.drop_column("layer_features", "plane_wkb")
    op.drop_column("layers", "plane_lat")
    op.drop_column("layers", "plane_lon")
