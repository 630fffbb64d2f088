"""Typed records the storage layer hands to services: one frozen dataclass per table or query.

Each is built in one place, by its ``of(row)``, from a result row whose labels are the field
names; nothing above storage sees a ``Row``. Field names are the column names, so templates and
callers read ``patch.patch_code`` as before. A test checks each table record against its table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from sqlalchemy import Row

AnyRow = Row[*tuple[Any, ...]]  # a result row of any width


class Record:
    """Base of the records: ``of`` takes the dataclass's fields, by name, from a row."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @classmethod
    def of(cls, row: AnyRow) -> Self:
        m = row._mapping
        return cls(**cls._adjust({name: m[name] for name in cls.__dataclass_fields__}))

    @staticmethod
    def _adjust(values: dict[str, Any]) -> dict[str, Any]:
        """What a record mends in the values as read (a naive UTC time, a NULL list)."""
        return values


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite gives back naive UTC)."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True, slots=True)
class Patch(Record):
    """图斑: one row of ``patches`` (identity, delivered fields, geometry, cached state ZT)."""

    id: int
    batch_id: int
    source: str
    year: int
    admin_code: str  # XZQDM as delivered
    patch_code: str  # JCBH
    admin_name: str | None  # XZQMC as delivered
    township_code: str | None
    township_share: float | None
    change_type: str | None  # TBLX
    before_date: str | None  # QSX
    after_date: str | None  # HSX
    lon: float
    lat: float
    area_m2: float  # JCMJ
    area_method: str
    delivered_area_m2: float | None
    issued_on: dt.date | None
    prior_patch_code: str | None
    prior_change_type: str | None
    same_place_codes_delivered: str | None
    same_place_codes: str | None
    is_mining: str | None  # SFSK
    attrs: dict[str, Any]
    source_row: int
    repaired: bool
    state: str  # ZT, a domain.workflow.State value
    due_on: dt.date
    wkb: bytes
    minx: float
    miny: float
    maxx: float
    maxy: float
    restricted: bool
    military_layer_id: int | None
    priority: bool  # 重点关注, written by the judge


@dataclass(frozen=True, slots=True)
class PatchPart(Patch):
    """A part of a split patch (拆分): the part's patch row with its ``patch_splits`` link."""

    part_no: int
    split_status: str
    split_by: str
    split_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Event(Record):
    """One entry of the append-only event log (``events``)."""

    id: int
    patch_id: int
    action: str  # a domain.workflow.Action value (dotted code)
    actor: str
    role: str
    at: dt.datetime
    state_before: str
    state_after: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class DeterminationVersion(Record):
    """合法性判定: one saved version of a patch's determination; the highest is current."""

    id: int
    patch_id: int
    version: int
    event_id: int
    verdict: str  # PDJG
    violation_type: str | None  # WFLX
    farmland_housing: bool
    data: dict[str, Any]  # the whole record, as services.workflow.determination_data makes it
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Attachment(Record):
    """举证 / 附件: one row of ``attachments``, a field photo (with its EXIF and check results) or a
    document; the file lives under ``<files dir>/evidence/<stored_name>``."""

    id: int
    patch_id: int
    kind: str  # photo | document
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    taken_at: dt.datetime | None  # EXIF DateTimeOriginal, aware
    lon: float | None
    lat: float | None
    azimuth: float | None
    checks: list[dict[str, Any]]  # [{"code", "passed", "detail", "params"}], photos only
    note: str | None

    @staticmethod
    def _adjust(values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "taken_at": utc(values["taken_at"]), "checks": list(values["checks"] or [])}

    @property
    def is_photo(self) -> bool:
        return self.kind == "photo"

    @property
    def failed(self) -> int:
        """How many of its automatic checks failed."""
        return sum(1 for c in self.checks if c.get("passed") is False)


@dataclass(frozen=True, slots=True)
class User(Record):
    """A web account (``users``), password hash included: services hand the edges an ``Account``."""

    id: int
    username: str
    display_name: str
    password_hash: str  # argon2id, pwdlib format
    role: str  # a domain.roles.Role value
    township_code: str | None
    unit_code: str | None  # the responsibility unit a township account is scoped to (None: its township's)
    department: str | None
    active: bool
    created_at: dt.datetime
    session_version: int
    failed_logins: int
    locked_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Batch(Record):
    """批次: one delivered package of patches (``batches``)."""

    id: int
    source: str
    name: str
    year: int
    issued_on: dt.date  # XFSJ
    verification_days: int
    due_on: dt.date
    file_name: str
    file_hash: str
    source_crs: str
    crs_inferred: bool
    area_method: str
    patch_count: int
    repaired_count: int
    imported_at: dt.datetime
    id_field: str | None  # the identifier's field name as delivered: JCBH, TBBH, 监测编号 …


@dataclass(frozen=True, slots=True)
class BatchSummary(Record):
    """One line of ``weipian summary``'s batch table."""

    id: int
    source: str
    name: str
    year: int
    issued_on: dt.date
    due_on: dt.date
    patch_count: int
    repaired_count: int
    source_crs: str


@dataclass(frozen=True, slots=True)
class TownshipCount(Record):
    """Patches and their area per township and source (``township_code`` None: unassigned)."""

    township_code: str | None
    name: str | None
    source: str
    patches: int
    area_m2: float


@dataclass(frozen=True, slots=True)
class Layer(Record):
    """One imported version of a reference layer kind (``layers``)."""

    id: int
    kind: str
    name: str
    version: int
    as_of: dt.date | None
    file_name: str
    file_hash: str
    source_crs: str
    crs_inferred: bool
    feature_count: int
    repaired_count: int
    is_current: bool
    imported_at: dt.datetime
    plane_lon: float | None  # centre of the equal-area copy's plane; None: imported without one
    plane_lat: float | None

    @classmethod
    def of(cls, row: AnyRow) -> Self:
        # Migrations older than 2026_12_03_layer_plane read layers without the plane columns.
        m = row._mapping
        return cls(**cls._adjust({name: m.get(name) for name in cls.__dataclass_fields__}))


@dataclass(frozen=True, slots=True)
class DeskFacts(Record):
    """内业比对: the figures of a patch's latest desk comparison (``patch_facts``), m² unless named."""

    patch_id: int
    run_id: int
    area_method: str
    area_m2: float  # JCMJ by area_method
    farmland_m2: float | None  # GDMJ
    agri_m2: float | None  # NYDMJ
    construction_m2: float | None  # JSYDMJ
    unused_m2: float | None  # WLYDMJ
    land_classes: dict[str, float] | None  # DLBM → m²
    settlement_m2: dict[str, float] | None  # CZCSXM → m²
    farmland_outside_basic_m2: float | None
    stable_farmland_m2: float | None
    riverside_m2: float | None
    basic_farmland_m2: float | None  # YJJBNTMJ
    eco_redline_m2: float | None  # STHXMJ
    dev_inside_m2: float | None
    protected_m2: float | None
    military_m2: float | None
    prior_m2: float | None
    approval_kind: str | None
    approval_no: str | None  # PZWH
    approval_ratio: float | None  # PZBL, %
    mining_status: str | None  # none | inside | straddling | outside
    mining_licence: str | None
    mining_valid: bool | None
    mining_outside_m2: float | None
    mining_mineral: str | None
    is_mining: str | None  # SFSK suggestion 是/否
    restricted: bool
    stale: bool
    computed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Overlap(Record):
    """One record a patch overlaps (``patch_overlaps``): an approval, licence, prior patch or zone."""

    id: int
    patch_id: int
    run_id: int
    kind: str  # the layer kind
    layer_id: int
    feature_id: int
    doc_no: str | None
    doc_date: str | None
    valid_from: str | None
    valid_to: str | None
    area_m2: float
    ratio: float  # share of the patch, 0–1


@dataclass(frozen=True, slots=True)
class Suggestion(Record):
    """预判: the latest rule-based suggestion for a patch (``suggestions``); advisory only."""

    patch_id: int
    verdict: str  # YPJG
    subtype: str | None
    mineral_verdict: str | None
    flags: list[str]
    reasons: list[dict[str, Any]]  # [{"code", "params"}]
    remark: str | None
    is_new: bool | None
    trace: list[dict[str, Any]]
    rules_version: str
    judged_on: dt.date
    judged_at: dt.datetime
