"""Matching patches to zones and to each other by overlap: township assignment, same-place links."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import project_equal_area
from weipian.analysis.overlay import overlay_batches, patch_centre

__all__ = ["SamePlace", "largest_share", "on_military_land", "same_place"]


def on_military_land(patches: NDArray[np.object_], military: NDArray[np.object_]) -> NDArray[np.bool_]:
    """Whether each patch overlaps military land by a positive area (the desk comparison's
    ``military_m2 > 0``): such a patch is restricted.

    >>> base = shapely.box(118.0, 25.0, 118.01, 25.01)
    >>> p = np.array([shapely.box(118.005, 25.005, 118.02, 25.02), shapely.box(118.01, 25.0, 118.02, 25.01)])
    >>> on_military_land(p, np.array([base])).tolist()
    [True, False]
    """
    hit = np.zeros(len(patches), dtype=bool)
    if len(patches) and len(military):
        res = overlay_batches(patches, [military])
        hit[res.patch_index[res.area > 0]] = True
    return hit


def largest_share(
    patches: NDArray[np.object_], zones: NDArray[np.object_]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """For each patch, the zone holding its largest share (−1 if none) and that share (0–1).

    >>> sq = shapely.box(118.0, 25.0, 118.002, 25.001)
    >>> west, east = shapely.box(117.0, 24.0, 118.0015, 26.0), shapely.box(118.0015, 24.0, 119.0, 26.0)
    >>> idx, share = largest_share(np.array([sq]), np.array([west, east]))
    >>> int(idx[0]), round(float(share[0]), 2)
    (0, 0.75)
    """
    n = len(patches)
    best = np.full(n, -1, dtype=np.int64)
    share = np.zeros(n, dtype=np.float64)
    if n == 0 or len(zones) == 0:
        return best, share
    # A tree over the patches, queried with each (large, prepared) zone once; the intersection
    # is skipped where a zone wholly contains the patch, as it does for most.
    res = overlay_batches(patches, [zones])
    ia, ib = res.patch_index, res.feature_index
    ratio = np.divide(res.area, res.patch_area[ia], out=np.zeros_like(res.area), where=res.patch_area[ia] > 0)
    order = np.lexsort((-ratio, ia))  # by patch, largest share first
    ia, ib, ratio = ia[order], ib[order], ratio[order]
    first = np.ones(len(ia), dtype=bool)
    first[1:] = ia[1:] != ia[:-1]
    keep = first & (ratio > 0)
    best[ia[keep]] = ib[keep]
    share[ia[keep]] = ratio[keep]
    return best, share


@dataclass(frozen=True)
class SamePlace:
    """Pairs (a, b) at the same place: overlap ≥ ``min_ratio`` of the smaller of the two."""

    a_index: NDArray[np.int64]
    b_index: NDArray[np.int64]
    overlap_m2: NDArray[np.float64]
    ratio: NDArray[np.float64]


def same_place(a: NDArray[np.object_], b: NDArray[np.object_], min_ratio: float) -> SamePlace:
    """Pairs of geometries of ``a`` and ``b`` overlapping by at least ``min_ratio`` of the smaller.

    >>> p = shapely.box(118.0, 25.0, 118.001, 25.001)
    >>> q = shapely.box(118.0004, 25.0, 118.0014, 25.001)
    >>> r = same_place(np.array([p]), np.array([q]), 0.5)
    >>> r.a_index.tolist(), round(float(r.ratio[0]), 2)
    ([0], 0.6)
    """
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(0, dtype=np.float64)
    if len(a) == 0 or len(b) == 0:
        return SamePlace(empty_i, empty_i, empty_f, empty_f)
    ia, ib = shapely.STRtree(b).query(a)  # boxes only: the area bound below prunes harder
    if len(ia) == 0:
        return SamePlace(empty_i, empty_i, empty_f, empty_f)
    centre = patch_centre(a)
    ua, ub = np.unique(ia), np.unique(ib)
    pa = np.empty(len(a), dtype=object)
    pb = np.empty(len(b), dtype=object)
    pa[ua] = project_equal_area(a[ua], centre)
    pb[ub] = project_equal_area(b[ub], centre)
    area_a = np.zeros(len(a))
    area_b = np.zeros(len(b))
    area_a[ua], area_b[ub] = shapely.area(pa[ua]), shapely.area(pb[ub])
    smaller = np.minimum(area_a[ia], area_b[ib])
    # The overlap cannot exceed the overlap of the two boxes: pairs whose boxes share less than
    # min_ratio of the smaller area are never at the same place, and need no intersection.
    box_a, box_b = shapely.bounds(pa[ia]), shapely.bounds(pb[ib])
    width = np.minimum(box_a[:, 2], box_b[:, 2]) - np.maximum(box_a[:, 0], box_b[:, 0])
    height = np.minimum(box_a[:, 3], box_b[:, 3]) - np.maximum(box_a[:, 1], box_b[:, 1])
    possible = (width > 0) & (height > 0) & (width * height >= min_ratio * smaller) & (smaller > 0)
    ia, ib, smaller = ia[possible], ib[possible], smaller[possible]
    inter = shapely.area(shapely.intersection(pa[ia], pb[ib]))
    ratio = inter / smaller if len(inter) else inter
    keep = ratio >= min_ratio
    return SamePlace(ia[keep], ib[keep], inter[keep], ratio[keep])
