"""Area layers of the demo county: townships, 生态保护红线, 自然保护地, 城镇开发边界, 军事用地, 江河沿岸.

They are unions of small Voronoi cells (about 250 m) chosen by the world's fields and bent by the
world's warp, so their boundaries wander like surveyed ones. Townships take every cell, each to its nearest seat (with a
noisy distance), and so tile the county.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.demo.grid import F64, ValueNoise
from weipian.demo.world import DEV_CENTRES, RIVER_WIDTH, World
from weipian.domain.layers import LayerKind
from weipian.domain.townships import townships

ZONE_CELL = 250.0
# 江河沿岸: each river's channel and a strip along both banks (the work plan names no width; 500 m
# is the demo's choice). Names follow the order of world.RIVERS.
RIVER_NAMES = ("西溪", "东溪", "晋江")
RIVERSIDE_REACH = 500.0


@dataclass(frozen=True)
class Layer:
    """A layer ready to write: geometries in the local plane and attribute columns."""

    name: str  # layer name inside the file
    geoms: NDArray[np.object_]
    columns: Mapping[str, Sequence[object]] = field(default_factory=dict)
    area_field: str | None = None  # filled with ellipsoidal m² when written


@dataclass(frozen=True)
class ZoneCells:
    """Small cells tiling the county's surroundings, with their centres."""

    polys: NDArray[np.object_]
    x: F64  # centroids
    y: F64
    frame_x: F64  # the unwarped generating points, for assignments that the warp should bend
    frame_y: F64


def zone_cells(world: World, rng: np.random.Generator) -> ZoneCells:
    """Voronoi cells of a jittered lattice of points near the county, warped like everything else."""
    minx, miny, maxx, maxy = world.county.bounds
    pad = 2000.0
    gx, gy = np.meshgrid(
        np.arange(minx - pad, maxx + pad, ZONE_CELL), np.arange(miny - pad, maxy + pad, ZONE_CELL)
    )
    x = gx.ravel() + rng.uniform(-0.45, 0.45, gx.size) * ZONE_CELL
    y = gy.ravel() + rng.uniform(-0.45, 0.45, gy.size) * ZONE_CELL
    reach = shapely.buffer(world.county, pad)
    shapely.prepare(reach)
    near = shapely.contains_xy(reach, x, y)
    x, y = x[near], y[near]
    envelope = shapely.box(minx - 2 * pad, miny - 2 * pad, maxx + 2 * pad, maxy + 2 * pad)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(np.column_stack([x, y])), extend_to=envelope, ordered=True
        )
    )
    # Neighbouring cells share vertex coordinates exactly, so warped cells still tile.
    warped = shapely.transform(cells, lambda c: np.column_stack(world.warp(c[:, 0], c[:, 1])))
    centre = shapely.get_coordinates(shapely.centroid(warped))
    return ZoneCells(warped, centre[:, 0], centre[:, 1], x, y)


def township_layer(world: World, cells: ZoneCells, rng: np.random.Generator) -> Layer:
    """27 townships tiling the county, XZQDM/XZQMC from the official list."""
    units = townships()
    bounds = world.county.bounds
    score = np.empty((len(units), len(cells.polys)))
    for k, (sx, sy) in enumerate(world.seats):
        wobble = ValueNoise.make(rng, bounds, 4500.0)(cells.frame_x, cells.frame_y)
        score[k] = np.hypot(cells.frame_x - sx, cells.frame_y - sy) + 1600.0 * wobble
    owner = score.argmin(axis=0)
    geoms = []
    for k in range(len(units)):
        merged = shapely.coverage_union_all(cells.polys[owner == k])
        geoms.append(_multi(shapely.intersection(merged, world.county)))
    if any(shapely.is_empty(g) for g in geoms):  # pragma: no cover - seats are kept well inside
        raise RuntimeError("a township received no land")
    return Layer("XZQ", np.array(geoms), {"XZQDM": [t.code for t in units], "XZQMC": [t.name for t in units]})


def locate(towns: Layer, x: F64, y: F64) -> NDArray[np.int64]:
    """Index of the township containing each point (the nearest one for points outside)."""
    tree = shapely.STRtree(towns.geoms)
    points = shapely.points(x, y)
    out = np.full(len(points), -1, dtype=np.int64)
    pt, poly = tree.query(points, predicate="within")
    out[pt] = poly
    missing = np.flatnonzero(out < 0)
    if len(missing):
        pt, poly = tree.query_nearest(points[missing], all_matches=False)
        out[missing[pt]] = poly
    return out


def control_layers(
    world: World, cells: ZoneCells, towns: Layer, rng: np.random.Generator
) -> dict[LayerKind, Layer]:
    """生态保护红线, 自然保护地, 城镇开发边界 and the military compound."""
    elev = world.elevation(cells.x, cells.y)
    names = np.array([t.name for t in townships()])
    # Small-scale noise breaks the high ground into several red-line areas, as surveys do.
    ridge = elev + 0.5 * ValueNoise.make(rng, world.county.bounds, 2500.0)(cells.x, cells.y)
    in_eco = ridge >= np.quantile(ridge, 0.88)
    eco = _regions(world, cells, in_eco, min_area=3e6, keep=6)
    eco_type = rng.choice(["水源涵养", "生物多样性维护", "水土保持"], len(eco))
    eco_town = names[_where(towns, eco)]
    protected = _regions(world, cells, in_eco & (elev >= np.quantile(elev, 0.95)), min_area=0.3e6, keep=3)
    kinds = rng.choice(["森林公园", "自然保护区", "风景名胜区"], len(protected))
    pa_town = [_short(n) for n in names[_where(towns, protected)]]
    dev_mask = np.isin(names, DEV_CENTRES)
    dev = _regions(world, cells, world.urban(cells.x, cells.y, only=dev_mask) >= 0.3, min_area=0.3e6, keep=6)
    dev_town = names[_where(towns, dev)]
    return {
        LayerKind.eco_redline: Layer(
            "STBHHX", eco,
            {"BSM": _ids(eco), "HXMC": [f"{_short(t)}{k}生态保护红线" for t, k in zip(eco_town, eco_type, strict=True)],
             "HXLX": list(eco_type)},
            "MJ",
        ),
        LayerKind.protected_area: Layer(
            "ZRBHD", protected,
            {"BSM": _ids(protected), "BHDMC": [f"{t}{k}（模拟）" for t, k in zip(pa_town, kinds, strict=True)],
             "BHDLX": list(kinds), "JB": ["省级" if k == 0 else "县级" for k in range(len(protected))]},
            "MJ",
        ),
        LayerKind.dev_boundary: Layer(
            "CZKFBJ", dev,
            {"BSM": _ids(dev), "MC": ["水头镇区" if t == "水头镇" else "中心城区" for t in dev_town]},
            "MJ",
        ),
        LayerKind.military: Layer("JSYD", np.array([_multi(world.military)]), {"NAME": ["某部营区"]}),
    }  # fmt: skip


def riverside_layer(world: World) -> Layer:
    """江河沿岸: one area per river, clipped to the county."""
    lines = shapely.get_parts(world.rivers)
    strips = shapely.intersection(shapely.buffer(lines, RIVER_WIDTH / 2 + RIVERSIDE_REACH), world.county)
    return Layer(
        "JHYA", np.array([_multi(g) for g in strips]),
        {"BSM": _ids(strips), "HLMC": list(RIVER_NAMES[: len(strips)]),
         "HXKD": [RIVERSIDE_REACH] * len(strips)},
        "MJ",
    )  # fmt: skip


def _regions(
    world: World, cells: ZoneCells, chosen: NDArray[np.bool_], *, min_area: float, keep: int
) -> NDArray[np.object_]:
    """The largest connected pieces of the chosen cells inside the county (at least one)."""
    merged = shapely.intersection(shapely.coverage_union_all(cells.polys[chosen]), world.county)
    parts = shapely.get_parts(merged)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    parts = parts[np.argsort(-shapely.area(parts), kind="stable")]
    big = parts[shapely.area(parts) >= min_area][:keep]
    chosen_parts = big if len(big) else parts[:1]
    return np.array([_multi(p) for p in chosen_parts], dtype=object)


def _where(towns: Layer, geoms: NDArray[np.object_]) -> NDArray[np.int64]:
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    return locate(towns, xy[:, 0], xy[:, 1])


def _short(name: str) -> str:
    return name.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _ids(geoms: NDArray[np.object_]) -> list[int]:
    return list(range(1, len(geoms) + 1))


def _multi(geom: shapely.Geometry) -> shapely.MultiPolygon:
    parts = shapely.get_parts(geom)
    return shapely.MultiPolygon(list(parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]))
