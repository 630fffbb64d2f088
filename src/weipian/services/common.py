"""Small pieces shared by services: progress callbacks and geometry preparation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import to_crs
from weipian.analysis.validity import repair
from weipian.errors import InputError

if TYPE_CHECKING:  # reading a vector file needs pandas and GDAL; analysing does not
    from weipian.io.readers import VectorTable

# progress(step label in Chinese, done, total)
Progress = Callable[[str, int, int], None]


def no_progress(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class PreparedGeoms:
    """Geometries repaired and reprojected to EPSG:4490, with per-row flags."""

    geoms: NDArray[np.object_]  # MultiPolygons in EPSG:4490 (None where unusable)
    repaired: NDArray[np.bool_]
    problem: NDArray[np.str_]
    geom_type: NDArray[np.str_]


Region = tuple[float, float, float, float]
# How far (degrees, ≈ 5 km) a geometry may reach past the county box and still count as inside.
REGION_MARGIN = 0.05


def prepare_geoms(
    table: VectorTable, region: Region | None = None, *, allow_outside: bool = False
) -> PreparedGeoms:
    """Repair at the door, then reproject what is usable to CGCS2000 lon/lat.

    Rows whose coordinates are not finite longitudes and latitudes after reprojection get
    ``row.coordinates_invalid``; with ``region`` (the county box), rows lying wholly outside it
    get ``row.outside_county`` unless ``allow_outside``.
    """
    # Coordinates no CRS can hold (1e300, inf, NaN) are refused before GEOS or PROJ see them.
    raw = _coordinates_sane(table.geoms)
    with np.errstate(all="ignore"):
        sane = table.geoms.copy()
        sane[~raw] = None
        fixed = repair(sane)
    problem = fixed.problem.astype(object)  # fixed-width strings would cut longer codes
    problem[~raw] = "row.coordinates_invalid"
    ok = problem == ""
    out = np.full(len(fixed.geoms), None, dtype=object)
    if ok.any():
        try:
            with np.errstate(all="ignore"):
                out[ok] = to_crs(fixed.geoms[ok], table.crs, "EPSG:4490")
        except Exception as exc:  # pyproj / GEOS refuse: a wrong .prj or absurd coordinates
            raise InputError("crs.transform_failed", path=str(table.path), crs=table.crs) from exc
        bad_coords = ok.copy()
        bad_coords[ok] = ~_coordinates_valid(out[ok])
        problem[bad_coords] = "row.coordinates_invalid"
        out[bad_coords] = None
        ok &= ~bad_coords
        if region is not None and not allow_outside and ok.any():
            west, south, east, north = region
            box = shapely.box(
                west - REGION_MARGIN, south - REGION_MARGIN, east + REGION_MARGIN, north + REGION_MARGIN
            )
            outside = ok.copy()
            outside[ok] = ~shapely.intersects(out[ok], box)
            problem[outside] = "row.outside_county"
            out[outside] = None
            ok &= ~outside
        # Reprojection can make a barely valid ring invalid; mend those few the same way.
        bad = ok.copy()
        bad[ok] = ~shapely.is_valid(out[ok])
        if bad.any():
            again = repair(out[bad])
            out[bad] = again.geoms
            fixed.repaired[bad] = True
    return PreparedGeoms(out, fixed.repaired, problem.astype(str), fixed.geom_type)


def _coordinates_sane(geoms: NDArray[np.object_]) -> NDArray[np.bool_]:
    """Finite coordinates within ±1e9 (projected metres and degrees both fit) or no geometry."""
    with np.errstate(all="ignore"):
        b = shapely.bounds(geoms)
    absent = np.isnan(b).all(axis=1) & (shapely.is_missing(geoms) | shapely.is_empty(geoms))
    sane = np.isfinite(b).all(axis=1) & (np.abs(np.nan_to_num(b, nan=np.inf)) < 1e9).all(axis=1)
    return absent | sane  # type: ignore[no-any-return]


def _coordinates_valid(geoms: NDArray[np.object_]) -> NDArray[np.bool_]:
    """Finite longitudes in [-180, 180] and latitudes in [-90, 90], vertex by vertex."""
    with np.errstate(all="ignore"):
        b = shapely.bounds(geoms)
    finite = np.isfinite(b).all(axis=1)
    return finite & (b[:, 0] >= -180) & (b[:, 2] <= 180) & (b[:, 1] >= -90) & (b[:, 3] <= 90)  # type: ignore[no-any-return]
