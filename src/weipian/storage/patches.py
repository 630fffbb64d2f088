"""Queries on batches and patches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from weipian.errors import NotFound
from weipian.storage.records import Batch, BatchSummary, Patch, TownshipCount
from weipian.storage.spatial import BBox, bbox_clause
from weipian.storage.tables import batches, patches, townships


def patch_by_id(session: Session, patch_id: int) -> Patch | None:
    """The patch with this id, whatever its restriction (callers check the actor), or None."""
    row = session.execute(select(patches).where(patches.c.id == patch_id)).first()
    return None if row is None else Patch.of(row)


def find_batch(session: Session, source: str, name: str) -> Batch | None:
    row = session.execute(select(batches).where(batches.c.source == source, batches.c.name == name)).first()
    return None if row is None else Batch.of(row)


def existing_identities(session: Session, source: str, years: list[int]) -> set[tuple[int, str, str]]:
    """All stored (year, admin_code, patch_code) identities of ``source`` in ``years``."""
    rows = session.execute(
        select(patches.c.year, patches.c.admin_code, patches.c.patch_code).where(
            patches.c.source == source, patches.c.year.in_(years)
        )
    )
    return {(r.year, r.admin_code, r.patch_code) for r in rows}


@dataclass(frozen=True)
class StoredPatches:
    """Stored patches: ids, identity fields and EPSG:4490 geometries, row for row."""

    ids: NDArray[np.int64]
    codes: list[str]
    years: NDArray[np.int64]
    batch_ids: NDArray[np.int64]
    geoms: NDArray[np.object_]


def patches_in_bbox(session: Session, bbox: BBox) -> StoredPatches:
    """Stored patches whose box meets ``bbox``."""
    rows = session.execute(
        select(patches.c.id, patches.c.patch_code, patches.c.year, patches.c.batch_id, patches.c.wkb)
        .where(bbox_clause(session, patches, bbox))
        .order_by(patches.c.id)
    ).all()
    return StoredPatches(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        codes=[r.patch_code for r in rows],
        years=np.array([r.year for r in rows], dtype=np.int64),
        batch_ids=np.array([r.batch_id for r in rows], dtype=np.int64),
        geoms=shapely.from_wkb([r.wkb for r in rows]) if rows else np.zeros(0, dtype=object),
    )


def batch_summaries(session: Session) -> list[BatchSummary]:
    """One row per batch: source, name, year, issued, due, patches, repaired."""
    return [
        BatchSummary.of(r)
        for r in session.execute(
            select(
                batches.c.id,
                batches.c.source,
                batches.c.name,
                batches.c.year,
                batches.c.issued_on,
                batches.c.due_on,
                batches.c.patch_count,
                batches.c.repaired_count,
                batches.c.source_crs,
            ).order_by(batches.c.issued_on, batches.c.id)
        )
    ]


def township_counts(session: Session) -> list[TownshipCount]:
    """Patches and area per township and source (unassigned patches under a null code)."""
    return [
        TownshipCount.of(r)
        for r in session.execute(
            select(
                patches.c.township_code,
                townships.c.name,
                patches.c.source,
                func.count().label("patches"),
                func.sum(patches.c.area_m2).label("area_m2"),
            )
            .select_from(patches.outerjoin(townships, patches.c.township_code == townships.c.code))
            .group_by(patches.c.township_code, townships.c.name, patches.c.source)
            .order_by(patches.c.township_code)
        )
    ]


def find_batch_by_name(session: Session, name: str) -> list[Batch]:
    """Batches called ``name`` (one per source at most)."""
    return [Batch.of(r) for r in session.execute(select(batches).where(batches.c.name == name))]


def filter_batch(session: Session, query: Select[Any], batch: str | None) -> Select[Any]:
    """Narrow a query on ``patches`` to the batches named ``batch`` (all when None)."""
    if batch is None:
        return query
    found = find_batch_by_name(session, batch)
    if not found:
        raise NotFound("batch.not_found", batch=batch)
    return query.where(patches.c.batch_id.in_([b.id for b in found]))


def count_by(session: Session, column: Any) -> dict[str, int]:
    """Patches per value of ``column`` (a patches column, or a suggestions column joined on)."""
    from weipian.storage.tables import suggestions

    query = select(column, func.count()).select_from(patches)
    if column.table is suggestions:
        query = query.join(suggestions, suggestions.c.patch_id == patches.c.id)
    return {str(k): int(n) for k, n in session.execute(query.group_by(column)).all()}


def withheld_from_export() -> ColumnElement[bool]:
    """Patches no export may contain: military-restricted, or never checked against a military
    layer (imported before any existed) — those are treated as restricted until checked."""
    return or_(patches.c.restricted.is_(True), patches.c.military_layer_id.is_(None))
