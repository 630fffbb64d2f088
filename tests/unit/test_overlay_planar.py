"""The planar-layer engine (`overlay_planar`) against the one it replaces (`overlay`).

The layer is kept projected into its own equal-area plane and patches are projected into it, where
`overlay` projected both into a plane centred on the patches: the figures must stay the same to
1e-6 relative (they agree to ~1e-12), on parcels with holes and patches crossing many parcels.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity

from weipian.analysis import overlay as overlay_module
from weipian.analysis.area import ellipsoidal_area
from weipian.analysis.overlay import PlanarLayer, overlay, overlay_planar, sum_by

LON0, LAT0 = 118.4, 24.9
M_LON, M_LAT = 111_320.0 * np.cos(np.radians(LAT0)), 110_574.0


def _lonlat(geoms: np.ndarray) -> np.ndarray:
    xy = shapely.get_coordinates(geoms)
    return shapely.set_coordinates(geoms, np.column_stack([LON0 + xy[:, 0] / M_LON, LAT0 + xy[:, 1] / M_LAT]))  # type: ignore[no-any-return]


def _stars(rng: np.random.Generator, n: int, side: float, r: tuple[float, float], m: int = 11) -> np.ndarray:
    centres = rng.uniform(0, side, (n, 2))
    radius = rng.uniform(*r, n)[:, None] * rng.uniform(0.5, 1.2, (n, m))
    angles = (np.arange(m) + rng.uniform(-0.3, 0.3, (n, m))) * 2 * np.pi / m
    ring = centres[:, None, :] + np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=-1)
    return shapely.polygons(np.concatenate([ring, ring[:, :1]], axis=1))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def county() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Voronoi parcels (some with an island parcel in a hole) and patches of every kind, lon/lat."""
    rng = np.random.default_rng(15)
    side = 1_500.0
    frame = shapely.box(0, 0, side, side)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(rng.uniform(0, side, (300, 2))), extend_to=frame)
    )
    cells = shapely.intersection(cells, frame)
    # Islands: a pond inside a parcel is a parcel of its own and a hole in its host.
    hosts = rng.choice(len(cells), 30, replace=False)
    islands = shapely.buffer(shapely.centroid(cells[hosts]), 12.0, quad_segs=4)
    cells[hosts] = shapely.difference(cells[hosts], islands)
    parcels = shapely.segmentize(np.concatenate([cells, islands]), 10.0)
    big = _stars(rng, 15, side, (150, 300))  # each crosses many parcels
    small = _stars(rng, 150, side, (5, 40))
    holed = shapely.difference(_stars(rng, 15, side, (60, 120)), _stars(rng, 15, side, (20, 40)))
    multi = shapely.multipolygons(
        [
            [a, b]
            for a, b in zip(_stars(rng, 10, side, (10, 20)), _stars(rng, 10, side, (10, 20)), strict=True)
        ]
    )
    multi = shapely.make_valid(multi, method="structure", keep_collapsed=False)
    patches = np.concatenate([big, small, holed, multi, shapely.buffer(shapely.centroid(islands[:5]), 30.0)])
    patches = patches[~shapely.is_empty(patches)]
    codes = rng.choice(["0101", "0103", "0301", "0702", "1101"], len(parcels))
    assert shapely.is_valid(parcels).all() and shapely.is_valid(patches).all()
    assert (shapely.get_num_interior_rings(parcels) > 0).sum() >= 25
    return _lonlat(patches), _lonlat(parcels), codes


def test_same_figures_as_the_engine_it_replaces(county: tuple[np.ndarray, ...]) -> None:
    patches, parcels, codes = county
    old = overlay(patches, parcels)  # today's: the plane centred on the patches
    new = overlay_planar(patches, PlanarLayer.from_lonlat(parcels))  # the layer's own plane
    np.testing.assert_allclose(new.patch_area, old.patch_area, rtol=1e-6)
    np.testing.assert_array_equal(new.patch_index, old.patch_index)
    np.testing.assert_array_equal(new.feature_index, old.feature_index)
    np.testing.assert_allclose(new.area, old.area, rtol=1e-6)
    # Where the layer tiles a patch, one pair is subtracted, not intersected: same rows, figures.
    sealed = overlay_planar(patches, PlanarLayer.from_lonlat(parcels, seal=True), threads=2)
    np.testing.assert_array_equal(sealed.feature_index, old.feature_index)
    np.testing.assert_allclose(sealed.area, old.area, rtol=1e-6)
    # Per class, and patches crossing many parcels really occur.
    np.testing.assert_allclose(sum_by(new, codes).area, sum_by(old, codes).area, rtol=1e-6, atol=1e-9)
    assert np.bincount(new.patch_index).max() > 20
    holed_hits = shapely.get_num_interior_rings(parcels[new.feature_index]) > 0
    assert holed_hits.sum() > 10
    # Parts sum to the whole: the layer tiles the square, and no square metre counts twice.
    inside = shapely.covered_by(patches, shapely.box(*shapely.total_bounds(parcels)))
    per_patch = np.bincount(new.patch_index, new.area, minlength=len(patches))
    np.testing.assert_allclose(per_patch[inside], new.patch_area[inside], rtol=1e-9)


@pytest.mark.parametrize("skip", [True, False])
def test_threads_and_chunks_give_identical_figures(
    county: tuple[np.ndarray, ...], monkeypatch: pytest.MonkeyPatch, skip: bool
) -> None:
    patches, parcels, _ = county
    layer = PlanarLayer.from_lonlat(parcels)
    one = overlay_planar(patches, layer, skip_contained=skip)
    monkeypatch.setattr(overlay_module, "_PATCH_CHUNK", 17)
    many = overlay_planar(patches, layer, threads=3, skip_contained=skip)
    for name in ("patch_index", "feature_index", "area", "patch_area", "repaired_patches"):
        np.testing.assert_array_equal(getattr(many, name), getattr(one, name))


def test_contained_pairs_take_the_whole_area(county: tuple[np.ndarray, ...]) -> None:
    patches, parcels, _ = county
    layer = PlanarLayer.from_lonlat(parcels)
    on, off = overlay_planar(patches, layer), overlay_planar(patches, layer, skip_contained=False)
    np.testing.assert_array_equal(on.feature_index, off.feature_index)
    np.testing.assert_allclose(on.area, off.area, rtol=1e-9)


def test_layer_from_a_stored_planar_copy_and_empty_inputs(county: tuple[np.ndarray, ...]) -> None:
    patches, parcels, _ = county
    layer = PlanarLayer.from_lonlat(parcels)
    again = PlanarLayer.from_planar(shapely.from_wkb(shapely.to_wkb(layer.geoms)), layer.centre)
    a, b = overlay_planar(patches, layer), overlay_planar(patches, again)
    np.testing.assert_array_equal(a.area, b.area)
    none = np.zeros(0, dtype=object)
    assert len(overlay_planar(none, layer)) == 0
    empty = overlay_planar(patches[:3], PlanarLayer.from_lonlat(none, layer.centre))
    assert len(empty) == 0 and empty.n_patches == 3


def test_an_invalid_patch_is_repaired_and_flagged(county: tuple[np.ndarray, ...]) -> None:
    _, parcels, _ = county
    bow = shapely.Polygon([(0, 0), (200, 200), (200, 0), (0, 200)])  # self-intersecting
    patches = _lonlat(np.array([shapely.box(300, 300, 400, 400), shapely.affinity.translate(bow, 500, 500)]))
    r = overlay_planar(patches, PlanarLayer.from_lonlat(parcels))
    assert r.repaired_patches.tolist() == [1]
    repaired = shapely.make_valid(patches[1:], method="structure", keep_collapsed=False)
    assert np.bincount(r.patch_index, r.area)[1] == pytest.approx(ellipsoidal_area(repaired)[0], rel=1e-9)
