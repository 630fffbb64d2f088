"""Areas in m² of geometries stored in CGCS2000 (EPSG:4490) longitude/latitude.

Ellipsoidal area is computed in a Lambert azimuthal *equal-area* projection on the GRS80
ellipsoid (CGCS2000's), centred on the data: such a projection preserves area exactly, so the
planar area of the projected polygon is its area on the ellipsoid. Edges are straight in the
projection instead of geodesics: against ``pyproj.Geod`` (geodesic edges, as PostGIS geography)
patch-sized polygons (edges of a few hundred metres) agree within 0.01 m², km-sized ones within
1e-6 relative (tests check both). This keeps the work vectorised: about
1 µs a polygon instead of 35 µs for ``Geod.geometry_area_perimeter``.

Gauss–Krüger area is the planar area in a named projected CRS (EPSG:4527 by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

__all__ = ["AreaMethod", "areas", "ellipsoidal_area", "plane_centre", "project_equal_area", "to_crs"]

GEOGRAPHIC_EPSG = 4490


@dataclass(frozen=True)
class AreaMethod:
    """How a figure was made: ``ellipsoidal`` on CGCS2000, or ``gauss_kruger`` in ``epsg``."""

    kind: str = "ellipsoidal"
    epsg: int | None = None

    @property
    def code(self) -> str:
        """Stable text stored with every figure, e.g. ``ellipsoidal:CGCS2000`` or ``gauss_kruger:4527``."""
        return "ellipsoidal:CGCS2000" if self.kind == "ellipsoidal" else f"gauss_kruger:{self.epsg}"

    @classmethod
    def parse(cls, code: str) -> AreaMethod:
        kind, _, rest = code.partition(":")
        return cls("ellipsoidal") if kind == "ellipsoidal" else cls("gauss_kruger", int(rest))


ELLIPSOIDAL = AreaMethod()


@cache
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def to_crs(geoms: NDArray[np.object_], src: str, dst: str) -> NDArray[np.object_]:
    """Reproject an array of shapely geometries (axis order x=lon/easting always)."""
    if src == dst:
        return geoms
    tr = _transformer(src, dst)

    def _apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, _apply)  # type: ignore[no-any-return]


def _laea(lon0: float, lat0: float) -> str:
    # Rounded centre so that nearby calls share one cached transformer.
    return f"+proj=laea +lat_0={lat0:.1f} +lon_0={lon0:.1f} +ellps=GRS80 +units=m +no_defs"


def plane_centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    """The equal-area plane for a (west, south, east, north) box: its centre to 0.1°.

    Rounded as the plane's definition is, so that every layer stored for one county shares one
    plane and a chunk of ``weipian analyze`` projects its patches once.

    >>> plane_centre((117.8, 24.4, 118.9, 25.5))
    (118.3, 24.9)
    """
    return (round((box[0] + box[2]) / 2, 1), round((box[1] + box[3]) / 2, 1))


def project_equal_area(
    geoms: NDArray[np.object_], centre: tuple[float, float] | None = None
) -> NDArray[np.object_]:
    """Project EPSG:4490 geometries into an equal-area plane centred on them (or on ``centre``)."""
    if centre is None:
        bounds = shapely.total_bounds(geoms)
        if not np.all(np.isfinite(bounds)):
            return geoms
        centre = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    return to_crs(geoms, f"EPSG:{GEOGRAPHIC_EPSG}", _laea(*centre))


def ellipsoidal_area(geoms: NDArray[np.object_]) -> NDArray[np.float64]:
    """Area on the CGCS2000 ellipsoid, m², of EPSG:4490 geometries.

    >>> import shapely
    >>> sq = shapely.box(118.4, 24.9, 118.401, 24.901)
    >>> round(float(ellipsoidal_area(np.array([sq]))[0]), 1)
    11191.4
    """
    return shapely.area(project_equal_area(geoms))  # type: ignore[no-any-return]


def areas(geoms: NDArray[np.object_], method: AreaMethod = ELLIPSOIDAL) -> NDArray[np.float64]:
    """Areas in m² by ``method`` of EPSG:4490 geometries."""
    if method.kind == "ellipsoidal":
        return ellipsoidal_area(geoms)
    projected = to_crs(geoms, f"EPSG:{GEOGRAPHIC_EPSG}", f"EPSG:{method.epsg}")
    return shapely.area(projected)  # type: ignore[no-any-return]
