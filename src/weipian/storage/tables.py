"""The database tables, as SQLAlchemy Core. One schema for SQLite and PostgreSQL.

Geometry is kept as WKB (EPSG:4490) plus its bounding box on both backends; analysis runs in
Python, so both give identical numbers. SQLite indexes the box with an R*Tree virtual table
(``patch_rtree``, ``feature_rtree``); PostgreSQL adds a generated PostGIS ``geom`` column with a
GiST index for QGIS and server-side queries. Both are made by the migrations, not here.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _bbox() -> list[Column[float]]:
    return [Column(n, Float, nullable=False) for n in ("minx", "miny", "maxx", "maxy")]


townships = Table(
    "townships",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("year", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("verification_days", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("file_name", String(512), nullable=False),
    Column("file_hash", String(64), nullable=False),
    Column("source_crs", String(32), nullable=False),
    Column("crs_inferred", Boolean, nullable=False),
    Column("area_method", String(32), nullable=False),
    Column("patch_count", Integer, nullable=False),
    Column("repaired_count", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source", "name", name="uq_batches_source_name"),
)

patches = Table(
    "patches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False, index=True),
    Column("source", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("admin_code", String(12), nullable=False),  # XZQDM as delivered
    Column("patch_code", String(64), nullable=False),  # JCBH
    Column("admin_name", String(64)),  # XZQMC as delivered
    Column("township_code", String(12), ForeignKey("townships.code"), index=True),
    Column("township_share", Float),  # share of the patch inside that township, 0–1
    Column("change_type", String(16)),  # TBLX
    Column("before_date", String(8)),  # QSX, YYYYMMDD
    Column("after_date", String(8)),  # HSX, YYYYMMDD
    Column("lon", Float, nullable=False),  # LZB
    Column("lat", Float, nullable=False),  # BZB
    Column("area_m2", Float, nullable=False),  # JCMJ, computed
    Column("area_method", String(32), nullable=False),
    Column("delivered_area_m2", Float),  # JCMJ as delivered, converted to m²
    Column("issued_on", Date),  # XFSJ
    Column("prior_patch_code", String(64)),  # QQJCBH
    Column("prior_change_type", String(16)),  # QQTBLX
    Column("same_place_codes_delivered", Text),  # TYWZJCTBWQBH as delivered
    Column("same_place_codes", Text),  # TYWZJCTBWQBH: delivered ∪ computed earlier codes
    Column("is_mining", String(2)),  # SFSK 是/否
    Column("attrs", JSON, nullable=False),  # every other delivered attribute
    Column("source_row", Integer, nullable=False),
    Column("repaired", Boolean, nullable=False),
    Column("state", String(24), nullable=False, index=True),  # ZT
    Column("due_on", Date, nullable=False),
    Column("wkb", LargeBinary, nullable=False),
    *_bbox(),
    UniqueConstraint("source", "year", "admin_code", "patch_code", name="uq_patches_identity"),
    # The web list's order, whole and within a state; overdue and due-soon by state and date.
    Index("ix_patches_list_order", "township_code", "patch_code"),
    Index("ix_patches_state_list_order", "state", "township_code", "patch_code"),
    Index("ix_patches_state_due", "state", "due_on", "township_code", "patch_code"),
    Index("ix_patches_township_batch", "township_code", "batch_id"),  # 月清
)

layers = Table(
    "layers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("as_of", Date),
    Column("file_name", String(512), nullable=False),
    Column("file_hash", String(64), nullable=False),
    Column("source_crs", String(32), nullable=False),
    Column("crs_inferred", Boolean, nullable=False),
    Column("feature_count", Integer, nullable=False),
    Column("repaired_count", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "version", name="uq_layers_kind_version"),
)

layer_features = Table(
    "layer_features",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("layer_id", Integer, ForeignKey("layers.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(64)),  # the kind's key attribute: XZQDM, JCBH, DLBM …
    Column("source_row", Integer, nullable=False),
    Column("repaired", Boolean, nullable=False),
    Column("attrs", JSON, nullable=False),
    Column("wkb", LargeBinary, nullable=False),
    *_bbox(),
    Index("ix_layer_features_layer_code", "layer_id", "code"),
)

patch_links = Table(
    "patch_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),  # same_place_prior | same_place_patch
    Column("target_patch_id", Integer, ForeignKey("patches.id", ondelete="CASCADE")),
    Column("target_feature_id", Integer, ForeignKey("layer_features.id", ondelete="CASCADE")),
    Column("target_code", String(64), nullable=False),
    Column("target_year", Integer),
    Column("overlap_m2", Float, nullable=False),
    Column("overlap_ratio", Float, nullable=False),  # overlap ÷ the smaller of the two areas
)

SPATIAL_TABLES = {"patches": "patch_rtree", "layer_features": "feature_rtree"}

analysis_runs = Table(
    "analysis_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("engine", String(32), nullable=False),  # local:N | dask:ADDRESS
    Column("area_method", String(32), nullable=False),
    Column("layer_versions", JSON, nullable=False),  # kind → layer id used
    Column("missing_kinds", JSON, nullable=False),
    Column("patch_count", Integer, nullable=False),
)

# One row per analysed patch: the figures of its latest desk comparison.
patch_facts = Table(
    "patch_facts",
    metadata,
    Column("patch_id", Integer, ForeignKey("patches.id", ondelete="CASCADE"), primary_key=True),
    Column("run_id", Integer, ForeignKey("analysis_runs.id"), nullable=False, index=True),
    Column("area_method", String(32), nullable=False),
    Column("area_m2", Float, nullable=False),  # JCMJ by area_method
    Column("farmland_m2", Float),  # GDMJ
    Column("agri_m2", Float),  # NYDMJ
    Column("construction_m2", Float),  # JSYDMJ
    Column("unused_m2", Float),  # WLYDMJ
    Column("land_classes", JSON),  # DLBM → m²
    Column("settlement_m2", JSON),  # CZCSXM (城镇村属性码) → m²
    Column("farmland_outside_basic_m2", Float),  # 耕地 not in 永久基本农田
    Column("stable_farmland_m2", Float),  # 可以长期稳定利用耕地
    Column("riverside_m2", Float),  # 江河沿岸 (river and riverbank buffers)
    Column("basic_farmland_m2", Float),  # YJJBNTMJ
    Column("eco_redline_m2", Float),  # STHXMJ
    Column("dev_inside_m2", Float),
    Column("protected_m2", Float),
    Column("military_m2", Float),
    Column("prior_m2", Float),
    Column("approval_kind", String(32)),
    Column("approval_no", String(128)),  # PZWH
    Column("approval_ratio", Float),  # PZBL, %
    Column("mining_status", String(16)),  # none | inside | straddling | outside
    Column("mining_licence", String(128)),
    Column("mining_valid", Boolean),  # licence valid at 后时相
    Column("mining_outside_m2", Float),  # 界外: the patch minus the licences' union
    Column("mining_mineral", String(64)),  # 开采矿种 of the licence met most (战略性矿种 priority)
    Column("is_mining", String(2)),  # SFSK suggestion 是/否
    Column("restricted", Boolean, nullable=False),  # military overlap
    Column("stale", Boolean, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Index("ix_patch_facts_restricted", "restricted"),  # hidden from most roles on every page
)

# Every record a patch overlaps, per kind: approvals, licences, prior patches, zones.
patch_overlaps = Table(
    "patch_overlaps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("analysis_runs.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("layer_id", Integer, ForeignKey("layers.id"), nullable=False),
    Column("feature_id", Integer, ForeignKey("layer_features.id", ondelete="CASCADE"), nullable=False),
    Column("doc_no", String(128)),
    Column("doc_date", String(10)),
    Column("valid_from", String(10)),
    Column("valid_to", String(10)),
    Column("area_m2", Float, nullable=False),
    Column("ratio", Float, nullable=False),  # share of the patch, 0–1
)

# The event log: the truth of the workflow. Append-only (triggers refuse UPDATE and DELETE);
# patches.state is its projection, updated in the same transaction.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id"), nullable=False, index=True),
    Column("action", String(48), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("state_before", String(24), nullable=False),
    Column("state_after", String(24), nullable=False),
    Column("payload", JSON, nullable=False),
    Index("ix_events_action_patch", "action", "patch_id", "at"),  # review queue, 月清, returns
)

# Every saved determination, versioned; the highest version is the current one. Append-only.
determinations = Table(
    "determinations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("verdict", String(32), nullable=False),  # PDJG
    Column("violation_type", String(32)),  # WFLX
    Column("farmland_housing", Boolean, nullable=False),
    Column("data", JSON, nullable=False),  # the whole record
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("patch_id", "version", name="uq_determinations_patch_version"),
)

# The latest rule-based suggestion (预判) per patch; recomputed by ``weipian judge``.
suggestions = Table(
    "suggestions",
    metadata,
    Column("patch_id", Integer, ForeignKey("patches.id", ondelete="CASCADE"), primary_key=True),
    Column("verdict", String(32), nullable=False),  # YPJG
    Column("subtype", String(64)),
    Column("mineral_verdict", String(32)),
    Column("flags", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("remark", String(64)),
    Column("is_new", Boolean),
    Column("trace", JSON, nullable=False),
    Column("rules_version", String(64), nullable=False),
    Column("judged_on", Date, nullable=False),
    Column("judged_at", DateTime(timezone=True), nullable=False),
    Index("ix_suggestions_verdict", "verdict"),
)

# Web accounts (issue 5). ``role`` holds a weipian.domain.roles.Role value; township staff carry
# their township's 9-digit code (checked by the service: no foreign key, so a township list
# update never fails on an account).
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),  # argon2id, pwdlib format
    Column("role", String(32), nullable=False),
    Column("township_code", String(12)),
    Column("department", String(64)),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("username", name="uq_users_username"),
)

# Registered imagery (issue 5): cloud-optimised GeoTIFFs kept under ``<files dir>/imagery`` by a
# generated name. The web serves tiles by ``id`` only, never by a path from the request.
images = Table(
    "images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phase", String(8), nullable=False),  # before (前时相) | after (后时相)
    Column("taken_on", Date, nullable=False),
    Column("name", String(255), nullable=False),  # the file name it was registered from
    Column("stored_name", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("crs", String(64), nullable=False),  # of the source raster, e.g. EPSG:4527
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("bands", Integer, nullable=False),
    *_bbox(),  # lon/lat (EPSG:4326) bounds, for choosing the images that cover a patch
    Column("added_by", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("stored_name", name="uq_images_stored_name"),
)

# Field evidence (举证): photos with what their EXIF says and the automatic checks' results, and
# other attachments (approval documents). Files live under ``<files dir>/evidence`` by generated
# name; ``sha256`` finds a photo reused on another patch.
attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # photo | document
    Column("original_name", String(255), nullable=False),
    Column("stored_name", String(64), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("taken_at", DateTime(timezone=True)),  # EXIF DateTimeOriginal (+ offset if given)
    Column("lon", Float),  # EXIF GPS, EPSG:4326
    Column("lat", Float),
    Column("azimuth", Float),  # EXIF GPSImgDirection, degrees from north
    Column("checks", JSON),  # [{"code", "passed", "detail"}], photos only
    Column("note", String(255)),
    UniqueConstraint("stored_name", name="uq_attachments_stored_name"),
)

# 抄告 / 移交 to another department; feedback (反馈) is due within two months and the item stays
# listed until it comes.
referrals = Table(
    "referrals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # referral (抄告) | transfer (移交)
    Column("department", String(64), nullable=False, index=True),
    Column("matter", Text, nullable=False),
    Column("referred_by", String(64), nullable=False),
    Column("referred_at", DateTime(timezone=True), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("feedback", Text),
    Column("feedback_by", String(64)),
    Column("feedback_at", DateTime(timezone=True)),
)
