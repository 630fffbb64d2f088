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


class _Record:
    """Base of the records: ``of`` takes the dataclass's fields, by name, from a row."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @classmethod
    def of(cls, row: Row[Any]) -> Self:
        m = row._mapping
        return cls(**{name: m[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Patch(_Record):
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


@dataclass(frozen=True, slots=True)
class PatchPart(Patch):
    """A part of a split patch (拆分): the part's patch row with its ``patch_splits`` link."""

    part_no: int
    split_status: str
    split_by: str
    split_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Event(_Record):
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
class DeterminationVersion(_Record):
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
