"""Desk-comparison overlay: exact areas, parts summing to the whole, chunks and batches agreeing."""

from __future__ import annotations

import doctest
import random
import subprocess
import sys

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geoms
from weipian.analysis import overlay as overlay_module
from weipian.analysis import overlay_parallel as parallel_module
from weipian.analysis.area import ellipsoidal_area, project_equal_area
from weipian.analysis.overlay import OverlayResult, overlay, overlay_batches, patch_centre, sum_by
from weipian.analysis.overlay_parallel import overlay_parallel

GRID = geoms.at_nanan(geoms.grid(12))  # 25 m squares from (-50, -50) to (250, 250)


def _assert_same(a: OverlayResult, b: OverlayResult) -> None:
    np.testing.assert_array_equal(a.patch_index, b.patch_index)
    np.testing.assert_array_equal(a.feature_index, b.feature_index)
    np.testing.assert_array_equal(a.area, b.area)
    np.testing.assert_array_equal(a.patch_area, b.patch_area)
    np.testing.assert_array_equal(a.repaired_patches, b.repaired_patches)


@pytest.mark.parametrize(("name", "wkt"), geoms.ALL)
def test_parts_of_each_shape_sum_to_it_on_a_grid(name: str, wkt: str) -> None:
    patch = geoms.at_nanan(wkt)
    r = overlay(patch, GRID)
    assert (r.area > 0).all()
    assert np.all(np.diff(r.patch_index) >= 0)
    if name in geoms.INVALID:
        # GEOS refuses the bow-tie; the pairs are redone on the repaired shape and flagged.
        assert r.repaired_patches.tolist() == [0]
        repaired = shapely.make_valid(patch, method="structure", keep_collapsed=False)
        assert r.area.sum() == pytest.approx(ellipsoidal_area(repaired)[0], abs=0.01)
        return
    assert len(r.repaired_patches) == 0
    assert r.patch_area[0] == pytest.approx(ellipsoidal_area(patch)[0], rel=1e-12)
    assert r.area.sum() == pytest.approx(r.patch_area[0], abs=0.01)


def test_catalogue_areas_are_the_obvious_ones() -> None:
    expected = {"empty": 0, "square": 1e4, "inner": 400, "holed": 7500, "multipart": 3200, "sliver": 1}
    for name, wkt in geoms.VALID:
        if name in expected:
            area = ellipsoidal_area(geoms.at_nanan(wkt))[0]
            assert area == pytest.approx(expected[name], rel=1e-3), name


def test_edge_or_corner_contact_makes_no_row() -> None:
    r = overlay(geoms.at_nanan(geoms.SQUARE), geoms.at_nanan([geoms.EDGE_TOUCHING, geoms.CORNER_TOUCHING]))
    assert len(r) == 0
    assert r.patch_area[0] > 0


@pytest.mark.parametrize("skip", [True, False])
def test_containment_either_way_gives_the_smaller_area(skip: bool) -> None:
    square, inner = geoms.at_nanan([geoms.SQUARE, geoms.INNER])
    a_square, a_inner = ellipsoidal_area(np.array([square, inner]))
    r = overlay(np.array([square, inner]), np.array([inner, square]), skip_contained=skip)
    assert list(zip(r.patch_index.tolist(), r.feature_index.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]
    assert r.area == pytest.approx([a_inner, a_square, a_inner, a_inner], rel=1e-9)
    assert r.ratio == pytest.approx([a_inner / a_square, 1.0, 1.0, 1.0], rel=1e-9)


def test_holes_are_not_covered() -> None:
    holed, inner, square = geoms.at_nanan([geoms.HOLED, geoms.INNER, geoms.SQUARE])
    r = overlay(np.array([holed]), np.array([inner, square]))
    assert r.feature_index.tolist() == [1]  # the feature in the hole does not touch the patch
    assert r.area[0] == pytest.approx(r.patch_area[0], rel=1e-12)
    # The other way round: a feature with a hole over a patch filling it.
    r = overlay(np.array([square]), np.array([holed]))
    assert r.area[0] == pytest.approx(ellipsoidal_area(np.array([holed]))[0], rel=1e-9)


def test_multipart_patch_over_a_feature_between_its_parts() -> None:
    multipart, between = geoms.at_nanan([geoms.MULTIPART, "POLYGON ((30 30, 70 30, 70 70, 30 70, 30 30))"])
    r = overlay(np.array([multipart]), np.array([between]))
    # Two 10 m × 10 m corners, one from each part.
    assert r.area.tolist() == pytest.approx([200.0], rel=1e-3)


def test_sliver_is_kept_and_min_area_drops_it() -> None:
    patch = geoms.at_nanan(geoms.SLIVER)
    assert overlay(patch, GRID).area.sum() == pytest.approx(ellipsoidal_area(patch)[0], abs=1e-6)
    assert len(overlay(patch, GRID, min_area=1.0)) == 0


def test_empty_inputs() -> None:
    none = np.array([], dtype=object)
    square = geoms.at_nanan(geoms.SQUARE)
    for patches, features in [(none, none), (none, GRID), (square, none)]:
        r = overlay(patches, features)
        assert len(r) == 0 and r.n_patches == len(patches)
        assert r.patch_index.dtype == np.int64 and r.area.dtype == np.float64
        assert len(overlay_parallel(patches, features)) == 0
        assert len(overlay_batches(patches, [features])) == 0
    r = overlay(np.array([None, square[0]], dtype=object), np.array([None, square[0]], dtype=object))
    assert r.patch_index.tolist() == [1] and r.feature_index.tolist() == [1]
    assert sum_by(overlay(none, GRID), np.zeros(len(GRID))).area.shape == (0, 0)


def test_an_invalid_feature_is_repaired_pair_by_pair() -> None:
    # GEOS refuses to intersect the bow-tie; those pairs are redone on make_valid(bow-tie), the
    # two 2 500 m² side lobes, and the other pairs in the same GEOS call are unaffected.
    patches = geoms.at_nanan([geoms.SQUARE, geoms.TRIANGLE])
    features = np.concatenate([GRID, geoms.at_nanan(geoms.BOW_TIE)])
    r = overlay(patches, features)
    assert len(r.repaired_patches) > 0 and set(r.repaired_patches.tolist()) <= {0, 1}
    on_grid = r.feature_index < len(GRID)
    per_patch = np.bincount(r.patch_index[on_grid], r.area[on_grid], minlength=2)
    assert per_patch == pytest.approx(r.patch_area, abs=0.01)
    on_bow = r.feature_index == len(GRID)
    assert r.patch_index[on_bow].tolist() == [0, 1]
    assert r.area[on_bow] == pytest.approx([5000, 2500], rel=1e-3)


def test_an_invalid_patch_is_repaired_before_querying() -> None:
    # The raw bow-tie's lobes wind opposite ways: its area is 0, so every 占比 on it would be
    # infinite, without any exception. Repairing patches first gives both lobes, 5 000 m².
    bow, box = geoms.at_nanan([geoms.BOW_TIE, "POLYGON ((5 40, 15 40, 15 60, 5 60, 5 40))"])
    assert shapely.area(bow) == pytest.approx(0.0, abs=1e-12)
    r = overlay(np.array([bow]), np.array([box]))
    assert r.repaired_patches.tolist() == [0]
    assert r.area == pytest.approx([200.0], rel=1e-3)
    assert r.patch_area == pytest.approx([5000.0], rel=1e-3)
    _assert_same(r, overlay_batches(np.array([bow]), [np.array([box])]))


def test_tree_can_be_reused_and_centre_given() -> None:
    patches = geoms.at_nanan([geoms.SQUARE, geoms.TRIANGLE, geoms.HOLED])
    tree = shapely.STRtree(GRID)
    _assert_same(overlay(patches, GRID), overlay(patches, GRID, tree=tree))
    here, moved = overlay(patches, GRID), overlay(patches, GRID, centre=(117.0, 24.0))
    # Another plane: the same areas but for straight edges bending differently, far below 0.01 m².
    np.testing.assert_array_equal(here.feature_index, moved.feature_index)
    np.testing.assert_allclose(here.area, moved.area, rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(here.patch_area, moved.patch_area, rtol=0, atol=1e-3)


# --- generated data ---------------------------------------------------------------------------


def _stars(rng: random.Random, n: int, span: float, r_min: float, r_max: float) -> list[shapely.Polygon]:
    """Random star-shaped (always valid) polygons in local metres within ``span``."""
    out = []
    for _ in range(n):
        cx, cy, radius, m = rng.uniform(0, span), rng.uniform(0, span), rng.uniform(r_min, r_max), 9
        pts = []
        for k in range(m):
            angle = (k + rng.uniform(-0.3, 0.3)) * 2 * np.pi / m
            rad = radius * rng.uniform(0.5, 1.2)
            pts.append((cx + rad * np.cos(angle), cy + rad * np.sin(angle)))
        out.append(shapely.Polygon(pts))
    return out


@pytest.fixture(scope="module")
def random_layer() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = random.Random(42)
    patches = geoms.at_nanan(_stars(rng, 60, 600, 5, 60))
    # Overlapping features (an approval layer, not a tiling) plus a few containing whole patches.
    features = geoms.at_nanan(_stars(rng, 150, 600, 10, 50) + _stars(rng, 5, 600, 150, 200))
    keys = np.array([rng.choice(["0101", "0103", "0702", "1006"]) for _ in range(len(features))])
    return patches, features, keys


def test_class_areas_match_geopandas_overlay(random_layer: tuple[np.ndarray, ...]) -> None:
    geopandas = pytest.importorskip("geopandas")
    patches, features, keys = random_layer
    centre = patch_centre(patches)
    ours = sum_by(overlay(patches, features), keys)
    left = geopandas.GeoDataFrame(
        {"pid": np.arange(len(patches))}, geometry=project_equal_area(patches, centre)
    )
    right = geopandas.GeoDataFrame({"key": keys}, geometry=project_equal_area(features, centre))
    theirs = geopandas.overlay(left, right, how="intersection")
    table = (
        theirs.assign(a=theirs.area)
        .groupby(["pid", "key"])["a"]
        .sum()
        .unstack(fill_value=0.0)
        .reindex(index=range(len(patches)), columns=ours.classes, fill_value=0.0)
        .to_numpy()
    )
    assert (table > 0).sum() > 50  # the data really overlaps
    np.testing.assert_allclose(ours.area, table, rtol=1e-6, atol=1e-6)


def test_parallel_is_identical_and_reports_progress(random_layer: tuple[np.ndarray, ...]) -> None:
    patches, features, _ = random_layer
    serial = overlay(patches, features)
    seen: list[tuple[int, int]] = []
    r = overlay_parallel(
        patches, features, workers=2, chunk_size=7, progress=lambda d, t: seen.append((d, t))
    )
    _assert_same(serial, r)
    assert [d for d, _ in seen] == [*range(7, len(patches), 7), len(patches)]
    assert {t for _, t in seen} == {len(patches)}
    _assert_same(serial, overlay_parallel(patches, features, workers=1, chunk_size=11))
    assert parallel_module._FEATURES is None  # globals are cleared after the pool


def test_batches_are_identical(random_layer: tuple[np.ndarray, ...]) -> None:
    patches, features, _ = random_layer
    empty = np.array([], dtype=object)
    batches = [features[:40], empty, features[40:41], features[41:]]
    _assert_same(overlay(patches, features), overlay_batches(patches, iter(batches)))


def test_skipping_contained_pairs_changes_nothing(random_layer: tuple[np.ndarray, ...]) -> None:
    patches, features, _ = random_layer
    a, b = overlay(patches, features), overlay(patches, features, skip_contained=False)
    np.testing.assert_array_equal(a.feature_index, b.feature_index)
    np.testing.assert_allclose(a.area, b.area, rtol=1e-9)


def test_sum_by_classes_order_and_unknown_keys() -> None:
    r = OverlayResult(
        np.array([0, 0, 2]), np.array([0, 1, 2]), np.array([1.0, 2.0, 4.0]), np.array([3.0, 1.0, 4.0])
    )
    keys = np.array(["b", "a", "c"])
    by = sum_by(r, keys, classes=["c", "b", "x"])
    assert by.classes.tolist() == ["c", "b", "x"]
    assert by.area.tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]
    assert by.column("a").tolist() == [0.0, 0.0, 0.0]
    assert sum_by(r, keys, classes=[]).area.shape == (3, 0)
    assert sum_by(r, np.array([7, 7, 9])).column(7).tolist() == [3.0, 0.0, 0.0]


# --- property: the parts of a patch over a tiling sum to the patch ----------------------------

CELL_DEG = 0.0005  # ~50 m at 25°N
GRID_DEG = np.array(
    [
        shapely.box(
            118.4 + i * CELL_DEG, 25.0 + j * CELL_DEG, 118.4 + (i + 1) * CELL_DEG, 25.0 + (j + 1) * CELL_DEG
        )
        for j in range(16)
        for i in range(16)
    ]
)


@st.composite
def star_in_grid(draw: st.DrawFn) -> shapely.Geometry:
    m = draw(st.integers(3, 14))
    cx = draw(st.floats(118.4 + 0.002, 118.4 + 0.006))
    cy = draw(st.floats(25.0 + 0.002, 25.0 + 0.006))
    radius = draw(st.floats(1e-6, 0.0019))
    radii = draw(st.lists(st.floats(0.05, 1.0), min_size=m, max_size=m))
    turn = draw(st.floats(0, 2 * np.pi))
    angles = turn + np.arange(m) * 2 * np.pi / m
    pts = np.column_stack(
        [cx + radius * np.array(radii) * np.cos(angles), cy + radius * np.array(radii) * np.sin(angles)]
    )
    return shapely.Polygon(pts)


@settings(max_examples=150, deadline=None)
@given(st.lists(star_in_grid(), min_size=1, max_size=4), st.booleans())
def test_parts_sum_to_the_patch_over_a_tiling(patches: list[shapely.Geometry], snap_to_grid: bool) -> None:
    arr = np.array(patches, dtype=object)
    if snap_to_grid:  # vertices on grid lines and shared edges: the degenerate cases
        arr = shapely.set_precision(arr, CELL_DEG / 4)
        arr = arr[~shapely.is_empty(arr)]
    r = overlay(arr, GRID_DEG)
    assert (r.area > 0).all()
    per_patch = np.bincount(r.patch_index, r.area, minlength=len(arr))
    np.testing.assert_allclose(per_patch, r.patch_area, rtol=0, atol=0.01)


# --- the module contract ------------------------------------------------------------------------


@pytest.mark.parametrize("module", [overlay_module, parallel_module])
def test_docstring_examples_run(module: object) -> None:
    failed, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)  # type: ignore[arg-type]
    assert tried > 0 and failed == 0


def test_core_imports_stay_light() -> None:
    code = (
        "import sys, weipian.analysis.overlay, weipian.analysis.overlay_parallel;"
        "bad = {'dask', 'distributed', 'sqlalchemy', 'pyogrio', 'typer', 'rich', 'geopandas',"
        " 'weipian.config'};"
        "print(sorted(bad & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
