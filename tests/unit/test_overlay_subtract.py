"""The subtraction shortcut of `overlay_planar`: where a layer tiles a patch exactly once, one
overlap a patch is the patch's area less the others. Each case compares with the old engine
(`overlay`, every pair intersected) and says whether the shortcut may fire; a gap, an overlap, a
stacked layer, a hole or a multipart patch must never change a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import shapely
import shapely.affinity

from weipian.analysis import overlay as overlay_module
from weipian.analysis.overlay import PlanarLayer, overlay, overlay_classes, overlay_planar, sum_by
from weipian.analysis.tiling import sealed_features

LON0, LAT0 = 118.4, 24.9
M_LON, M_LAT = 111_320.0 * np.cos(np.radians(LAT0)), 110_574.0


def _lonlat(geoms: list[Any] | np.ndarray) -> np.ndarray:
    g = np.asarray(geoms, dtype=object)
    xy = shapely.get_coordinates(g)
    return shapely.set_coordinates(
        g.copy(), np.column_stack([LON0 + xy[:, 0] / M_LON, LAT0 + xy[:, 1] / M_LAT])
    )  # type: ignore[no-any-return]


def _grid(n: int = 6, cell: float = 50.0) -> list[shapely.Polygon]:
    return [
        shapely.box(x * cell, y * cell, (x + 1) * cell, (y + 1) * cell) for x in range(n) for y in range(n)
    ]


@pytest.fixture
def count_pairs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pairs handed to GEOS intersection (a spy around the real function)."""
    seen: list[int] = []
    real: Callable[..., Any] = overlay_module._intersection_area

    def spy(a: np.ndarray, b: np.ndarray) -> Any:
        seen.append(len(a))
        return real(a, b)

    monkeypatch.setattr(overlay_module, "_intersection_area", spy)
    return seen


def _compare(patches_m: list[Any], parcels_m: list[Any], seen: list[int]) -> tuple[int, int]:
    """Same rows and areas (1e-9) as the old engine; returns pairs intersected without / with seal."""
    patches, parcels = _lonlat(patches_m), _lonlat(parcels_m)
    old = overlay(patches, parcels)
    plain = PlanarLayer.from_lonlat(parcels)
    sealed = PlanarLayer.from_planar(plain.geoms, plain.centre, seal=True)
    seen.clear()
    a = overlay_planar(patches, plain)
    without = sum(seen)
    seen.clear()
    b = overlay_planar(patches, sealed)
    with_seal = sum(seen)
    for r in (a, b):
        np.testing.assert_array_equal(r.patch_index, old.patch_index)
        np.testing.assert_array_equal(r.feature_index, old.feature_index)
        np.testing.assert_allclose(r.area, old.area, rtol=1e-9)
    # By class (three classes in turn, and one class reported only): a whole class subtracted.
    keys = np.array(["0101", "0301", "0702"] * len(parcels))[: len(parcels)]
    ref = sum_by(old, keys, classes=["0101", "0301", "0702", "9999"])
    for layer in (plain, sealed):
        seen.clear()
        by = overlay_classes(patches, layer, keys, classes=["0101", "0301", "0702", "9999"], threads=2)
        assert sum(seen) <= (with_seal if layer is sealed else without)
        np.testing.assert_allclose(by.area, ref.area, rtol=1e-9, atol=1e-9)
        one = overlay_classes(patches, layer, keys, classes=["0301"])
        np.testing.assert_allclose(one.area[:, 0], ref.column("0301"), rtol=1e-9, atol=1e-9)
    return without, with_seal


def test_sealed_features_of_a_tiling_with_an_island_and_a_gap() -> None:
    grid = _grid(4)
    host = shapely.box(50, 50, 100, 100)
    pond = shapely.box(60, 60, 90, 90)
    grid[5] = host.difference(pond)  # a hole in the parcel, filled by the pond parcel
    sealed = sealed_features(np.array([*grid, pond], dtype=object))
    assert sealed[5] and sealed[-1]  # host and island match each other's edges
    assert sealed.tolist()[:16].count(True) == 4  # the four inner cells of 4 × 4
    empty_hole = sealed_features(np.array(grid, dtype=object))
    assert not empty_hole[5]  # a hole with nothing in it is a gap


def test_a_tiled_patch_subtracts_one_pair_and_keeps_the_figures(count_pairs: list[int]) -> None:
    star = shapely.Polygon(
        [
            (140 + 70 * np.cos(t) * (1 + 0.3 * np.sin(5 * t)), 140 + 70 * np.sin(t))
            for t in np.linspace(0, 2 * np.pi, 40)[:-1]
        ]
    )
    without, with_seal = _compare([star], _grid(), count_pairs)
    assert with_seal == without - 1


def test_a_patch_touching_a_parcel_keeps_no_sliver_row(count_pairs: list[int]) -> None:
    # Edges on parcel edges: the parcels on the far side only touch it (no row), corner contact too.
    exact = shapely.box(50, 50, 150, 100)
    corner = shapely.Polygon([(200, 200), (240, 210), (230, 245)])
    without, with_seal = _compare([exact, corner], _grid(), count_pairs)
    assert with_seal <= without


def test_a_patch_over_an_island_and_in_a_hole(count_pairs: list[int]) -> None:
    grid = _grid()
    host, pond = shapely.box(100, 100, 150, 150), shapely.box(110, 110, 140, 140)
    grid[2 * 6 + 2] = host.difference(pond)
    parcels = [*grid, pond]
    over = shapely.box(105, 105, 145, 125)  # pond and host
    inside = shapely.box(115, 115, 135, 135)  # in the pond only
    without, with_seal = _compare([over, inside], parcels, count_pairs)
    assert with_seal == without - 1
    # The same hole left empty: a gap, where subtraction would count the gap as parcel.
    without, with_seal = _compare([over, inside], grid, count_pairs)
    assert with_seal == without


def test_a_patch_with_a_hole_and_a_multipart_patch(count_pairs: list[int]) -> None:
    ring = shapely.box(60, 60, 190, 190).difference(shapely.box(90, 90, 160, 160))
    multi = shapely.MultiPolygon([shapely.box(10, 10, 70, 30), shapely.box(210, 210, 270, 230)])
    without, with_seal = _compare([ring], _grid(), count_pairs)
    assert with_seal == without - 1  # one part: its interior is connected even with a hole
    without, with_seal = _compare([multi], _grid(), count_pairs)
    assert with_seal == without  # several parts: one point cannot speak for all


def test_gaps_overlaps_and_stacked_layers_never_change_a_figure(count_pairs: list[int]) -> None:
    patch = shapely.Polygon([(30, 40), (170, 20), (190, 160), (60, 190)])
    grid = _grid()
    gapped = [g for i, g in enumerate(grid) if i != 8]  # one cell missing under the patch
    overlapping = [*grid[:8], shapely.box(100, 100, 160, 160), *grid[9:]]  # one cell too big
    shifted = [shapely.affinity.translate(g, 25, 25) for g in grid]  # a second tiling, other edges
    for parcels in (gapped, overlapping, [*grid, grid[8]], [*grid, *shifted]):
        without, with_seal = _compare([patch], parcels, count_pairs)
        assert with_seal == without


def test_nearly_matching_edges_count_as_unmatched() -> None:
    a = shapely.box(0, 0, 1, 1)
    b = shapely.Polygon([(1, 0), (2, 0), (2, 1), (1 + 1e-12, 1)])
    assert not sealed_features(np.array([a, b], dtype=object)).any()
