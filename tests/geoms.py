"""Named test shapes as WKT in local metres: small, obvious, checked by eye.

Coordinates are metres east and north of ``ORIGIN``, a point of EPSG:4527 (GK zone 39) inside
Nan'an, so a 100 m square is 10 000 m² in the projection. :func:`at_nanan` moves shapes there and
returns them in EPSG:4490 lon/lat, the form the analysis core takes; its ellipsoidal areas are
about 0.05 % below the GK figures (STACK.md §1).

``ALL`` pairs every name with its WKT for ``pytest.mark.parametrize("name, wkt", ALL)``;
``VALID`` leaves out the invalid ones.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import to_crs

ORIGIN = (39641453.0, 2755704.0)  # EPSG:4527

EMPTY = "POLYGON EMPTY"
SQUARE = "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))"  # 10 000 m²
INNER = "POLYGON ((40 40, 60 40, 60 60, 40 60, 40 40))"  # 400 m², inside SQUARE and HOLED's hole
HOLED = "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (25 25, 75 25, 75 75, 25 75, 25 25))"  # 7 500 m²
MULTIPART = "MULTIPOLYGON (((0 0, 40 0, 40 40, 0 40, 0 0)), ((60 60, 100 60, 100 100, 60 100, 60 60)))"
SLIVER = "POLYGON ((0 50, 100 50, 100 50.01, 0 50.01, 0 50))"  # 1 m², 1 cm wide
EDGE_TOUCHING = "POLYGON ((100 0, 200 0, 200 100, 100 100, 100 0))"  # shares SQUARE's east edge
CORNER_TOUCHING = "POLYGON ((100 100, 200 100, 200 200, 100 200, 100 100))"  # one corner only
TRIANGLE = "POLYGON ((0 0, 100 0, 0 100, 0 0))"  # 5 000 m², edges cross grid cells diagonally
BOW_TIE = "POLYGON ((0 0, 100 100, 100 0, 0 100, 0 0))"  # invalid: self-intersecting at (50 50)

ALL: list[tuple[str, str]] = [
    ("empty", EMPTY),
    ("square", SQUARE),
    ("inner", INNER),
    ("holed", HOLED),
    ("multipart", MULTIPART),
    ("sliver", SLIVER),
    ("edge_touching", EDGE_TOUCHING),
    ("corner_touching", CORNER_TOUCHING),
    ("triangle", TRIANGLE),
    ("bow_tie", BOW_TIE),
]
INVALID = {"bow_tie"}
VALID: list[tuple[str, str]] = [(n, w) for n, w in ALL if n not in INVALID]


def at_nanan(shapes: str | shapely.Geometry | Iterable[str | shapely.Geometry]) -> NDArray[np.object_]:
    """WKT or geometries in local metres → array of EPSG:4490 geometries at ``ORIGIN``."""
    items = [shapes] if isinstance(shapes, str | shapely.Geometry) else list(shapes)
    geoms = np.array([shapely.from_wkt(s) if isinstance(s, str) else s for s in items], dtype=object)
    moved = shapely.transform(geoms, lambda xy: xy + np.array(ORIGIN))
    return to_crs(moved, "EPSG:4527", "EPSG:4490")


def grid(n: int, size: float = 25.0, x0: float = -50.0, y0: float = -50.0) -> list[shapely.Polygon]:
    """``n`` × ``n`` squares of ``size`` m tiling from (x0, y0), in local metres, row by row."""
    return [
        shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
        for j in range(n)
        for i in range(n)
    ]
