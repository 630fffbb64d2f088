"""Queries on reference layers and their features."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import case, func, literal, select, update
from sqlalchemy.orm import Session

from weipian.storage.records import Layer
from weipian.storage.spatial import BBox, bbox_clause, box_scan
from weipian.storage.tables import layer_features, layers


def current_layer(session: Session, kind: str) -> Layer | None:
    """The current version of a layer kind, or None if it was never imported.

    The plane columns are left out: migrations older than ``2026_12_03_layer_plane`` call this.
    """
    columns = [c for c in layers.c if c.name not in ("plane_lon", "plane_lat")]
    row = session.execute(
        select(*columns).where(layers.c.kind == kind, layers.c.is_current.is_(True))
    ).first()
    return None if row is None else Layer.of(row)


def next_version(session: Session, kind: str) -> int:
    latest = session.scalar(select(func.max(layers.c.version)).where(layers.c.kind == kind))
    return int(latest or 0) + 1


def retire_versions(session: Session, kind: str) -> None:
    """Mark every version of ``kind`` as not current (a new one is about to be added)."""
    session.execute(update(layers).where(layers.c.kind == kind).values(is_current=False))


def list_layers(session: Session) -> list[Layer]:
    return [Layer.of(r) for r in session.execute(select(layers).order_by(layers.c.kind, layers.c.version))]


@dataclass(frozen=True)
class Features:
    """Features of one layer: ids, key codes, attributes and EPSG:4490 geometries, row for row."""

    ids: NDArray[np.int64]
    codes: list[str | None]
    attrs: list[dict[str, Any]]
    geoms: NDArray[np.object_]


def load_features(
    session: Session, layer_id: int, bbox: BBox | None = None, *, with_attrs: bool = True
) -> Features:
    """Features of a layer, optionally only those whose box meets ``bbox``.

    ``with_attrs=False`` skips the attribute JSON (empty dicts), for layers read for areas only.
    """
    attrs_col = layer_features.c.attrs if with_attrs else literal(None).label("attrs")
    query = select(layer_features.c.id, layer_features.c.code, attrs_col, layer_features.c.wkb).where(
        layer_features.c.layer_id == layer_id
    )
    if bbox is not None:
        query = query.where(bbox_clause(session, layer_features, bbox))
    rows = session.execute(query.order_by(layer_features.c.id)).all()
    return Features(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        codes=[r.code for r in rows],
        attrs=[r.attrs or {} for r in rows],
        geoms=shapely.from_wkb([r.wkb for r in rows]) if rows else np.zeros(0, dtype=object),
    )


def load_layers(
    session: Session,
    layer_ids: list[int],
    bbox: BBox,
    *,
    planar: frozenset[int] = frozenset(),
    near: NDArray[np.float64] | None = None,
) -> dict[int, Features]:
    """Features of several layers whose box meets ``bbox``, by layer id, attributes left out.

    One spatial-index scan for all of them: the index holds every layer's features, so a query
    a layer would walk the (dense) 三调 parcels of the box once for each of the 14 kinds.
    Attributes come later from :func:`feature_attrs`, for the features a patch meets. Layers
    in ``planar`` come as their stored equal-area copy (``plane_wkb``; their ``geoms`` are then
    in that plane), the others in EPSG:4490; one geometry a feature is read either way.
    ``near``: boxes (n, 4) such as a chunk's patches'; only features whose box meets one of them
    are read and decoded (the scan reads boxes only, then geometries by id).
    """
    wanted = list(planar)
    geom = case(
        (layer_features.c.layer_id.in_(wanted), layer_features.c.plane_wkb), else_=layer_features.c.wkb
    ) if wanted else layer_features.c.wkb  # fmt: skip
    c = layer_features.c
    where = (c.layer_id.in_(layer_ids), bbox_clause(session, layer_features, bbox))
    rows: list[Any]
    if near is None:
        query = select(c.id, c.layer_id, c.code, geom.label("wkb")).where(*where).order_by(c.id)
        rows = list(session.execute(query).all())
    else:
        ids, b = box_scan(session, layer_features, bbox)  # every layer's, old versions too
        rows = _rows_by_id(session, np.sort(ids[boxes_near(b, near)]).tolist(), set(layer_ids), planar)
    by_layer: dict[int, list[Any]] = {i: [] for i in layer_ids}
    for r in rows:
        by_layer[r.layer_id].append(r)
    return {
        i: Features(
            ids=np.array([r.id for r in rs], dtype=np.int64),
            codes=[r.code for r in rs],
            attrs=[{} for _ in rs],
            geoms=shapely.from_wkb([r.wkb for r in rs]) if rs else np.zeros(0, dtype=object),
        )
        for i, rs in by_layer.items()
    }


def boxes_near(boxes: NDArray[np.float64], near: NDArray[np.float64], cells: int = 512) -> NDArray[np.bool_]:
    """Which ``boxes`` (n, 4) may meet one of the ``near`` boxes: a superset, never missing one.

    The near boxes are marked on a grid over their extent (every cell they touch), and a box is
    kept if it spans a marked cell, looked up in a summed-area table: no geometry is made.

    >>> near = np.array([[0.0, 0.0, 1.0, 1.0], [9.0, 9.0, 10.0, 10.0]])
    >>> boxes = np.array([[0.5, 0.5, 2, 2], [4, 4, 5, 5], [10, 10, 11, 11], [-3, -3, -2, -2]])
    >>> boxes_near(boxes, near, cells=10).tolist()
    [True, False, True, False]
    """
    if len(near) == 0 or len(boxes) == 0:
        return np.zeros(len(boxes), bool)
    x0, y0 = near[:, 0].min(), near[:, 1].min()
    w = max(near[:, 2].max() - x0, 1e-12) / cells
    h = max(near[:, 3].max() - y0, 1e-12) / cells

    def col(v: NDArray[np.float64]) -> NDArray[np.int64]:
        out: NDArray[np.int64] = np.clip(np.floor((v - x0) / w), 0, cells - 1).astype(np.int64)
        return out

    def row(v: NDArray[np.float64]) -> NDArray[np.int64]:
        out: NDArray[np.int64] = np.clip(np.floor((v - y0) / h), 0, cells - 1).astype(np.int64)
        return out

    marks = np.zeros((cells + 1, cells + 1), np.int64)  # +1/-1 corners, then a 2-D running sum
    c0, c1, r0, r1 = col(near[:, 0]), col(near[:, 2]) + 1, row(near[:, 1]), row(near[:, 3]) + 1
    np.add.at(marks, (r0, c0), 1)
    np.add.at(marks, (r0, c1), -1)
    np.add.at(marks, (r1, c0), -1)
    np.add.at(marks, (r1, c1), 1)
    marked = (marks.cumsum(0).cumsum(1)[:cells, :cells] > 0).astype(np.int64)
    table = np.zeros((cells + 1, cells + 1), np.int64)
    table[1:, 1:] = marked.cumsum(0).cumsum(1)
    outside = (
        (boxes[:, 2] < x0)
        | (boxes[:, 3] < y0)
        | (boxes[:, 0] > x0 + w * cells)
        | (boxes[:, 1] > y0 + h * cells)
    )
    a0, a1, b0, b1 = col(boxes[:, 0]), col(boxes[:, 2]) + 1, row(boxes[:, 1]), row(boxes[:, 3]) + 1
    count = table[b1, a1] - table[b0, a1] - table[b1, a0] + table[b0, a0]
    kept: NDArray[np.bool_] = (count > 0) & ~outside
    return kept


@dataclass(frozen=True)
class _Row:
    id: int
    layer_id: int
    code: str | None
    wkb: bytes


def _rows_by_id(session: Session, ids: list[int], layer_ids: set[int], planar: frozenset[int]) -> list[_Row]:
    """The features of ``layer_ids`` among ``ids``, the ``planar`` ones' equal-area copy, by id.

    By primary key only: with the layer in the WHERE clause too, SQLite walks the layer's index
    instead (every feature of the layer, for each thousand ids).
    """
    geom = (
        f"CASE WHEN layer_id IN ({', '.join(str(int(i)) for i in sorted(planar))}) THEN plane_wkb ELSE wkb END"
        if planar
        else "wkb"
    )
    rows = [
        _Row(i, layer, code, wkb)
        for i, layer, code, wkb in _by_id(session, f"id, layer_id, code, {geom}", ids)
        if layer in layer_ids
    ]
    rows.sort(key=lambda r: r.id)
    return rows


def _by_id(session: Session, columns: str, ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """``SELECT columns FROM layer_features`` for ``ids``, a thousand ids a query.

    Through the driver's cursor, in the session's transaction: analyze reads tens of thousands
    of rows a chunk, where SQLAlchemy's statement compiling (an expanding IN a thousand ids),
    row building and JSON processing cost more than the query.
    """
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    mark = "?" if session.get_bind().dialect.name == "sqlite" else "%s"
    cur = raw.cursor()
    try:
        for start in range(0, len(ids), 1000):
            part = [int(i) for i in ids[start : start + 1000]]
            cur.execute(
                f"SELECT {columns} FROM layer_features WHERE id IN ({', '.join([mark] * len(part))})", part
            )
            yield from cur.fetchall()
    finally:
        cur.close()


def layer_planes(session: Session, layer_ids: list[int]) -> dict[int, tuple[float, float]]:
    """Centre of the stored equal-area copy of each layer that has one (see ``plane_wkb``)."""
    rows = session.execute(
        select(layers.c.id, layers.c.plane_lon, layers.c.plane_lat).where(
            layers.c.id.in_(layer_ids), layers.c.plane_lon.is_not(None), layers.c.plane_lat.is_not(None)
        )
    )
    return {r.id: (float(r.plane_lon), float(r.plane_lat)) for r in rows}


def mark_stale(session: Session, kind: str, current_id: int) -> int:
    """Mark facts computed on another version of ``kind`` as stale; returns how many."""
    from weipian.storage.tables import analysis_runs, patch_facts

    runs = [
        r.id
        for r in session.execute(select(analysis_runs.c.id, analysis_runs.c.layer_versions))
        if kind in (r.layer_versions or {}) and r.layer_versions[kind] != current_id
    ]
    if not runs:
        return 0
    result = session.execute(
        update(patch_facts)
        .where(patch_facts.c.run_id.in_(runs), patch_facts.c.stale.is_(False))
        .values(stale=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def feature_attrs(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Attributes of the given features, by id (JSON text on SQLite, decoded already by psycopg)."""
    return {
        int(i): (json.loads(attrs) if isinstance(attrs, str | bytes) else attrs) or {}
        for i, attrs in _by_id(session, "id, attrs", ids)
    }
