"""Create the store: townships, batches, patches, layers, features, links, spatial indexes.

Revision ID: 2026_11_28_create_store
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_28_create_store"
down_revision = None
branch_labels = None
depends_on = None


def _bbox() -> list[sa.Column[float]]:
    return [sa.Column(n, sa.Float(), nullable=False) for n in ("minx", "miny", "maxx", "maxy")]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _ensure_postgis(bind)
    op.create_table(
        "townships",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_townships")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("verification_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("source_crs", sa.String(32), nullable=False),
        sa.Column("crs_inferred", sa.Boolean(), nullable=False),
        sa.Column("area_method", sa.String(32), nullable=False),
        sa.Column("patch_count", sa.Integer(), nullable=False),
        sa.Column("repaired_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("source", "name", name="uq_batches_source_name"),
    )
    op.create_table(
        "patches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("admin_code", sa.String(12), nullable=False),
        sa.Column("patch_code", sa.String(64), nullable=False),
        sa.Column("admin_name", sa.String(64), nullable=True),
        sa.Column("township_code", sa.String(12), nullable=True),
        sa.Column("township_share", sa.Float(), nullable=True),
        sa.Column("change_type", sa.String(16), nullable=True),
        sa.Column("before_date", sa.String(8), nullable=True),
        sa.Column("after_date", sa.String(8), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("area_method", sa.String(32), nullable=False),
        sa.Column("delivered_area_m2", sa.Float(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("prior_patch_code", sa.String(64), nullable=True),
        sa.Column("prior_change_type", sa.String(16), nullable=True),
        sa.Column("same_place_codes_delivered", sa.Text(), nullable=True),
        sa.Column("same_place_codes", sa.Text(), nullable=True),
        sa.Column("is_mining", sa.String(2), nullable=True),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("repaired", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("wkb", sa.LargeBinary(), nullable=False),
        *_bbox(),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_patches_batch_id_batches")),
        sa.ForeignKeyConstraint(
            ["township_code"], ["townships.code"], name=op.f("fk_patches_township_code_townships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patches")),
        sa.UniqueConstraint("source", "year", "admin_code", "patch_code", name="uq_patches_identity"),
    )
    op.create_index(op.f("ix_patches_batch_id"), "patches", ["batch_id"])
    op.create_index(op.f("ix_patches_township_code"), "patches", ["township_code"])
    op.create_index(op.f("ix_patches_state"), "patches", ["state"])
    op.create_table(
        "layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("source_crs", sa.String(32), nullable=False),
        sa.Column("crs_inferred", sa.Boolean(), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("repaired_count", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layers")),
        sa.UniqueConstraint("kind", "version", name="uq_layers_kind_version"),
    )
    op.create_table(
        "layer_features",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("repaired", sa.Boolean(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("wkb", sa.LargeBinary(), nullable=False),
        *_bbox(),
        sa.ForeignKeyConstraint(
            ["layer_id"], ["layers.id"], name=op.f("fk_layer_features_layer_id_layers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layer_features")),
    )
    op.create_index("ix_layer_features_layer_code", "layer_features", ["layer_id", "code"])
    op.create_table(
        "patch_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("target_patch_id", sa.Integer(), nullable=True),
        sa.Column("target_feature_id", sa.Integer(), nullable=True),
        sa.Column("target_code", sa.String(64), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=True),
        sa.Column("overlap_m2", sa.Float(), nullable=False),
        sa.Column("overlap_ratio", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patch_id"], ["patches.id"], name=op.f("fk_patch_links_patch_id_patches"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_patch_id"],
            ["patches.id"],
            name=op.f("fk_patch_links_target_patch_id_patches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_feature_id"],
            ["layer_features.id"],
            name=op.f("fk_patch_links_target_feature_id_layer_features"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patch_links")),
    )
    op.create_index(op.f("ix_patch_links_patch_id"), "patch_links", ["patch_id"])
    if bind.dialect.name == "sqlite":
        for table, rtree in (("patches", "patch_rtree"), ("layer_features", "feature_rtree")):
            _sqlite_rtree(table, rtree)
    else:
        for table in ("patches", "layer_features"):
            _postgis_geom(table)


def _ensure_postgis(bind: sa.Connection) -> None:
    has = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).scalar()
    if not has:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def _sqlite_rtree(table: str, rtree: str) -> None:
    # R*Tree keeps the boxes (float32, rounded outward): a prefilter before shapely. Inserts
    # fill it set-wise (storage.bulk.index_boxes, several times faster than a per-row trigger);
    # triggers keep it in step on update and delete.
    op.execute(f"CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy)")
    op.execute(
        f"CREATE TRIGGER {table}_rtree_update AFTER UPDATE OF minx, miny, maxx, maxy ON {table} BEGIN "
        f"UPDATE {rtree} SET minx = new.minx, maxx = new.maxx, miny = new.miny, maxy = new.maxy "
        f"WHERE id = new.id; END"
    )
    op.execute(
        f"CREATE TRIGGER {table}_rtree_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {rtree} WHERE id = old.id; END"
    )


def _postgis_geom(table: str) -> None:
    # A generated PostGIS column over the WKB: QGIS and SQL see real geometry, and the
    # application keeps writing one representation.
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN geom geometry(MultiPolygon, 4490) "
        f"GENERATED ALWAYS AS (ST_Multi(ST_GeomFromWKB(wkb, 4490))) STORED"
    )
    op.execute(f"CREATE INDEX ix_{table}_geom_gist ON {table} USING gist (geom)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, rtree in (("patches", "patch_rtree"), ("layer_features", "feature_rtree")):
            for when in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_rtree_{when}")
            op.execute(f"DROP TABLE IF EXISTS {rtree}")
    for table in ("patch_links", "layer_features", "layers", "patches", "batches", "townships"):
        op.drop_table(table)
