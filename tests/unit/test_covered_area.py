"""`covered_area` adds pair areas where the features a patch meets have disjoint interiors, and
takes the union where any of them overlaps another: both must give the union's figure."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from weipian.analysis.area import project_equal_area
from weipian.analysis.desk import covered_area
from weipian.analysis.overlay import overlay

LON0, LAT0 = 118.4, 24.9
M_LON, M_LAT = 111_320.0 * np.cos(np.radians(LAT0)), 110_574.0


def _lonlat(geoms: list[shapely.Geometry]) -> np.ndarray:
    g = np.asarray(geoms, dtype=object)
    xy = shapely.get_coordinates(g)
    return shapely.set_coordinates(
        g.copy(), np.column_stack([LON0 + xy[:, 0] / M_LON, LAT0 + xy[:, 1] / M_LAT])
    )  # type: ignore[no-any-return]


def _truth(patches: np.ndarray, features: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    plane_p, plane_f = project_equal_area(patches, centre), project_equal_area(features, centre)
    union = shapely.union_all(plane_f)
    return shapely.area(shapely.intersection(plane_p, union))  # type: ignore[no-any-return]


GRID = [shapely.box(x, y, x + 50, y + 50) for x in range(0, 200, 50) for y in range(0, 200, 50)]
CASES = {
    "tiling": GRID,
    "corner contact only": [shapely.box(0, 0, 50, 50), shapely.box(50, 50, 100, 100)],
    "overlapping pair": [*GRID, shapely.box(30, 30, 80, 80)],
    "duplicate": [*GRID, GRID[5]],
    "one inside another": [*GRID, shapely.box(60, 60, 70, 70)],
}


@pytest.mark.parametrize("name", list(CASES))
def test_covered_area_is_the_union_s_figure(name: str) -> None:
    features = _lonlat(CASES[name])
    patches = _lonlat(
        [shapely.box(20, 20, 130, 90), shapely.box(40, 40, 60, 60), shapely.box(300, 300, 310, 310)]
    )
    centre = (LON0, LAT0)
    result = overlay(patches, features, centre=centre)
    got = covered_area(result, patches, features, centre)
    np.testing.assert_allclose(got, _truth(patches, features, centre), rtol=1e-9, atol=1e-9)
    planar = covered_area(
        result, project_equal_area(patches, centre), project_equal_area(features, centre), None
    )
    np.testing.assert_allclose(planar, got, rtol=1e-12)
