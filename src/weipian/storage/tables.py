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
    false,
    true,
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

# Responsibility units (责任单位, domain/organisation.py): townships, development zones, the
# bureau's sections, 水头分局, the 资源管理所. Seeded by ``weipian init`` from the package data
# (missing units only), edited with ``weipian units``. A unit answers for the patches of the
# townships in ``unit_townships``; a township unit covers itself, a section none.
units = Table(
    "units",
    metadata,
    Column("code", String(32), primary_key=True),  # the XZQDM of a township; letters otherwise
    Column("name", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # weipian.domain.organisation.UnitKind
    Column("active", Boolean, nullable=False, server_default=true()),
)

unit_townships = Table(
    "unit_townships",
    metadata,
    Column("unit_code", String(32), ForeignKey("units.code", ondelete="CASCADE"), primary_key=True),
    Column("township_code", String(12), ForeignKey("townships.code", ondelete="CASCADE"), primary_key=True),
    Index("ix_unit_townships_township_code", "township_code"),
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
    Column("id_field", String(32)),  # the identifier's field name as delivered: JCBH, TBBH, 监测编号 …
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
    # Military overlap, set at intake and whenever a military layer version arrives (never
    # waiting for ``weipian analyze``); ``military_layer_id`` is the version it was checked
    # against, NULL when no military layer existed yet (exports then treat it as restricted).
    Column("restricted", Boolean, nullable=False, server_default=false()),
    Column("military_layer_id", Integer),
    # 重点关注 (rules.PRIORITY_FLAGS in its suggestion's flags), written by ``weipian judge`` with
    # the suggestion: kept on the patch so the web list orders and pages by it in SQL.
    Column("priority", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("source", "year", "admin_code", "patch_code", name="uq_patches_identity"),
    # The web list's order (重点关注 first, then the deadline, then JCBH), whole, within a state
    # and within a township; overdue and due-soon by state and date.
    Index("ix_patches_list_order", "priority", "due_on", "patch_code", "id"),
    Index("ix_patches_state_list_order", "state", "priority", "due_on", "patch_code", "id"),
    Index("ix_patches_township_list_order", "township_code", "priority", "due_on", "patch_code", "id"),
    Index("ix_patches_state_due", "state", "due_on", "township_code", "patch_code"),
    Index("ix_patches_township_batch", "township_code", "batch_id"),  # 月清
    Index("ix_patches_restricted", "restricted"),  # hidden from most roles on every page
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
    # Centre of the equal-area plane of layer_features.plane_wkb (NULL: imported without a copy).
    Column("plane_lon", Float),
    Column("plane_lat", Float),
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
    Column("plane_wkb", LargeBinary),  # equal-area copy (see layers.plane_lon/lat), for analyze
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
    # Hash chain (domain/eventlog.py): the previous event's hash and this one's over both.
    Column("prev_hash", String(64), nullable=False, server_default=""),
    Column("hash", String(64), nullable=False, server_default=""),
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
    # The responsibility unit (units.code) a township account is scoped to; no foreign key, like
    # township_code. NULL on older accounts: the township's own unit.
    Column("unit_code", String(32)),
    Column("department", String(64)),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Raised by logout, a password change and disabling: every older session cookie is dead.
    Column("session_version", Integer, nullable=False, server_default="0"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),  # since the last success
    Column("locked_until", DateTime(timezone=True)),  # sign-in refused until then (throttling)
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

# --- Rectification ledger (查处整改台账), 销号, case register, splits (issue 13) ---------------
# Every change below also appends one ``events`` row (who, when, action code, payload) in the same
# transaction; these tables are the queryable projection the pages and statistics read.

# One ledger record per problem patch (违法, land or mineral). The area columns hold the totals to
# date of the latest progress entry (checked on every save: rectified = demolished + regularised,
# remaining = illegal − rectified ≥ 0, 耕地 ≤ its area); ``method`` is derived from them.
rectifications = Table(
    "rectifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patch_id", Integer, ForeignKey("patches.id"), nullable=False),
    Column("state", String(16), nullable=False, index=True),  # domain.ledger.RecordState
    Column("responsible_unit", String(32), nullable=False),  # unit code (township XZQDM …)
    Column("responsible_person", String(64), nullable=False),  # 整改责任人
    Column("measures", JSON, nullable=False),  # labels of the rule dictionary rectification_measure
    Column("deadline", Date, nullable=False),  # 整改时限
    Column("illegal_area_m2", Float, nullable=False),  # from the determination at opening (违法面积)
    Column("illegal_farmland_m2", Float),  # its 耕地 (None when the determination gives none)
    Column("demolished_m2", Float, nullable=False),  # 拆除面积, total to date
    Column("demolished_farmland_m2", Float, nullable=False),  # 拆除耕地面积
    Column("regularised_m2", Float, nullable=False),  # 补办面积
    Column("regularised_farmland_m2", Float, nullable=False),  # 补办耕地面积
    Column("remaining_m2", Float, nullable=False),  # 剩余未整改面积
    Column("method", String(24), nullable=False),  # domain.ledger.Method (整改方式)
    Column("major_case", Boolean, nullable=False),  # 重大典型问题
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("closed_on", Date),  # 销号 date (Beijing), None while open or after a reopening
    UniqueConstraint("patch_id", name="uq_rectifications_patch_id"),
    Index("ix_rectifications_unit_state", "responsible_unit", "state", "deadline"),
)

# Progress entries (整改进展), append-only: each holds the areas as totals to date, a note and the
# event that recorded it; photos link through ``ledger_files``.
rectification_progress = Table(
    "rectification_progress",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rectification_id", Integer, ForeignKey("rectifications.id"), nullable=False, index=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("on_date", Date, nullable=False),  # the day (Beijing) the entry was made
    Column("note", Text),
    Column("demolished_m2", Float, nullable=False),
    Column("demolished_farmland_m2", Float, nullable=False),
    Column("regularised_m2", Float, nullable=False),
    Column("regularised_farmland_m2", Float, nullable=False),
    Column("remaining_m2", Float, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# 销号 requests (by the township, with evidence) and the 市局's decision on each. ``decision`` is
# None while the request waits; it is set once (approved | returned), with a reason code from the
# rule data's close_out_reasons.
close_out_requests = Table(
    "close_out_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rectification_id", Integer, ForeignKey("rectifications.id"), nullable=False, index=True),
    Column("request_event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    Column("decision", String(16)),  # domain.ledger.Decision; None = waiting
    Column("reason_code", String(64)),
    Column("decision_note", Text),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_event_id", Integer, ForeignKey("events.id")),
    Index("ix_close_out_requests_decision", "decision", "requested_at"),
)

# 立案查处: the case register, land and mineral (the 矿产执法台账 is its mineral rows).
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "patch_id", Integer, ForeignKey("patches.id"), nullable=False, index=True, unique=True
    ),  # one a patch
    Column("kind", String(16), nullable=False),  # domain.ledger.CaseKind: land | mineral
    Column("case_no", String(64), nullable=False),  # 立案号
    Column("filed_on", Date, nullable=False),  # 立案日期
    Column("decision_no", String(128)),  # 处罚决定书文号
    Column("decision_on", Date),  # 处罚决定日期
    Column("fine_yuan", Float),  # 罚款（元）
    Column("confiscated_yuan", Float),  # 没收违法所得/财物折价（元）
    Column("confiscation", Text),  # 没收内容 (buildings, minerals …)
    Column("confiscated_area_m2", Float),  # 没收面积 (≤ the patch's illegal area)
    Column("closed_on", Date),  # 结案日期
    Column("note", Text),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Optimistic concurrency: every change sets version + 1 where version is the one it read.
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("case_no", name="uq_cases_case_no"),
)

# Persons held responsible in a case (既查事又查人) and the outcome; ``suggested_by`` names the
# suggestion flag that proposed it (discipline_threshold | crime_threshold), ``confirmed_by`` the
# person who confirmed it (None: still a suggestion).
case_persons = Table(
    "case_persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("position", String(128)),  # 单位及职务
    Column("outcome", String(16), nullable=False),  # domain.ledger.Outcome
    Column("detail", Text),  # e.g. 党内警告, 移送公安 date
    Column("suggested_by", String(32)),
    Column("confirmed_by", String(64)),
    Column("confirmed_at", DateTime(timezone=True)),
)

# 图斑拆分: a parent patch (被拆分) cut into child patches (拆分), each a row of ``patches`` with
# its own determination and rectification. Statistics count issued patches as those that are not
# children, verified ones as those that are not parents. Several parents → one child would be a
# merge (not used yet).
patch_splits = Table(
    "patch_splits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_patch_id", Integer, ForeignKey("patches.id"), nullable=False, index=True),
    Column("child_patch_id", Integer, ForeignKey("patches.id"), nullable=False),
    Column("part_no", Integer, nullable=False),
    Column("split_status", String(16), nullable=False),  # 拆分状态, e.g. 审核结束
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("child_patch_id", name="uq_patch_splits_child_patch_id"),
)

# A referral's feedback series (反馈): 接收, 受理, 办理中, 办结. Append-only. The referral stays open
# until a ``done`` entry, whose text is also copied to ``referrals.feedback*`` (the 办结 answer).
referral_feedback = Table(
    "referral_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False, index=True),
    Column("stage", String(16), nullable=False),  # domain.ledger.FeedbackStage
    Column("text", Text, nullable=False),
    Column("result", Text),  # 办理结果 (办结 only)
    Column("given_by", String(64), nullable=False),
    Column("given_at", DateTime(timezone=True), nullable=False),
)

# Files of the ledger: an ``attachments`` row (same storage and EXIF checks as field evidence)
# tied to what it documents — a progress entry, a 销号 request, a feedback entry or a case.
ledger_files = Table(
    "ledger_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("attachment_id", Integer, ForeignKey("attachments.id"), nullable=False),
    Column("purpose", String(16), nullable=False),  # progress | close_out | feedback | case
    Column("progress_id", Integer, ForeignKey("rectification_progress.id"), index=True),
    Column("close_request_id", Integer, ForeignKey("close_out_requests.id"), index=True),
    Column("feedback_id", Integer, ForeignKey("referral_feedback.id"), index=True),
    Column("case_id", Integer, ForeignKey("cases.id"), index=True),
    UniqueConstraint("attachment_id", name="uq_ledger_files_attachment_id"),
)
