"""Do the parts of a split tile their patch? Pure geometry, EPSG:4490 in, m² out.

Each part must be a valid, non-empty polygon with longitude/latitude coordinates; together the
parts must cover the patch (gap), stay inside it (outside) and not overlap each other (overlap),
each within ``domain.split.tolerance_m2`` of the patch's area. Gaps, overlaps and outside areas
are measured in one equal-area plane centred on the patch, so a sliver along a shared edge
counts by its true area whatever the latitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from weipian.analysis.area import AreaMethod, areas, project_equal_area
from weipian.domain.split import MAX_PARTS, MIN_PARTS, tolerance_m2
from weipian.errors import InputError

__all__ = ["TiledParts", "check_parts"]

POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class TiledParts:
    """Accepted parts, in the order given, with their areas by the patch's area method."""

    geoms: tuple[shapely.Geometry, ...]
    areas_m2: tuple[float, ...]
    gap_m2: float  # patch area no part covers
    overlap_m2: float  # area covered twice (the largest pair)
    tolerance_m2: float


def _check_each(parts: list[shapely.Geometry]) -> None:
    for no, part in enumerate(parts, start=1):
        if part is None or part.is_empty:
            raise InputError("split.part_empty", part=no)
        if part.geom_type not in POLYGONAL:
            raise InputError("split.part_not_polygon", part=no, geom_type=part.geom_type)
        minx, miny, maxx, maxy = part.bounds
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or not (
            -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
        ):
            raise InputError("split.coordinates", part=no)
        if not part.is_valid:
            raise InputError("split.part_invalid", part=no, reason=shapely.is_valid_reason(part))


def check_parts(parent: shapely.Geometry, parts: list[shapely.Geometry], method: AreaMethod) -> TiledParts:
    """Accept ``parts`` as a tiling of ``parent`` or raise ``InputError`` (``split.*``) naming the
    first problem: too few or too many parts, a part that is empty, not a polygon, off the
    longitude/latitude range or invalid (self-intersecting …), outside the patch, overlapping
    another part, or a gap the parts leave.

    >>> whole = shapely.box(118.4, 24.9, 118.401, 24.901)
    >>> west, east = shapely.box(118.4, 24.9, 118.4005, 24.901), shapely.box(118.4005, 24.9, 118.401, 24.901)
    >>> [round(a, 1) for a in check_parts(whole, [west, east], AreaMethod()).areas_m2]
    [5595.7, 5595.7]
    >>> try:
    ...     check_parts(whole, [west, west], AreaMethod())
    ... except InputError as exc:
    ...     print(exc.code, exc.params["first"], exc.params["second"])
    split.overlap 1 2
    """
    if len(parts) < MIN_PARTS:
        raise InputError("split.too_few", count=len(parts), min=MIN_PARTS)
    if len(parts) > MAX_PARTS:
        raise InputError("split.too_many", count=len(parts), max=MAX_PARTS)
    _check_each(parts)
    box = shapely.box(*parent.bounds)
    for no, part in enumerate(parts, start=1):
        if not part.intersects(box):  # far away (or in another CRS): never projected
            raise InputError("split.outside", part=no, area_m2=round(float(areas(np.array([part]))[0]), 2))
    centre = parent.centroid
    plane = project_equal_area(np.array([parent, *parts], dtype=object), (centre.x, centre.y))
    whole, pieces = plane[0], list(plane[1:])
    tol = tolerance_m2(float(whole.area))
    for no, piece in enumerate(pieces, start=1):
        outside = float(piece.difference(whole).area)
        if not math.isfinite(outside) or outside > tol:
            raise InputError("split.outside", part=no, area_m2=round(outside, 2))
        if float(piece.area) <= tol:
            raise InputError("split.part_empty", part=no)
    worst = 0.0
    tree = shapely.STRtree(pieces)
    for i, j in zip(*tree.query(pieces, predicate="intersects"), strict=True):
        if i >= j:
            continue
        shared = float(pieces[i].intersection(pieces[j]).area)
        if shared > tol:
            raise InputError("split.overlap", first=int(i) + 1, second=int(j) + 1, area_m2=round(shared, 2))
        worst = max(worst, shared)
    gap = float(whole.difference(shapely.union_all(pieces)).area)
    if gap > tol:
        raise InputError("split.gap", area_m2=round(gap, 2), tolerance_m2=tol)
    return TiledParts(
        geoms=tuple(parts),
        areas_m2=tuple(float(a) for a in areas(np.array(parts, dtype=object), method)),
        gap_m2=gap,
        overlap_m2=worst,
        tolerance_m2=tol,
    )
