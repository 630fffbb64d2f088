"""One chunk of the desk comparison: a spatially compact group of patches against every layer.

This is the unit of work for both engines: the local process pool and a Dask cluster run the
same function on the same chunks, so their results are identical. A worker opens the store
itself and reads only the features inside its chunk's box, which keeps memory bounded by the
chunk, not by the layer (a province-scale 三调 layer never has to fit in one process).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import select

from weipian.analysis.area import AreaMethod, areas, project_equal_area
from weipian.analysis.desk import covered_area, covered_rows, land_use, mining_status, share_outside
from weipian.analysis.overlay import PlanarLayer, overlay_projected, repair_patches, sum_by
from weipian.domain.fields import aliases_of
from weipian.domain.landclass import land_classes
from weipian.domain.layers import APPROVAL_LAYERS, LayerKind, UpperKeys, layer_field_names, pick_attribute
from weipian.io.values import yyyymmdd
from weipian.storage.layers import feature_attrs, load_layers
from weipian.storage.store import Store
from weipian.storage.tables import patches

# Kinds whose every overlapped record is kept (number, dates, share), and those that only give
# an area covered. PZWH/PZBL come from the approval routes (预审 is not an approval by itself).
APPROVAL_KINDS = tuple(k.value for k in APPROVAL_LAYERS)
RECORD_KINDS = ("preapproval", *APPROVAL_KINDS, "mining_right", "prior_patches", "protected_area", "military")
ATTR_KINDS = (*RECORD_KINDS, "landuse")  # landuse: CZCSXM (城镇村属性码) is read per parcel
ZONE_COLUMNS = {
    "basic_farmland": "basic_farmland_m2",
    "eco_redline": "eco_redline_m2",
    "dev_boundary": "dev_inside_m2",
    "protected_area": "protected_m2",
    "military": "military_m2",
    "prior_patches": "prior_m2",
    "stable_farmland": "stable_farmland_m2",
    "riverside": "riverside_m2",
}
# Overlaps below this are vertices of one polygon lying on another's edge, not records the
# patch touches: kept in areas (parts must sum to the whole), left out of the record list.
RECORD_MIN_M2 = 0.01
ANALYSED_KINDS = tuple(k.value for k in LayerKind if k is not LayerKind.townships)


@dataclass(frozen=True)
class ChunkTask:
    """What a worker needs: where the store is, which patches, which layer versions, how to measure."""

    url: str
    patch_ids: list[int]
    layers: dict[str, int]  # kind → layer id (current versions; missing kinds absent)
    centre: tuple[float, float]  # the equal-area plane every figure is measured in
    method: str  # AreaMethod code
    inside_at: float = 0.999
    planar: tuple[int, ...] = ()  # layers whose stored equal-area copy is in ``centre``'s plane


@dataclass
class ChunkFacts:
    """Column-wise rows for patch_facts and patch_overlaps (run id and time added by the writer)."""

    facts: dict[str, list[Any]] = field(default_factory=dict)
    overlaps: dict[str, list[Any]] = field(default_factory=dict)


_STORES: dict[str, Store] = {}  # one engine per worker process, reused across chunks


def _store(url: str) -> Store:
    if url not in _STORES:
        _STORES[url] = Store(url)
    return _STORES[url]


def release_stores() -> None:
    """Dispose of the engines :func:`analyze_chunk` opened in this process."""
    while _STORES:
        _STORES.popitem()[1].dispose()


def analyze_chunk(task: ChunkTask) -> ChunkFacts:
    """Desk comparison of one chunk of patches against every current layer.

    Everything is measured in one equal-area plane (``task.centre``): the patches are checked
    and projected once for all kinds, layers come as their stored equal-area copy (older
    layers without one are projected here), and the figures below take planar geometries.
    """
    store = _store(task.url)
    with store.reading() as session:
        rows = session.execute(
            select(patches.c.id, patches.c.wkb, patches.c.after_date, patches.c.change_type)
            .where(patches.c.id.in_(task.patch_ids))
            .order_by(patches.c.id)
        ).all()
        geoms = shapely.from_wkb([r.wkb for r in rows])
        b = shapely.total_bounds(geoms)
        bbox = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        valid, _ = repair_patches(geoms)  # once a chunk, not once a kind
        plane = project_equal_area(valid, task.centre)
        results = {}
        loaded = load_layers(
            session,
            list(task.layers.values()),
            bbox,
            planar=frozenset(task.planar),
            near=shapely.bounds(geoms),
        )
        for kind, layer_id in task.layers.items():
            feats = loaded[layer_id]
            if layer_id not in task.planar:
                feats = replace(feats, geoms=project_equal_area(feats.geoms, task.centre))
            res = overlay_projected(plane, PlanarLayer.from_planar(feats.geoms, task.centre))
            if kind in ATTR_KINDS:  # attributes of the features a patch meets, not of the whole box
                hit = np.unique(res.feature_index)
                found = feature_attrs(session, [int(i) for i in feats.ids[hit]])
                for i in hit:  # picked from several times a feature (dates, numbers, 城镇村属性码)
                    feats.attrs[i] = UpperKeys.of(found.get(int(feats.ids[i]), {}))
            results[kind] = (feats, res)
    return _facts(task, list(rows), geoms, plane, results)


def _scale(
    task: ChunkTask, geoms: NDArray[np.object_], patch_area: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Factor from ellipsoidal to the chosen method's m² per patch (1 for ellipsoidal).

    Gauss–Krüger figures scale each patch's parts by its GK/ellipsoidal area ratio, so parts still
    sum to the whole; within one patch the GK scale varies by less than 1e-7.
    """
    method = AreaMethod.parse(task.method)
    if method.kind == "ellipsoidal":
        return np.ones(len(geoms))
    gk = areas(geoms, method)
    return np.divide(gk, patch_area, out=np.ones_like(gk), where=patch_area > 0)


def _facts(
    task: ChunkTask,
    rows: list[Any],
    geoms: NDArray[np.object_],
    plane: NDArray[np.object_],
    results: dict[str, Any],
) -> ChunkFacts:
    """The chunk's rows; ``geoms`` are the patches in EPSG:4490, ``plane`` in the task's plane."""
    n = len(rows)
    ids = [r.id for r in rows]
    patch_area = shapely.area(plane)
    scale = _scale(task, geoms, patch_area)
    out = ChunkFacts()
    f: dict[str, list[Any]] = {
        "patch_id": ids,
        "area_method": [task.method] * n,
        "area_m2": (patch_area * scale).tolist(),
    }
    lc = land_classes()
    if "landuse" in results:
        feats, res = results["landuse"]
        use = land_use(res, np.array(feats.codes, dtype=object), lc.group, lc.is_farmland)
        f["farmland_m2"] = (use.farmland * scale).tolist()
        f["agri_m2"] = (use.agri * scale).tolist()
        f["construction_m2"] = (use.construction * scale).tolist()
        f["unused_m2"] = (use.unused * scale).tolist()
        f["land_classes"] = [
            {c: a * s for c, a in d.items()} for d, s in zip(use.by_class, scale, strict=True)
        ]
        mining_land = np.array([d.get("0602", 0.0) for d in use.by_class])
        f["settlement_m2"] = _settlement(feats, res, scale)
    else:
        mining_land = np.zeros(n)
    for kind, column in ZONE_COLUMNS.items():
        if kind in results:
            feats, res = results[kind]
            f[column] = (covered_area(res, plane, feats.geoms, None) * scale).tolist()
    if "landuse" in results and "basic_farmland_m2" in f:
        f["farmland_outside_basic_m2"] = _farmland_outside_basic(plane, results, f)
    records = _records(task, ids, results, scale)
    out.overlaps = records
    _best_approval(f, records, n, ids)
    _mining(f, task, rows, geoms, plane, results, mining_land)
    f["restricted"] = [bool(v > 0) for v in f.get("military_m2", [0.0] * n)]
    out.facts = f
    return out


def _settlement(feats: Any, res: Any, scale: NDArray[np.float64]) -> list[dict[str, float]]:
    """CZCSXM (城镇村属性码 201 城市, 202 建制镇, 203 村庄 …) → m² per patch; empty codes left out."""
    names = aliases_of("CZCSXM")
    codes = np.full(len(feats.attrs), "", dtype=object)
    for i in np.unique(res.feature_index):  # only the parcels a patch meets have their attributes read
        codes[i] = str(pick_attribute(feats.attrs[i], names) or "").strip()
    table = sum_by(res, codes)
    keep = [(j, str(c)) for j, c in enumerate(table.classes) if str(c)]
    return [
        {c: float(row[j] * s) for j, c in keep if row[j] > 0}
        for row, s in zip(table.area, scale, strict=True)
    ]


def _farmland_outside_basic(
    plane: NDArray[np.object_], results: dict[str, Any], f: dict[str, list[Any]]
) -> list[float]:
    """耕地 not in 永久基本农田, m² per patch (永农 may exceed 耕地: it is not a part of it).

    Where each 永农 polygon under the patch lies in one of its 耕地 parcels (永农 cut from 三调
    parcels), 永农 ⊆ 耕地 there and the figure is 耕地 less 永农; where each 耕地 parcel lies in one
    永农 polygon, it is 0 (both figures are the patch's, parcels tiling). Other patches are
    measured on the union of their parcels. ``plane`` and the layers' geometries are in the
    task's equal-area plane already.
    """
    lu_feats, lu = results["landuse"]
    bf_feats, bf = results["basic_farmland"]
    farm = np.array([land_classes().is_farmland(c) for c in lu_feats.codes], dtype=bool)
    farmland, basic = np.array(f["farmland_m2"]), np.array(f["basic_farmland_m2"])
    both = (farmland > 0) & (basic > 0)
    out = farmland.copy()
    if not both.any():
        return [float(v) for v in out]
    lu_rows = both[lu.patch_index] & farm[lu.feature_index]
    bf_rows = both[bf.patch_index]
    lu_plane = lu_feats.geoms[lu.feature_index[lu_rows]]
    bf_plane = bf_feats.geoms[bf.feature_index[bf_rows]]
    lu_of, bf_of = lu.patch_index[lu_rows], bf.patch_index[bf_rows]
    n = len(plane)
    basic_in_farm = both & (
        np.bincount(bf_of[~covered_rows(bf_of, bf_plane, lu_of, lu_plane)], minlength=n) == 0
    )
    farm_in_basic = both & (
        np.bincount(lu_of[~covered_rows(lu_of, lu_plane, bf_of, bf_plane)], minlength=n) == 0
    )
    out[basic_in_farm] = np.maximum(farmland - basic, 0.0)[basic_in_farm]
    out[farm_in_basic & ~basic_in_farm] = 0.0
    for i in np.flatnonzero(both & ~basic_in_farm & ~farm_in_basic):
        out[i] = farmland[i] * share_outside(plane[i], lu_plane[lu_of == i], bf_plane[bf_of == i], None)
    return [float(v) for v in out]


def _records(
    task: ChunkTask, ids: list[int], results: dict[str, Any], scale: NDArray[np.float64]
) -> dict[str, list[Any]]:
    names = layer_field_names()
    cols: dict[str, list[Any]] = {k: [] for k in (
        "patch_id", "kind", "layer_id", "feature_id", "doc_no", "doc_date", "valid_from", "valid_to", "area_m2", "ratio",
    )}  # fmt: skip
    for kind in RECORD_KINDS:
        if kind not in results:
            continue
        feats, res = results[kind]
        ratio = res.ratio
        for p, fi, a, r in zip(res.patch_index, res.feature_index, res.area, ratio, strict=True):
            if a < RECORD_MIN_M2:
                continue
            attrs = feats.attrs[fi]
            if kind == "linkage" and "拆旧" in str(pick_attribute(attrs, names["zone_type"]) or ""):  # type: ignore[arg-type]
                continue  # 增减挂钩: only the 建新区 is a legal basis
            cols["patch_id"].append(ids[p])
            cols["kind"].append(kind)
            cols["layer_id"].append(task.layers[kind])
            cols["feature_id"].append(int(feats.ids[fi]))
            doc = feats.codes[fi]  # the kind's document number, picked at import
            cols["doc_no"].append(None if doc is None else str(doc)[:128])
            cols["doc_date"].append(_iso(pick_attribute(attrs, names["doc_date"])))  # type: ignore[arg-type]
            cols["valid_from"].append(_iso(pick_attribute(attrs, names["valid_from"])))  # type: ignore[arg-type]
            cols["valid_to"].append(_iso(pick_attribute(attrs, names["valid_to"])))  # type: ignore[arg-type]
            cols["area_m2"].append(float(a * scale[p]))
            cols["ratio"].append(float(r))
    return cols


def _iso(value: object) -> str | None:
    d = yyyymmdd(value)
    return f"{d[:4]}-{d[4:6]}-{d[6:]}" if d else None


def _best_approval(f: dict[str, list[Any]], rec: dict[str, list[Any]], n: int, ids: list[int]) -> None:
    """PZWH / PZBL: the single approval record covering most of each patch."""
    pos = {pid: i for i, pid in enumerate(ids)}
    best: list[tuple[float, str | None, str | None]] = [(0.0, None, None)] * n
    for pid, kind, doc, ratio in zip(rec["patch_id"], rec["kind"], rec["doc_no"], rec["ratio"], strict=True):
        if kind in APPROVAL_KINDS and ratio > best[pos[pid]][0]:
            best[pos[pid]] = (ratio, kind, doc)
    f["approval_ratio"] = [round(r * 100, 2) if k else None for r, k, _ in best]
    f["approval_kind"] = [k for _, k, _ in best]
    f["approval_no"] = [d for _, _, d in best]


def _mining(
    f: dict[str, list[Any]],
    task: ChunkTask,
    rows: list[Any],
    geoms: NDArray[np.object_],
    plane: NDArray[np.object_],
    results: dict[str, Any],
    mining_land: NDArray[np.float64],
) -> None:
    """Licence position (inside / straddling / outside), validity at 后时相, and the SFSK hint."""
    n = len(rows)
    if "mining_right" in results:
        feats, res = results["mining_right"]
        covered = covered_area(res, plane, feats.geoms, None)
        area = np.where(res.patch_area > 0, res.patch_area, 1.0)
        status = mining_status(covered / area, task.inside_at).tolist()
        # 界外: the patch minus the union of the licences it meets, not the whole patch.
        outside = np.where(covered > 0, np.maximum(res.patch_area - covered, 0.0), res.patch_area)
        f["mining_outside_m2"] = (outside * _scale(task, geoms, res.patch_area)).tolist()
        licence: list[str | None] = [None] * n
        minerals: list[str | None] = [None] * n
        valid: list[bool | None] = [None] * n
        best = np.zeros(n)
        names = layer_field_names()
        for p, fi, a in zip(res.patch_index, res.feature_index, res.area, strict=True):
            if a > best[p]:
                best[p] = a
                attrs = feats.attrs[fi]
                licence[p] = feats.codes[fi]
                kind = pick_attribute(attrs, names["mineral"])  # type: ignore[arg-type]
                minerals[p] = None if kind is None else str(kind).strip()[:64] or None
                start = _iso(pick_attribute(attrs, names["valid_from"]))  # type: ignore[arg-type]
                end = _iso(pick_attribute(attrs, names["valid_to"]))  # type: ignore[arg-type]
                after = _iso(rows[p].after_date)
                valid[p] = None if after is None else bool((start or "") <= after <= (end or "9999"))
        f["mining_status"], f["mining_licence"], f["mining_valid"] = status, licence, valid
        f["mining_mineral"] = minerals
        hit = covered > 0
    else:
        hit = np.zeros(n, dtype=bool)
    change = np.array([(r.change_type or "").upper() == "CK" for r in rows], dtype=bool)
    f["is_mining"] = ["是" if v else "否" for v in (hit | change | (mining_land > 0))]
