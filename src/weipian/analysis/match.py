"""Matching patches to zones and to each other by overlap: township assignment, same-place links."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import project_equal_area

__all__ = ["SamePlace", "largest_share", "same_place"]


def _pairs(
    a: NDArray[np.object_], b: NDArray[np.object_], centre: tuple[float, float]
) -> tuple[
    NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:
    """Intersecting pairs (ia, ib) with intersection area and both areas, in m²."""
    pa = project_equal_area(a, centre)
    pb = project_equal_area(b, centre)
    tree = shapely.STRtree(pb)
    ia, ib = tree.query(pa, predicate="intersects")
    inter = shapely.area(shapely.intersection(pa[ia], pb[ib]))
    return ia, ib, inter, shapely.area(pa), shapely.area(pb)


def _centre(*arrays: NDArray[np.object_]) -> tuple[float, float]:
    bounds = np.array([shapely.total_bounds(a) for a in arrays if len(a)])
    return (
        float((bounds[:, 0].min() + bounds[:, 2].max()) / 2),
        float((bounds[:, 1].min() + bounds[:, 3].max()) / 2),
    )


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
    ia, ib, inter, area_a, _ = _pairs(patches, zones, _centre(patches, zones))
    ratio = np.divide(inter, area_a[ia], out=np.zeros_like(inter), where=area_a[ia] > 0)
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
    ia, ib, inter, area_a, area_b = _pairs(a, b, _centre(a, b))
    smaller = np.minimum(area_a[ia], area_b[ib])
    ratio = np.divide(inter, smaller, out=np.zeros_like(inter), where=smaller > 0)
    keep = ratio >= min_ratio
    return SamePlace(ia[keep], ib[keep], inter[keep], ratio[keep])
