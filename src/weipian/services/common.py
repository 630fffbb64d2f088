"""Small pieces shared by services: progress callbacks and geometry preparation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import to_crs
from weipian.analysis.validity import repair
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


def prepare_geoms(table: VectorTable) -> PreparedGeoms:
    """Repair at the door, then reproject what is usable to CGCS2000 lon/lat."""
    fixed = repair(table.geoms)
    ok = fixed.problem == ""
    out = np.full(len(fixed.geoms), None, dtype=object)
    if ok.any():
        out[ok] = to_crs(fixed.geoms[ok], table.crs, "EPSG:4490")
        # Reprojection can make a barely valid ring invalid; mend those few the same way.
        bad = ok.copy()
        bad[ok] = ~shapely.is_valid(out[ok])
        if bad.any():
            again = repair(out[bad])
            out[bad] = again.geoms
            fixed.repaired[bad] = True
    return PreparedGeoms(out, fixed.repaired, fixed.problem, fixed.geom_type)
