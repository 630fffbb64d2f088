"""CRS detection from magnitudes and repair at the door."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from weipian.analysis.crs import detect_crs, epsg_of
from weipian.analysis.validity import repair

NANAN = (117.8, 24.4, 118.9, 25.5)


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ((118.2, 24.7, 118.6, 25.2), 4490),
        ((39_600_000, 2_740_000, 39_660_000, 2_790_000), 4527),
        ((600_000, 2_740_000, 660_000, 2_790_000), 4548),
        ((40_310_000, 2_740_000, 40_320_000, 2_750_000), 4528),  # zone-40 prefix, the county's west
        ((40_500_000, 2_740_000, 40_510_000, 2_750_000), None),  # zone 40 at 120°E: not the county
        ((0, 0, 10, 10), None),
        ((113.0, 22.0, 114.0, 23.0), None),  # Guangdong: lon/lat, but outside the county
    ],
)
def test_detect_crs(bounds: tuple[float, float, float, float], expected: int | None) -> None:
    assert detect_crs(bounds, NANAN).epsg == expected


def test_epsg_of_wkt() -> None:
    from pyproj import CRS

    assert epsg_of(CRS.from_epsg(4548).to_wkt()) == 4548


def test_repair_keeps_polygonal_parts_and_flags() -> None:
    geoms = np.array(
        [
            shapely.from_wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))"),  # bow-tie
            shapely.box(0, 0, 1, 1),
            shapely.from_wkt("LINESTRING (0 0, 1 1)"),
            shapely.from_wkt("POLYGON EMPTY"),
            None,
            shapely.from_wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((2 2, 3 2, 3 3, 2 3, 2 2)))"),
            shapely.from_wkt("POLYGON ((0 0, 1 0, 1 0, 0 0))"),  # collapses to nothing
        ],
        dtype=object,
    )
    r = repair(geoms)
    assert r.repaired.tolist() == [True, False, False, False, False, False, True]
    assert r.problem.tolist() == [
        "",
        "",
        "row.geometry_not_polygon",
        "row.geometry_empty",
        "row.geometry_empty",
        "",
        "row.geometry_empty",
    ]
    assert all(g.geom_type == "MultiPolygon" and g.is_valid for g in r.geoms[[0, 1, 5]])
    assert r.geoms[0].area == pytest.approx(2.0) and r.geoms[5].area == pytest.approx(2.0)
