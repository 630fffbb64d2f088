"""Exact intersection areas of patches with a layer's features (内业比对, desk comparison).

Inputs are shapely arrays in CGCS2000 lon/lat (EPSG:4490), valid after intake repair (a patch that
is not is repaired here and flagged; a pair GEOS refuses is redone on repaired inputs). Candidate
pairs come from one vectorised STRtree query; patches and the candidate features are projected
once into one Lambert equal-area plane on GRS80 (see :mod:`weipian.analysis.area`), where planar
area is ellipsoidal area. Only pairs whose boundaries cross are measured: a feature covering
the patch contributes the patch's area and a feature the patch covers contributes its own, both
found with prepared predicates after a bounding-box test; the rest go to the area kernel
(:mod:`weipian.analysis.green`, no intersection built) and, where it finds a pair degenerate, to
GEOS ``intersection``. Rows with no positive area (edge or corner contact) are dropped.

The default plane is centred on the patches' bounding box, never on the features', so that
chunks (:func:`weipian.analysis.overlay_parallel.overlay_parallel`) and feature batches
(:func:`overlay_batches`) give the same figures as one :func:`overlay` call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.errors import GEOSException

from weipian.analysis.area import ELLIPSOIDAL, AreaMethod, project_equal_area
from weipian.analysis.green import intersection_areas
from weipian.analysis.tiling import sealed_features

__all__ = [
    "ClassAreas",
    "OverlayResult",
    "PlanarLayer",
    "bbox_within",
    "overlay",
    "overlay_batches",
    "overlay_classes",
    "overlay_planar",
    "overlay_projected",
    "patch_centre",
    "repair_patches",
    "sum_by",
]

Geoms = NDArray[np.object_]

_CHUNK = 4096  # pairs intersected per GEOS call; a failing chunk is redone pair by pair
_SNAP = 1e-3  # metres: last-resort precision grid when even repaired inputs fail
_PATCH_CHUNK = 1000  # patches a task of overlay_planar; small enough to balance two threads
_DERIVED_MIN = 1e-9  # a subtracted overlap below this share of its patch is intersected after all


@dataclass(frozen=True, eq=False)
class OverlayResult:
    """One row per (patch, feature) pair with positive overlap, sorted by patch then feature.

    ``area`` is m² by ``method``; ``patch_area`` holds every patch's own area (same method), so
    ``area / patch_area[patch_index]`` is the 占比 (``patch_area`` is NaN for a ``None`` patch).
    ``repaired_patches`` lists patches that were invalid, or had a pair that GEOS refused,
    and were measured after ``make_valid`` (none for valid inputs, as intake guarantees).
    """

    patch_index: NDArray[np.int64]
    feature_index: NDArray[np.int64]
    area: NDArray[np.float64]
    patch_area: NDArray[np.float64]
    repaired_patches: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    method: AreaMethod = ELLIPSOIDAL

    def __len__(self) -> int:
        return len(self.area)

    @property
    def n_patches(self) -> int:
        """Number of patches overlaid, rows or not."""
        return len(self.patch_area)

    @property
    def ratio(self) -> NDArray[np.float64]:
        """Each row's share of its patch's area (0–1)."""
        return self.area / self.patch_area[self.patch_index]  # type: ignore[no-any-return]

    @classmethod
    def empty(cls, patch_area: NDArray[np.float64]) -> OverlayResult:
        """A result with no rows for patches of the given areas."""
        none = np.empty(0, np.int64)
        return cls(none, none.copy(), np.empty(0, np.float64), patch_area)

    @classmethod
    def concat(cls, parts: Sequence[OverlayResult]) -> OverlayResult:
        """Results for consecutive patch chunks, in order, as one result over all patches."""
        if not parts:
            return cls.empty(np.empty(0, np.float64))
        offsets = np.cumsum([0] + [p.n_patches for p in parts[:-1]])
        return cls(
            np.concatenate([p.patch_index + o for p, o in zip(parts, offsets, strict=True)]),
            np.concatenate([p.feature_index for p in parts]),
            np.concatenate([p.area for p in parts]),
            np.concatenate([p.patch_area for p in parts]),
            np.concatenate([p.repaired_patches + o for p, o in zip(parts, offsets, strict=True)]),
            parts[0].method,
        )


@dataclass(frozen=True, eq=False)
class ClassAreas:
    """Per-patch areas by class: ``area[i, j]`` is m² of patch ``i`` in class ``classes[j]``."""

    classes: NDArray[Any]
    area: NDArray[np.float64]

    def column(self, key: Any) -> NDArray[np.float64]:
        """Areas of one class for every patch (zeros when the class never occurs)."""
        hit = np.flatnonzero(self.classes == key)
        return self.area[:, hit[0]] if len(hit) else np.zeros(len(self.area))


def patch_centre(patches: ArrayLike) -> tuple[float, float]:
    """Centre (lon, lat) of the patches' bounding box: the default equal-area plane's centre."""
    p = np.asarray(patches, dtype=object)
    bounds = shapely.total_bounds(p) if len(p) else np.full(4, np.nan)
    if not np.all(np.isfinite(bounds)):
        return (0.0, 0.0)
    return (float(bounds[0] + bounds[2]) / 2, float(bounds[1] + bounds[3]) / 2)


def overlay(
    patches: ArrayLike,
    features: ArrayLike,
    *,
    centre: tuple[float, float] | None = None,
    tree: shapely.STRtree | None = None,
    skip_contained: bool = True,
    min_area: float = 0.0,
) -> OverlayResult:
    """Intersection areas (m², ellipsoidal CGCS2000) of every patch with every feature it overlaps.

    Parameters
    ----------
    patches, features : array of shapely polygons
        Valid (multi)polygons in EPSG:4490 lon/lat; empty or ``None`` entries match nothing.
    centre : (lon, lat), optional
        Centre of the equal-area plane; by default :func:`patch_centre` of ``patches``.
    tree : shapely.STRtree, optional
        A tree already built over ``features`` (lon/lat), to reuse across calls.
    skip_contained : bool
        Take the patch's or the feature's own area when one covers the other instead of
        intersecting them. Same figures to ~1e-12 relative; off only to measure.
    min_area : float
        Keep rows whose area exceeds this, m². ``0`` keeps every positive overlap, including
        slivers from vertices that sit on a neighbour's edge.

    Returns
    -------
    OverlayResult
        Rows sorted by patch then feature.

    Examples
    --------
    Two parcels tiling a 0.001° square and a patch over their common edge:

    >>> import numpy as np, shapely
    >>> parcels = np.array([shapely.box(118.400, 24.9, 118.4005, 24.901),
    ...                     shapely.box(118.4005, 24.9, 118.401, 24.901)])
    >>> patch = np.array([shapely.box(118.4004, 24.9002, 118.4008, 24.9004)])
    >>> r = overlay(patch, parcels)
    >>> r.feature_index.tolist(), np.round(r.area, 2).tolist(), np.round(r.ratio, 3).tolist()
    ([0, 1], [223.83, 671.48], [0.25, 0.75])
    >>> bool(np.isclose(r.area.sum(), r.patch_area[0]))
    True
    """
    p, fixed = _repair(np.asarray(patches, dtype=object))
    f = np.asarray(features, dtype=object)
    centre = patch_centre(p) if centre is None else centre
    projected = project_equal_area(p, centre)
    patch_area = shapely.area(projected)
    if len(p) == 0 or len(f) == 0:
        return _flag(OverlayResult.empty(patch_area), fixed)
    tree = shapely.STRtree(f) if tree is None else tree
    p_idx, f_idx = tree.query(p, predicate="intersects")
    return _flag(_measure(projected, patch_area, f, p_idx, f_idx, centre, skip_contained, min_area), fixed)


def overlay_batches(
    patches: ArrayLike,
    feature_batches: Iterable[ArrayLike],
    *,
    centre: tuple[float, float] | None = None,
    skip_contained: bool = True,
    min_area: float = 0.0,
) -> OverlayResult:
    """:func:`overlay` against a layer read in batches (e.g. GeoParquet row groups).

    Only one batch needs to be in memory at a time. ``feature_index`` counts across batches, so
    it indexes the whole layer in reading order. The tree is built over the patches, once.
    The figures equal :func:`overlay` on the concatenated layer.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> parcels = [shapely.box(118.4 + i * 0.001, 24.9, 118.401 + i * 0.001, 24.901) for i in range(4)]
    >>> patch = np.array([shapely.box(118.4005, 24.9002, 118.4025, 24.9004)])
    >>> r = overlay_batches(patch, [np.array(parcels[:2]), np.array(parcels[2:])])
    >>> r.feature_index.tolist(), np.round(r.ratio, 2).tolist()
    ([0, 1, 2], [0.25, 0.5, 0.25])
    """
    p, fixed = _repair(np.asarray(patches, dtype=object))
    centre = patch_centre(p) if centre is None else centre
    projected = project_equal_area(p, centre)
    patch_area = shapely.area(projected)
    tree = shapely.STRtree(p)
    parts: list[OverlayResult] = []
    offset = 0
    for batch in feature_batches:
        f = np.asarray(batch, dtype=object)
        if len(p) and len(f):
            f_idx, p_idx = tree.query(f, predicate="intersects")
            part = _measure(projected, patch_area, f, p_idx, f_idx, centre, skip_contained, min_area)
            parts.append(_offset_features(part, offset))
        offset += len(f)
    if not parts:
        return _flag(OverlayResult.empty(patch_area), fixed)
    merged = OverlayResult(
        np.concatenate([r.patch_index for r in parts]),
        np.concatenate([r.feature_index for r in parts]),
        np.concatenate([r.area for r in parts]),
        patch_area,
        np.unique(np.concatenate([r.repaired_patches for r in parts])),
    )
    return _flag(_sorted(merged), fixed)


@dataclass(frozen=True, eq=False)
class PlanarLayer:
    """A layer's features in one equal-area plane, with their tree and areas: built once a version.

    ``geoms`` are the features projected into the Lambert equal-area plane on GRS80 centred on
    ``centre`` (see :mod:`weipian.analysis.area`), where planar area is ellipsoidal area, so a run
    projects only its patches. Keep one per layer version (the tree takes about 0.5 s for 200,000
    parcels) and share it between threads: nothing in it is modified after it is built.
    """

    geoms: Geoms
    centre: tuple[float, float]
    tree: shapely.STRtree
    area: NDArray[np.float64]
    bounds: NDArray[np.float64]
    sealed: NDArray[np.bool_] | None = None  # see weipian.analysis.tiling; None: not worked out

    def __len__(self) -> int:
        return len(self.geoms)

    @classmethod
    def from_planar(cls, geoms: ArrayLike, centre: tuple[float, float], *, seal: bool = False) -> PlanarLayer:
        """A layer from features already in the plane centred on ``centre`` (e.g. a stored copy).

        ``seal`` finds where the layer tiles the plane (:func:`~weipian.analysis.tiling.sealed_features`,
        about 5 s for 200,000 parcels): there :func:`overlay_planar` subtracts one overlap a patch
        instead of intersecting it.
        """
        g = np.asarray(geoms, dtype=object)
        sealed = sealed_features(g) if seal else None
        return cls(g, centre, shapely.STRtree(g), shapely.area(g), shapely.bounds(g), sealed)

    @classmethod
    def from_lonlat(
        cls, features: ArrayLike, centre: tuple[float, float] | None = None, *, seal: bool = False
    ) -> PlanarLayer:
        """A layer from EPSG:4490 features, projected into a plane centred on them (or ``centre``)."""
        f = np.asarray(features, dtype=object)
        centre = patch_centre(f) if centre is None else centre
        return cls.from_planar(project_equal_area(f, centre), centre, seal=seal)


def overlay_planar(
    patches: ArrayLike,
    layer: PlanarLayer,
    *,
    threads: int = 1,
    skip_contained: bool = True,
    min_area: float = 0.0,
) -> OverlayResult:
    """:func:`overlay` against a :class:`PlanarLayer`, over patch chunks in ``threads`` threads.

    Only the patches are projected (into the layer's plane). GEOS releases the GIL in shapely's
    vectorised calls, so threads share the layer and its tree with no fork and no pickling. The
    figures equal :func:`overlay`'s to ~1e-12 relative: both planes are equal-area, only the
    straightness of edges differs, by far less than a square millimetre a hectare.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> parcels = np.array([shapely.box(118.400, 24.9, 118.4005, 24.901),
    ...                     shapely.box(118.4005, 24.9, 118.401, 24.901)])
    >>> layer = PlanarLayer.from_lonlat(parcels)
    >>> patch = np.array([shapely.box(118.4004, 24.9002, 118.4008, 24.9004)])
    >>> r = overlay_planar(patch, layer, threads=2)
    >>> r.feature_index.tolist(), np.round(r.area, 2).tolist()
    ([0, 1], [223.83, 671.48])
    """
    p, fixed = _repair(np.asarray(patches, dtype=object))
    projected = project_equal_area(p, layer.centre)
    result = overlay_projected(
        projected, layer, threads=threads, skip_contained=skip_contained, min_area=min_area
    )
    return _flag(result, fixed)


def overlay_projected(
    projected: ArrayLike,
    layer: PlanarLayer,
    *,
    threads: int = 1,
    skip_contained: bool = True,
    min_area: float = 0.0,
) -> OverlayResult:
    """:func:`overlay_planar` for patches already valid and projected into the layer's plane.

    For a caller that overlays the same patches with several layers in one plane (a chunk of
    ``weipian analyze``): the patches are checked and projected once, not once a layer.
    """
    projected = np.asarray(projected, dtype=object)
    patch_area = shapely.area(projected)
    if len(projected) == 0 or len(layer) == 0:
        return OverlayResult.empty(patch_area)

    def run(start: int) -> OverlayResult:
        part = projected[start : start + _PATCH_CHUNK]
        p_idx, f_idx = layer.tree.query(part, predicate="intersects")
        return _measure_planar(part, patch_area[start : start + _PATCH_CHUNK], layer, p_idx, f_idx,
                               skip_contained, min_area)  # fmt: skip

    starts = range(0, len(projected), _PATCH_CHUNK)
    if threads <= 1 or len(starts) == 1:
        parts = [run(s) for s in starts]
    else:
        with ThreadPoolExecutor(min(threads, len(starts))) as pool:
            parts = list(pool.map(run, starts))
    return OverlayResult.concat(parts)


def overlay_classes(
    patches: ArrayLike,
    layer: PlanarLayer,
    keys: ArrayLike,
    *,
    classes: ArrayLike | None = None,
    threads: int = 1,
) -> ClassAreas:
    """Per-patch areas by class: ``sum_by(overlay_planar(patches, layer), keys, classes=classes)``
    without the per-feature rows, which lets it skip more intersections.

    Where the layer covers a patch exactly once (a sealed layer, see :class:`PlanarLayer`), the
    class with the most pairs left to intersect is the patch's area less the other classes:
    none of its pairs is intersected. A total that comes out near zero, or a patch with a pair
    GEOS refused, is intersected after all. Invalid patches are repaired as by
    :func:`overlay_planar` (which also says which).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> cells = [shapely.box(118.4 + i * 5e-4, 24.9 + j * 5e-4, 118.4005 + i * 5e-4, 24.9005 + j * 5e-4)
    ...          for i in range(4) for j in range(4)]
    >>> layer = PlanarLayer.from_lonlat(cells, seal=True)
    >>> patch = np.array([shapely.box(118.4007, 24.9007, 118.4013, 24.9012)])
    >>> keys = np.array(["0101", "0301"] * 8)
    >>> by = overlay_classes(patch, layer, keys)
    >>> ref = sum_by(overlay_planar(patch, layer), keys)
    >>> by.classes.tolist(), bool(np.allclose(by.area, ref.area, rtol=1e-12))
    (['0101', '0301'], True)
    """
    k = np.asarray(keys)
    every, code = np.unique(k, return_inverse=True)
    p, _ = _repair(np.asarray(patches, dtype=object))
    projected = project_equal_area(p, layer.centre)
    patch_area = shapely.area(projected)
    table = np.zeros((len(p), len(every)))
    if len(p) and len(layer):

        def run(start: int) -> None:
            part = projected[start : start + _PATCH_CHUNK]
            p_idx, f_idx = layer.tree.query(part, predicate="intersects")
            table[start : start + len(part)] = _class_table(
                part, patch_area[start : start + _PATCH_CHUNK], layer, p_idx, f_idx, code, len(every)
            )

        starts = range(0, len(p), _PATCH_CHUNK)
        if threads <= 1 or len(starts) == 1:
            for s in starts:
                run(s)
        else:
            with ThreadPoolExecutor(min(threads, len(starts))) as pool:
                list(pool.map(run, starts))
    if classes is None:
        return ClassAreas(every, table)
    wanted = np.asarray(classes)
    out = np.zeros((len(p), len(wanted)))
    for j, c in enumerate(wanted):
        hit = np.flatnonzero(every == c)
        if len(hit):
            out[:, j] = table[:, hit[0]]
    return ClassAreas(wanted, out)


def _class_table(
    projected: Geoms,
    patch_area: NDArray[np.float64],
    layer: PlanarLayer,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    code: NDArray[np.int64],
    n_classes: int,
) -> NDArray[np.float64]:
    """m² by patch and class of one chunk (see :func:`overlay_classes`)."""
    n = len(projected)
    a, b, area, todo = _settle_planar(projected, patch_area, layer, p_idx, f_idx, True)
    cls = code[f_idx]
    chosen = np.full(n, -1)
    if layer.sealed is not None and len(p_idx):
        ok = _tiled_once(projected, layer, p_idx, f_idx, todo)
        rows = np.flatnonzero(todo & ok[p_idx])
        counts = np.bincount(p_idx[rows] * n_classes + cls[rows], minlength=n * n_classes)
        counts = counts.reshape(n, n_classes)
        chosen[ok] = counts[ok].argmax(axis=1)
    derived = todo & (cls == chosen[p_idx])
    cut = todo & ~derived
    area[cut], bad = _intersection_area(a[cut], b[cut])
    own = ~derived
    if derived.any():
        dp = np.unique(p_idx[derived])
        others = np.bincount(p_idx[own], weights=area[own], minlength=n)
        value = patch_area[dp] - others[dp]
        redo = (value <= _DERIVED_MIN * patch_area[dp]) | np.isin(dp, p_idx[cut][bad])
        r = np.flatnonzero(derived & np.isin(p_idx, dp[redo]))
        area[r], _ = _intersection_area(a[r], b[r])
        own[r] = True
    flat = np.bincount(p_idx[own] * n_classes + cls[own], weights=area[own], minlength=n * n_classes)
    table = flat.astype(np.float64).reshape(n, n_classes)
    if derived.any():
        keep = ~redo
        table[dp[keep], chosen[dp[keep]]] += value[keep]
    return table


def repair_patches(patches: ArrayLike) -> tuple[Geoms, NDArray[np.int64]]:
    """Patches made valid where needed (polygonal parts kept), and which were: see :func:`overlay`."""
    return _repair(np.asarray(patches, dtype=object))


def sum_by(result: OverlayResult, keys: ArrayLike, *, classes: ArrayLike | None = None) -> ClassAreas:
    """Sum overlap areas per patch and feature class (e.g. DLBM code, or its 三大类).

    Parameters
    ----------
    result : OverlayResult
    keys : array, one per feature
        The class of each feature of the layer ``result`` was computed against.
    classes : array, optional
        Columns to report, in this order; rows of other classes are left out. By default every
        class that occurs, sorted.

    Returns
    -------
    ClassAreas
        A (n_patches, n_classes) table of m².

    Examples
    --------
    >>> import numpy as np
    >>> r = OverlayResult(np.array([0, 0, 1]), np.array([0, 2, 1]), np.array([5.0, 2.0, 7.0]),
    ...                   patch_area=np.array([7.0, 9.0, 1.0]))
    >>> dlbm = np.array(["0101", "0702", "0101"])
    >>> by = sum_by(r, dlbm)
    >>> by.classes.tolist(), by.area.tolist()
    (['0101', '0702'], [[7.0, 0.0], [0.0, 7.0], [0.0, 0.0]])
    >>> sum_by(r, dlbm, classes=["0702"]).column("0702").tolist()
    [0.0, 7.0, 0.0]
    """
    row_keys = np.asarray(keys)[result.feature_index]
    if classes is None:
        cls, col = np.unique(row_keys, return_inverse=True)
        keep = np.ones(len(col), bool)
    else:
        cls = np.asarray(classes)
        order = np.argsort(cls, kind="stable")
        pos = np.clip(np.searchsorted(cls[order], row_keys), 0, max(len(cls) - 1, 0))
        keep = (cls[order][pos] == row_keys) if len(cls) else np.zeros(len(row_keys), bool)
        col = order[pos] if len(cls) else pos
    n, k = result.n_patches, len(cls)
    flat = result.patch_index[keep] * k + col[keep]
    table = np.bincount(flat, weights=result.area[keep], minlength=n * k).astype(np.float64)
    return ClassAreas(cls, table.reshape(n, k))


# --- the measuring kernel --------------------------------------------------------------------


def _measure(
    projected: Geoms,
    patch_area: NDArray[np.float64],
    features: Geoms,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    centre: tuple[float, float],
    skip_contained: bool,
    min_area: float,
) -> OverlayResult:
    """Areas of candidate pairs (patch p_idx[i], feature f_idx[i]), patches already projected."""
    used, inverse = np.unique(f_idx, return_inverse=True)
    feats = project_equal_area(features[used], centre)
    a, b = projected[p_idx], feats[inverse]
    area = np.empty(len(p_idx), np.float64)
    todo = np.ones(len(p_idx), bool)
    if skip_contained and len(p_idx):
        pb, fb = shapely.bounds(projected)[p_idx], shapely.bounds(feats)[inverse]
        in_feature = bbox_within(pb, fb)
        shapely.prepare(b[in_feature])  # prepared covers; the objects are shared with `feats`
        in_feature[in_feature] = _covers(b[in_feature], a[in_feature])
        area[in_feature] = patch_area[p_idx[in_feature]]
        todo &= ~in_feature
        in_patch = todo & bbox_within(fb, pb)
        shapely.prepare(a[in_patch])
        in_patch[in_patch] = _covers(a[in_patch], b[in_patch])
        area[in_patch] = shapely.area(b[in_patch])
        todo &= ~in_patch
    return _intersect_rest(a, b, p_idx, f_idx, area, todo, patch_area, min_area)


def _measure_planar(
    projected: Geoms,
    patch_area: NDArray[np.float64],
    layer: PlanarLayer,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    skip_contained: bool,
    min_area: float,
) -> OverlayResult:
    """:func:`_measure` for a planar layer: the features are projected, their areas known."""
    a, b, area, todo = _settle_planar(projected, patch_area, layer, p_idx, f_idx, skip_contained)
    derived = np.zeros(len(p_idx), bool)
    if skip_contained and layer.sealed is not None and len(p_idx):
        derived = _to_subtract(projected, layer, p_idx, f_idx, todo)
    return _intersect_rest(a, b, p_idx, f_idx, area, todo, patch_area, min_area, derived)


def _settle_planar(
    projected: Geoms,
    patch_area: NDArray[np.float64],
    layer: PlanarLayer,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    skip_contained: bool,
) -> tuple[Geoms, Geoms, NDArray[np.float64], NDArray[np.bool_]]:
    """The pairs' geometries, the areas of pairs where one side covers the other, and the rest.

    Only the patches are prepared: the layer's geometries are shared by threads and stay as
    they are (preparing one from two threads at once would race).
    """
    a, b = projected[p_idx], layer.geoms[f_idx]
    area = np.empty(len(p_idx), np.float64)
    todo = np.ones(len(p_idx), bool)
    if skip_contained and len(p_idx):
        pb, fb = shapely.bounds(projected)[p_idx], layer.bounds[f_idx]
        shapely.prepare(projected)
        in_feature = bbox_within(pb, fb)  # a feature can cover the patch only if its box does
        in_feature[in_feature] = _covered_by(a[in_feature], b[in_feature])
        area[in_feature] = patch_area[p_idx[in_feature]]
        todo &= ~in_feature
        in_patch = todo & bbox_within(fb, pb)
        in_patch[in_patch] = _covers(a[in_patch], b[in_patch])
        area[in_patch] = layer.area[f_idx[in_patch]]
        todo &= ~in_patch
    return a, b, area, todo


def _tiled_once(
    projected: Geoms,
    layer: PlanarLayer,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    todo: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Patches (with pairs left to intersect) that the layer covers exactly once, all over.

    Every feature the patch meets is sealed (:mod:`weipian.analysis.tiling`), so the count of
    features over a point is the same all over the (connected: one-part) patch, and that count
    is 1 at a point inside it.
    """
    assert layer.sealed is not None
    n = len(projected)
    unsealed = np.bincount(p_idx, weights=~layer.sealed[f_idx], minlength=n) > 0
    boundary = np.bincount(p_idx[todo], minlength=n) > 0
    one_part = shapely.get_type_id(projected) == 3  # Polygon
    one_part |= (shapely.get_type_id(projected) == 6) & (shapely.get_num_geometries(projected) == 1)
    cand = np.flatnonzero(boundary & ~unsealed & one_part)
    ok = np.zeros(n, bool)
    if len(cand) == 0:
        return ok
    inside = shapely.point_on_surface(projected[cand])
    meets = np.bincount(layer.tree.query(inside, predicate="intersects")[0], minlength=len(cand))
    within = np.bincount(layer.tree.query(inside, predicate="within")[0], minlength=len(cand))
    ok[cand[(within == 1) & (meets == 1)]] = True  # inside one feature, on no edge
    return ok


def _to_subtract(
    projected: Geoms,
    layer: PlanarLayer,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    todo: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """One pair a patch whose overlap is its patch's area less its other overlaps, if exact.

    Exact where the layer covers the patch exactly once (:func:`_tiled_once`). The pair taken is
    the one whose boxes overlap most, so it is not one that only touches.
    """
    pick = np.zeros(len(p_idx), bool)
    rows = np.flatnonzero(todo & _tiled_once(projected, layer, p_idx, f_idx, todo)[p_idx])
    if len(rows) == 0:
        return pick
    pb, fb = shapely.bounds(projected)[p_idx[rows]], layer.bounds[f_idx[rows]]
    w = np.minimum(pb[:, 2], fb[:, 2]) - np.maximum(pb[:, 0], fb[:, 0])
    h = np.minimum(pb[:, 3], fb[:, 3]) - np.maximum(pb[:, 1], fb[:, 1])
    order = np.lexsort((w * h, p_idx[rows]))
    last = np.ones(len(rows), bool)
    last[:-1] = p_idx[rows][order][1:] != p_idx[rows][order][:-1]
    pick[rows[order][last]] = True
    return pick


def _intersect_rest(
    a: Geoms,
    b: Geoms,
    p_idx: NDArray[np.int64],
    f_idx: NDArray[np.int64],
    area: NDArray[np.float64],
    todo: NDArray[np.bool_],
    patch_area: NDArray[np.float64],
    min_area: float,
    derived: NDArray[np.bool_] | None = None,
) -> OverlayResult:
    """The pairs no shortcut settled are intersected; pairs with a measurable area are kept.

    ``derived`` pairs (see :func:`_to_subtract`) take their patch's area less its other pairs';
    one that comes out near zero, or whose patch had a pair GEOS refused, is intersected.
    """
    derived = np.zeros(len(p_idx), bool) if derived is None else derived
    cut = todo & ~derived
    area[cut], bad = _intersection_area(a[cut], b[cut])
    refused = p_idx[cut][bad]
    if derived.any():
        d = np.flatnonzero(derived)
        others = np.bincount(p_idx[~derived], weights=area[~derived], minlength=len(patch_area))
        value = patch_area[p_idx[d]] - others[p_idx[d]]
        redo = (value <= _DERIVED_MIN * patch_area[p_idx[d]]) | np.isin(p_idx[d], refused)
        area[d[~redo]] = value[~redo]
        r = d[redo]
        area[r], bad_r = _intersection_area(a[r], b[r])
        refused = np.concatenate([refused, p_idx[r][bad_r]])
    keep = area > min_area
    result = OverlayResult(
        p_idx[keep].astype(np.int64),
        f_idx[keep].astype(np.int64),
        area[keep],
        patch_area,
        np.unique(refused).astype(np.int64),
    )
    return _sorted(result)


def _repair(patches: Geoms) -> tuple[Geoms, NDArray[np.int64]]:
    """Patches made valid (polygonal parts kept) where intake let an invalid one through.

    Cheap (a validity check a patch) and worth it: an invalid patch fails silently, not only
    with an exception (a bow-tie's lobes cancel out: its area is 0 and every share infinite).
    """
    bad = np.flatnonzero(~shapely.is_valid(patches) & ~shapely.is_missing(patches))
    if len(bad) == 0:
        return patches, bad.astype(np.int64)
    fixed = patches.copy()
    fixed[bad] = shapely.make_valid(patches[bad], method="structure", keep_collapsed=False)
    return fixed, bad.astype(np.int64)


def _flag(result: OverlayResult, repaired: NDArray[np.int64]) -> OverlayResult:
    if len(repaired) == 0:
        return result
    both = np.union1d(result.repaired_patches, repaired).astype(np.int64)
    return OverlayResult(
        result.patch_index, result.feature_index, result.area, result.patch_area, both, result.method
    )


def _covers(a: Geoms, b: Geoms) -> NDArray[np.bool_]:
    """``covers`` pairwise; if GEOS refuses (invalid input), none count: they get intersected."""
    try:
        return shapely.covers(a, b)  # type: ignore[no-any-return]
    except GEOSException:
        return np.zeros(len(a), bool)


def _covered_by(a: Geoms, b: Geoms) -> NDArray[np.bool_]:
    """``covered_by`` pairwise (``a`` prepared); if GEOS refuses, none count (see :func:`_covers`)."""
    try:
        return shapely.covered_by(a, b)  # type: ignore[no-any-return]
    except GEOSException:
        return np.zeros(len(a), bool)


def bbox_within(inner: NDArray[np.float64], outer: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether each box (rows of minx, miny, maxx, maxy) lies within the ``outer`` box of its row."""
    return (  # type: ignore[no-any-return]
        (outer[:, 0] <= inner[:, 0])
        & (outer[:, 1] <= inner[:, 1])
        & (outer[:, 2] >= inner[:, 2])
        & (outer[:, 3] >= inner[:, 3])
    )


def _intersection_area(a: Geoms, b: Geoms) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Areas of a[i] ∩ b[i]: by Green's theorem where that is exact, the rest by GEOS.

    The kernel (:mod:`weipian.analysis.green`) never builds the intersection; degenerate pairs
    (shared or touching edges, a vertex on the other's edge, an invalid side) go to
    :func:`_geos_intersection_area`, whose pairs GEOS refuses are redone on repaired inputs (flagged).
    """
    area, ok = intersection_areas(a, b)
    rest = np.flatnonzero(~ok)
    bad = np.zeros(len(a), bool)
    area[rest], bad[rest] = _geos_intersection_area(a[rest], b[rest])
    return area, bad


def _geos_intersection_area(a: Geoms, b: Geoms) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Areas of a[i] ∩ b[i] by GEOS; pairs GEOS refuses are redone on repaired inputs (flagged)."""
    area = np.empty(len(a), np.float64)
    bad = np.zeros(len(a), bool)
    for start in range(0, len(a), _CHUNK):
        s = slice(start, start + _CHUNK)
        try:
            area[s] = shapely.area(shapely.intersection(a[s], b[s]))
        except GEOSException:
            for i in range(start, min(start + _CHUNK, len(a))):
                area[i], bad[i] = _one_pair_area(a[i], b[i])
    return area, bad


def _one_pair_area(a: shapely.Geometry, b: shapely.Geometry) -> tuple[float, bool]:
    try:
        return float(shapely.area(shapely.intersection(a, b))), False
    except GEOSException:
        pass
    a = shapely.make_valid(a, method="structure", keep_collapsed=False)
    b = shapely.make_valid(b, method="structure", keep_collapsed=False)
    try:
        return float(shapely.area(shapely.intersection(a, b))), True
    except GEOSException:
        return float(shapely.area(shapely.intersection(a, b, grid_size=_SNAP))), True


def _offset_features(result: OverlayResult, offset: int) -> OverlayResult:
    return OverlayResult(
        result.patch_index,
        result.feature_index + offset,
        result.area,
        result.patch_area,
        result.repaired_patches,
        result.method,
    )


def _sorted(result: OverlayResult) -> OverlayResult:
    order = np.lexsort((result.feature_index, result.patch_index))
    return OverlayResult(
        result.patch_index[order],
        result.feature_index[order],
        result.area[order],
        result.patch_area,
        result.repaired_patches,
        result.method,
    )
