"""Repair at the door: make geometries valid polygons once, at intake, and say which were touched."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["RepairResult", "repair"]

POLYGONAL = {"Polygon", "MultiPolygon"}


@dataclass(frozen=True)
class RepairResult:
    """Repaired multipolygons, which were repaired, and why a geometry could not be kept.

    ``problem`` is ``""`` for a usable geometry, else ``row.geometry_empty`` or
    ``row.geometry_not_polygon``.
    """

    geoms: NDArray[np.object_]
    repaired: NDArray[np.bool_]
    problem: NDArray[np.str_]
    geom_type: NDArray[np.str_]


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts of a (possibly mixed) geometry, as a MultiPolygon."""
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "GeometryCollection":
        polys: list[shapely.Polygon] = []
        for part in geom.geoms:
            sub = _polygonal_part(part)
            polys.extend(sub.geoms)
        return shapely.MultiPolygon(polys)
    return shapely.MultiPolygon()


def repair(geoms: NDArray[np.object_]) -> RepairResult:
    """Validate and repair polygons; return multipolygons with flags, never raising.

    >>> bowtie = shapely.from_wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
    >>> r = repair(np.array([bowtie, None], dtype=object))
    >>> r.repaired.tolist(), r.problem.tolist(), round(float(r.geoms[0].area), 3)
    ([True, False], ['', 'row.geometry_empty'], 2.0)
    """
    n = len(geoms)
    out = np.empty(n, dtype=object)
    repaired = np.zeros(n, dtype=bool)
    problem = np.full(n, "", dtype=object)
    types = shapely.get_type_id(geoms)
    type_names = np.array([g.geom_type if g is not None else "None" for g in geoms], dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    problem[missing] = "row.geometry_empty"
    polygonal = np.isin(types, [3, 6])  # Polygon, MultiPolygon
    not_poly = ~missing & ~polygonal
    problem[not_poly] = "row.geometry_not_polygon"
    ok = ~missing & polygonal
    valid = np.zeros(n, dtype=bool)
    valid[ok] = shapely.is_valid(geoms[ok])
    to_fix = ok & ~valid
    if to_fix.any():
        fixed = shapely.make_valid(geoms[to_fix], method="structure", keep_collapsed=False)
        geoms = geoms.copy()
        geoms[to_fix] = fixed
        repaired[to_fix] = True
    # Plain polygons become one-part multipolygons in one vectorised call; only the few
    # repaired geometries go through the slow per-geometry path.
    single = ok & ~repaired & (types == 3)
    if single.any():
        idx = np.flatnonzero(single)
        out[idx] = shapely.multipolygons(geoms[idx], indices=np.arange(len(idx)))
    multi = ok & ~repaired & (types == 6)
    out[multi] = geoms[multi]
    for i in np.flatnonzero(repaired):
        mp = _polygonal_part(geoms[i])
        if mp.is_empty:
            problem[i] = "row.geometry_empty"
        out[i] = mp
    return RepairResult(out, repaired, problem.astype(str), type_names.astype(str))
