"""The Green's-theorem area kernel: GEOS's areas where it answers, GEOS itself where it cannot."""

from __future__ import annotations

import doctest
import subprocess
import sys

import numpy as np
import pytest
import shapely
from shapely import affinity

from weipian.analysis import green as green_module
from weipian.analysis import overlay as overlay_module
from weipian.analysis.green import intersection_areas

ORIGIN = np.array([438_000.0, 2_756_000.0])  # metres, like a county in a national plane: big numbers
ROUNDING = 1e-9  # m²: GEOS's own rounding of areas at such coordinates is ~1e-10 m²


def _star(rng: np.random.Generator, centre: np.ndarray, radius: float, m: int = 12) -> shapely.Polygon:
    angles = (np.arange(m) + rng.uniform(-0.3, 0.3, m)) * (2 * np.pi / m)
    radii = radius * rng.uniform(0.6, 1.3, m)
    return shapely.Polygon(centre + np.c_[radii * np.cos(angles), radii * np.sin(angles)])


def _parcels(rng: np.random.Generator, n: int, side: float) -> np.ndarray:
    """Voronoi parcels (segmentized to 10 m); every third one with a hole, a shrunken copy of itself."""
    frame = shapely.box(*ORIGIN, *(ORIGIN + side))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(ORIGIN + rng.uniform(0, side, (n, 2))), extend_to=frame)
    )
    cells = shapely.segmentize(shapely.intersection(cells, frame), 10.0)
    out = []
    for i, cell in enumerate(cells):
        if i % 3 == 0:
            hole = affinity.scale(cell, 0.45, 0.45, origin=cell.centroid)  # cells are convex: inside
            cell = shapely.Polygon(cell.exterior, [hole.exterior])
        out.append(cell)
    parcels = np.array(out, dtype=object)
    assert shapely.is_valid(parcels).all()
    return parcels


def _geos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return shapely.area(shapely.intersection(a, b))  # type: ignore[no-any-return]


def _assert_exact(a: np.ndarray, b: np.ndarray, area: np.ndarray, ok: np.ndarray) -> None:
    ref = _geos(a[ok], b[ok])
    assert np.all(np.abs(area[ok] - ref) <= 1e-9 * ref + ROUNDING)
    assert np.isnan(area[~ok]).all()


def _pair(a: object, b: object) -> tuple[float, bool]:
    area, ok = intersection_areas(np.array([a], dtype=object), np.array([b], dtype=object))
    return float(area[0]), bool(ok[0])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_stars_and_holed_voronoi_parcels_match_geos(seed: int) -> None:
    rng = np.random.default_rng(seed)
    parcels = _parcels(rng, 400, 2_000.0)
    patches = np.array(
        [
            _star(rng, ORIGIN + rng.uniform(100, 1_900, 2), float(np.exp(rng.uniform(2, 5))))
            for _ in range(300)
        ],
        dtype=object,
    )
    pi, fi = shapely.STRtree(parcels).query(patches, predicate="intersects")
    a, b = patches[pi], parcels[fi]
    area, ok = intersection_areas(a, b)
    _assert_exact(a, b, area, ok)
    assert ok.mean() > 0.99  # random shapes are almost never degenerate
    assert (area[ok] > 0).sum() > 0.9 * ok.sum()  # and the test is not all zeros
    holed = np.array([len(g.interiors) > 0 for g in b])
    assert (ok & holed & (area > 0)).sum() > 50  # patches across holes' rings were measured


def test_random_stars_against_stars_match_geos() -> None:
    rng = np.random.default_rng(11)
    a = np.array([_star(rng, ORIGIN + rng.uniform(0, 50, 2), 30.0, m=40) for _ in range(500)], dtype=object)
    b = np.array([_star(rng, ORIGIN + rng.uniform(0, 50, 2), 30.0, m=7) for _ in range(500)], dtype=object)
    area, ok = intersection_areas(a, b)
    assert ok.all()
    _assert_exact(a, b, area, ok)


def test_orientation_of_the_rings_does_not_matter() -> None:
    rng = np.random.default_rng(5)
    parcels = _parcels(rng, 60, 500.0)
    patches = np.array([_star(rng, ORIGIN + rng.uniform(50, 450, 2), 40.0) for _ in range(60)], dtype=object)
    pi, fi = shapely.STRtree(parcels).query(patches, predicate="intersects")
    a, b = patches[pi], parcels[fi]
    ccw, ok1 = intersection_areas(shapely.orient_polygons(a), shapely.orient_polygons(b))
    cw, ok2 = intersection_areas(shapely.reverse(a), shapely.reverse(b))  # shells clockwise, holes not
    assert ok1.tolist() == ok2.tolist() and ok1.mean() > 0.95
    np.testing.assert_allclose(cw[ok1], ccw[ok1], rtol=1e-12, atol=ROUNDING)
    _assert_exact(a, b, ccw, ok1)


def test_holes_and_nesting() -> None:
    outer = shapely.Polygon(shapely.box(0, 0, 100, 100).exterior, [shapely.box(30, 30, 70, 70).exterior])
    outer = affinity.translate(outer, *ORIGIN)
    at = lambda g: affinity.translate(g, *ORIGIN)  # noqa: E731
    in_hole = at(shapely.Point(50, 50).buffer(10))
    assert _pair(in_hole, outer) == (0.0, True)  # inside the hole: nothing
    on_edge = at(shapely.Point(30, 50).buffer(10))  # vertices (30, 40) and (30, 60) on the hole's edge
    assert _pair(on_edge, outer)[1] is False
    across = at(shapely.Point(30.5, 50.25).buffer(10))  # over the hole's edge, no vertex on it
    area, ok = _pair(across, outer)
    assert ok and area == pytest.approx(shapely.intersection(across, outer).area, rel=1e-9, abs=ROUNDING)
    assert 0.4 * across.area < area < 0.5 * across.area
    inside = at(shapely.Point(15, 15).buffer(5))  # nested, both ways round
    assert _pair(inside, outer)[0] == pytest.approx(inside.area, rel=1e-9, abs=ROUNDING)
    assert _pair(outer, inside)[0] == pytest.approx(inside.area, rel=1e-9, abs=ROUNDING)
    around = at(shapely.box(-10, -10, 110, 110))  # the holed polygon inside a patch
    assert _pair(around, outer)[0] == pytest.approx(outer.area, rel=1e-9, abs=ROUNDING)


def test_multipart_polygons_sum_their_parts() -> None:
    rng = np.random.default_rng(3)
    two = shapely.MultiPolygon([_star(rng, ORIGIN, 20.0), _star(rng, ORIGIN + np.array([80.0, 0.0]), 20.0)])
    strip = affinity.translate(shapely.box(-30, -5, 110, 8), *ORIGIN)
    area, ok = _pair(two, strip)
    assert ok and area == pytest.approx(shapely.intersection(two, strip).area, rel=1e-9, abs=ROUNDING)
    area, ok = _pair(strip, two)
    assert ok and area == pytest.approx(shapely.intersection(two, strip).area, rel=1e-9, abs=ROUNDING)


def test_one_part_multipolygons_as_layers_deliver_them() -> None:
    # GeoPackages and shapefiles hold MultiPolygons of one part: read as one ring (or a shell and
    # its holes), mixed with Polygons and true multiparts in one call.
    rng = np.random.default_rng(5)
    parcels = _parcels(rng, 60, 400.0)  # every third has a hole
    wrapped = np.array([shapely.MultiPolygon([p]) for p in parcels], dtype=object)
    mixed = np.where(np.arange(len(parcels)) % 2 == 0, wrapped, parcels)
    two = shapely.MultiPolygon([parcels[1], parcels[40]])
    mixed[7] = two if not two.intersects(parcels[7]) else mixed[7]
    centres = shapely.get_coordinates(shapely.point_on_surface(parcels))
    stars = np.array([_star(rng, c, 40.0) for c in centres], dtype=object)
    for a, b in ((stars, mixed), (mixed, stars)):
        area, ok = intersection_areas(a, b)
        assert (ok & (area > 100)).sum() > len(parcels) // 2
        _assert_exact(a, b, area, ok)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("identical", shapely.box(0, 0, 10, 10)),
        ("shared edge, outside", shapely.box(10, 0, 20, 10)),
        ("shared edge, overlapping", shapely.box(5, 0, 20, 10)),
        ("part of an edge shared", shapely.box(3, 10, 6, 20)),
        ("touching at a corner", shapely.box(10, 10, 20, 20)),
        ("a vertex on an edge", shapely.Polygon([(10, 5), (15, 0), (15, 10)])),
        ("a vertex 1e-10 from an edge", shapely.Polygon([(5, 10 + 1e-10), (12, 15), (12, 5)])),
        ("a vertex inside, 1e-10 from an edge", shapely.Polygon([(5, 10 - 1e-10), (12, 15), (12, 5)])),
        ("filling the hole", shapely.box(3, 3, 6, 6)),
    ],
)
def test_degenerate_pairs_are_left_to_geos(name: str, other: shapely.Polygon) -> None:
    square = shapely.box(0, 0, 10, 10)
    if name == "filling the hole":
        square = shapely.Polygon(square.exterior, [shapely.box(3, 3, 6, 6).exterior])
    a, b = affinity.translate(square, *ORIGIN), affinity.translate(other, *ORIGIN)
    assert _pair(a, b)[1] is False, name
    assert _pair(b, a)[1] is False, name
    # and through the overlay's measuring step they get GEOS's figure
    area, refused = overlay_module._intersection_area(
        np.array([a], dtype=object), np.array([b], dtype=object)
    )
    assert area[0] == shapely.intersection(a, b).area and not refused[0]


def test_just_clear_of_the_tolerance_is_measured_exactly() -> None:
    square = affinity.translate(shapely.box(0, 0, 10, 10), *ORIGIN)
    for gap in (1e-4, -1e-4):  # a tenth of a millimetre outside or inside the square's edge
        tri = affinity.translate(shapely.Polygon([(5, 10 + gap), (12, 15), (12, 5)]), *ORIGIN)
        area, ok = _pair(square, tri)
        assert ok
        assert area == pytest.approx(shapely.intersection(square, tri).area, rel=1e-9, abs=ROUNDING)


def test_vertices_in_line_with_an_edge_beyond_its_end_are_no_degeneracy() -> None:
    # A grid-aligned patch: its corners lie on the lines of the square's edges, not on the edges.
    square = affinity.translate(shapely.box(0, 0, 10, 10), *ORIGIN)
    for other in (shapely.Polygon([(9, 5), (15, 0), (15, 10)]), shapely.box(5, 5, 15, 15 - 1e-3)):
        other = affinity.translate(other, *ORIGIN)
        for a, b in ((square, other), (other, square)):
            area, ok = _pair(a, b)
            assert ok and area == pytest.approx(shapely.intersection(a, b).area, rel=1e-9, abs=ROUNDING)


def test_what_is_not_a_valid_polygon_is_left_to_geos() -> None:
    square = shapely.box(0, 0, 10, 10)
    bow_tie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    others = [
        None,
        bow_tie,
        shapely.GeometryCollection([shapely.box(1, 1, 2, 2)]),
        shapely.LineString([(0, 0), (5, 5)]),
    ]
    a = np.array([square] * len(others), dtype=object)
    area, ok = intersection_areas(a, np.array(others, dtype=object))
    assert not ok.any() and np.isnan(area).all()
    # the overlay repairs the bow-tie as before: GEOS refuses it, the pair is flagged
    area, refused = overlay_module._intersection_area(a[1:2], np.array([bow_tie], dtype=object))
    assert refused[0] and area[0] == pytest.approx(50.0)


def test_empty_and_apart() -> None:
    square = shapely.box(0, 0, 10, 10)
    assert _pair(square, shapely.box(20, 20, 30, 30)) == (0.0, True)
    assert _pair(square, shapely.Polygon()) == (0.0, True)
    area, ok = intersection_areas(np.empty(0, dtype=object), np.empty(0, dtype=object))
    assert len(area) == len(ok) == 0


@pytest.mark.parametrize(("grid", "size"), [(6, 1.0), (10, 1.0), (20, 0.5), (8, 10.0)])
def test_polygons_snapped_to_a_coarse_grid_are_exact_or_left_to_geos(grid: int, size: float) -> None:
    # Vertices on a few grid points: shared vertices, collinear and overlapping edges, touching
    # everywhere. Whatever the kernel does not flag must be GEOS's figure.
    rng = np.random.default_rng(grid)

    def shape() -> object:
        pts = ORIGIN + size * rng.integers(0, grid, (int(rng.integers(3, 9)), 2))
        return shapely.make_valid(shapely.Polygon(pts), method="structure", keep_collapsed=False)

    a = np.array([shape() for _ in range(1500)], dtype=object)
    b = np.array([shape() for _ in range(1500)], dtype=object)
    polygonal = np.isin(shapely.get_type_id(a), (3, 6)) & np.isin(shapely.get_type_id(b), (3, 6))
    a, b = a[polygonal], b[polygonal]
    area, ok = intersection_areas(a, b)
    _assert_exact(a, b, area, ok)
    assert 0.2 < ok.mean() < 0.9  # many flagged, many measured
    assert (area[ok] > 0).sum() > 100


def test_docstring_example_runs() -> None:
    failed, tried = doctest.testmod(green_module)  # type: ignore[arg-type]
    assert tried > 0 and failed == 0


def test_numba_is_imported_only_when_the_kernel_first_runs() -> None:
    # Every CLI command imports the overlay; importing numba would cost each of them.
    code = (
        "import sys, numpy as np, shapely, weipian.analysis.overlay as o;"
        "before = 'numba' in sys.modules;"
        "o.overlay(np.array([shapely.box(118.4, 24.9, 118.401, 24.901)]),"
        "          np.array([shapely.box(118.4005, 24.9, 118.402, 24.901)]));"
        "print(before, 'numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
