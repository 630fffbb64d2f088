"""Areas: the equal-area shortcut against pyproj's geodesic polygon area, and the GK option."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from factories import SQUARE_100M_ELLIPSOIDAL_M2, gk_square
from weipian.analysis.area import AreaMethod, areas, ellipsoidal_area, to_crs

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid


def test_square_matches_postgis_geography() -> None:
    g = to_crs(np.array([gk_square()]), "EPSG:4527", "EPSG:4490")
    assert ellipsoidal_area(g)[0] == pytest.approx(SQUARE_100M_ELLIPSOIDAL_M2, abs=1e-3)


def test_gauss_kruger_area_is_planar_and_about_half_a_permille_larger() -> None:
    g = to_crs(np.array([gk_square(size=1000)]), "EPSG:4527", "EPSG:4490")
    gk = areas(g, AreaMethod("gauss_kruger", 4527))[0]
    assert gk == pytest.approx(1_000_000, abs=0.5)
    assert 0.0003 < gk / ellipsoidal_area(g)[0] - 1 < 0.0007  # DOMAIN.md §9: about +0.05 %


def _random_polygons(seed: int, radius_deg: float) -> np.ndarray:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    polys = []
    for _ in range(50):
        cx, cy = rng.uniform(118.1, 118.7), rng.uniform(24.6, 25.2)
        n = rng.integers(5, 30)
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        r = rng.uniform(radius_deg / 10, radius_deg, n)
        polys.append(shapely.Polygon(np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)])))
    return shapely.make_valid(np.array(polys, dtype=object))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("radius_deg", "atol", "rtol"),
    [(0.002, 0.01, 0.0), (0.01, 0.0, 1e-6)],  # patch-sized (≤ 200 m) and km-sized polygons
)
@pytest.mark.parametrize("seed", range(5))
def test_random_polygons_agree_with_geodesic_area(
    seed: int, radius_deg: float, atol: float, rtol: float
) -> None:
    arr = _random_polygons(seed, radius_deg)
    ours = ellipsoidal_area(arr)
    theirs = np.array([abs(GEOD.geometry_area_perimeter(p)[0]) for p in arr])
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def test_method_codes_round_trip() -> None:
    for m in (AreaMethod(), AreaMethod("gauss_kruger", 4548)):
        assert AreaMethod.parse(m.code) == m
