"""三调 land-class parcels (DLTB) that tile the demo county, generated and written in chunks.

A noisy grid is laid over the county; cells well inside are kept whole, cells on the edge are
clipped, and enough random inside cells are cut in two to reach the requested count exactly.
Land classes follow the world's zones, with a per-parcel draw for the small features (ditches,
farm roads, greenhouses) that real surveys sprinkle through the fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import ellipsoidal_area
from weipian.demo.grid import F64, I64, NoisyGrid, make_grid
from weipian.demo.world import World, Zone

CHUNK = 100_000  # parcels generated and written at a time

DLMC = {
    "0101": "水田", "0102": "水浇地", "0103": "旱地", "0201": "果园", "0202": "茶园", "0204": "其他园地",
    "0301": "乔木林地", "0305": "灌木林地", "0307": "其他林地", "0404": "其他草地",
    "05H1": "商业服务业设施用地", "0601": "工业用地", "0602": "采矿用地", "0701": "城镇住宅用地",
    "0702": "农村宅基地", "0809": "公用设施用地", "0810": "公园与绿地", "08H2": "科教文卫用地", "09": "特殊用地",
    "1003": "公路用地", "1004": "城镇村道路用地", "1006": "农村道路", "1101": "河流水面", "1104": "坑塘水面",
    "1107": "沟渠", "1201": "空闲地", "1202": "设施农用地", "1206": "裸土地", "1207": "裸岩石砾地",
}  # fmt: skip
FARMLAND = ("0101", "0102", "0103")

# Land-class mix of each zone: (DLBM, weight).
MIX: dict[Zone, tuple[tuple[str, float], ...]] = {
    Zone.military: (("09", 1.0),),
    Zone.mine: (("0602", 0.85), ("1206", 0.1), ("1207", 0.05)),
    Zone.water: (("1101", 1.0),),
    Zone.road: (("1003", 1.0),),
    Zone.urban: (
        ("0701", 0.42), ("0601", 0.15), ("05H1", 0.1), ("08H2", 0.06), ("1004", 0.12), ("0810", 0.04),
        ("0809", 0.03), ("1201", 0.03), ("0101", 0.05),
    ),
    Zone.hill: (
        ("0301", 0.62), ("0305", 0.1), ("0307", 0.06), ("0404", 0.08), ("0202", 0.07), ("0103", 0.03),
        ("1006", 0.02), ("1206", 0.01), ("1207", 0.01),
    ),
    Zone.village: (
        ("0702", 0.6), ("1004", 0.08), ("0601", 0.08), ("08H2", 0.03), ("1201", 0.03), ("0101", 0.12),
        ("0103", 0.04), ("1202", 0.02),
    ),
    Zone.mid: (
        ("0201", 0.22), ("0301", 0.22), ("0103", 0.2), ("0101", 0.16), ("0204", 0.05), ("0702", 0.05),
        ("1006", 0.05), ("1104", 0.02), ("0404", 0.03),
    ),
    Zone.farm: (
        ("0101", 0.56), ("0102", 0.08), ("0103", 0.14), ("1006", 0.05), ("1202", 0.03), ("1104", 0.04),
        ("1107", 0.02), ("0201", 0.04), ("0702", 0.02), ("0301", 0.02),
    ),
}  # fmt: skip
_CUMULATIVE = {
    z: (np.array([c for c, _ in mix]), np.cumsum([w for _, w in mix]) / sum(w for _, w in mix))
    for z, mix in MIX.items()
}
SETTLEMENT_CODE = {Zone.military: "205", Zone.mine: "204", Zone.village: "203"}  # urban: 201/202 by town
HOMESTEAD = "0702"


@dataclass(frozen=True)
class ParcelPlan:
    """Which grid cells become parcels: whole, split in two, or clipped at the county edge."""

    grid: NoisyGrid
    keep: I64  # sorted cell ids with at least one parcel
    split: NDArray[np.bool_]  # aligned with keep
    split_coef: F64  # aligned with keep
    edge_cell: I64  # cell id of each clipped part, sorted
    edge_parts: NDArray[np.object_]  # clipped parts (local plane)
    cell: float


@dataclass(frozen=True)
class ParcelChunk:
    """One chunk of parcels, ready to write."""

    geoms: NDArray[np.object_]  # EPSG:4490
    dlbm: NDArray[np.str_]
    czcsxm: NDArray[np.str_]
    area: F64
    basic_farmland: NDArray[np.bool_]
    stable_farmland: NDArray[np.bool_]  # 可以长期稳定利用耕地


def plan_parcels(world: World, rng: np.random.Generator, parcels: int) -> ParcelPlan:
    """Find a cell size whose grid gives at most ``parcels`` pieces, then split cells to match exactly."""
    cell = float(np.sqrt(world.county.area / (0.8 * parcels)))
    angle = float(rng.uniform(np.radians(10), np.radians(35)))
    for _ in range(20):
        grid = _grid(world, rng, cell, angle)
        inside, edge_cell, edge_parts = _cover(world, grid, cell)
        pieces = len(inside) + len(edge_parts)
        if pieces <= parcels <= pieces + len(inside):
            break
        cell *= float(np.sqrt(pieces / (0.8 * parcels)))
    else:  # pragma: no cover - only for absurd sizes
        raise ValueError(f"cannot tile the county with {parcels} parcels")
    keep = np.union1d(inside, edge_cell)
    chosen = rng.choice(inside, parcels - pieces, replace=False)
    split = np.isin(keep, chosen)
    coef = rng.uniform(-0.03, 0.03, len(keep)) * cell
    return ParcelPlan(grid, keep, split, coef, edge_cell, edge_parts, cell)


def _grid(world: World, rng: np.random.Generator, cell: float, angle: float) -> NoisyGrid:
    c, s = np.cos(angle), np.sin(angle)
    xy = shapely.get_coordinates(world.county)
    fx, fy = c * xy[:, 0] + s * xy[:, 1], -s * xy[:, 0] + c * xy[:, 1]  # plane → frame
    pad = world.warp.max_shift + 3 * cell
    return make_grid(
        rng, (fx.min() - pad, fy.min() - pad, fx.max() + pad, fy.max() + pad), cell, angle, world.warp
    )


def _cover(world: World, grid: NoisyGrid, cell: float) -> tuple[I64, I64, NDArray[np.object_]]:
    """Cells surely inside the county, and the clipped parts of those near its edge."""
    margin = 5.0 * cell  # more than a warped cell's diameter
    core, reach = shapely.buffer(world.county, -margin), shapely.buffer(world.county, margin)
    shapely.prepare(core)
    shapely.prepare(reach)
    ids = np.arange(grid.size, dtype=np.int64)
    x, y = grid.corners(ids)
    sure = shapely.contains_xy(core, x, y)
    near = ids[~sure & shapely.contains_xy(reach, x, y)]
    polys = shapely.polygons(grid.rings(near))
    whole = shapely.contains_properly(world.county, polys)
    crossing = ~whole & shapely.intersects(world.county, polys)
    clipped = shapely.intersection(polys[crossing], world.county)
    parts, index = shapely.get_parts(clipped, return_index=True)
    good = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & (shapely.area(parts) > 0)
    inside = np.sort(np.concatenate([ids[sure], near[whole]]))
    return inside, near[crossing][index[good]], parts[good]


def parcel_chunks(
    world: World, plan: ParcelPlan, rng: np.random.Generator, chunks: int
) -> Iterator[ParcelChunk]:
    """The parcels in ``chunks`` pieces, in cell order."""
    for part in np.array_split(np.arange(len(plan.keep)), chunks):
        geoms = _chunk_geoms(plan, part)
        yield _classify(world, plan, rng, geoms)


def _chunk_geoms(plan: ParcelPlan, part: I64) -> NDArray[np.object_]:
    ids, split, coef = plan.keep[part], plan.split[part], plan.split_coef[part]
    is_edge = np.isin(ids, plan.edge_cell)
    whole = ids[~is_edge & ~split]
    halves = ids[split]
    west, east = plan.grid.split_rings(halves, coef[split])
    lo, hi = np.searchsorted(plan.edge_cell, [ids[0], ids[-1] + 1]) if len(ids) else (0, 0)
    keys = np.concatenate([whole, halves, halves, plan.edge_cell[lo:hi]])
    sub = np.concatenate([np.zeros(len(whole) + len(halves)), np.ones(len(halves)), np.arange(hi - lo)])
    geoms = np.concatenate(
        [
            shapely.polygons(plan.grid.rings(whole)),
            shapely.polygons(west),
            shapely.polygons(east),
            plan.edge_parts[lo:hi],
        ]
    )
    return geoms[np.lexsort((sub, keys))]  # type: ignore[no-any-return]


def _classify(
    world: World, plan: ParcelPlan, rng: np.random.Generator, local: NDArray[np.object_]
) -> ParcelChunk:
    centre = shapely.get_coordinates(shapely.point_on_surface(local))
    x, y = centre[:, 0], centre[:, 1]
    zone = world.zones(x, y, line_width=0.8 * plan.cell)
    draw = rng.random(len(local))
    dlbm = np.empty(len(local), dtype="<U4")
    for z, (codes, cum) in _CUMULATIVE.items():
        mask = zone == z
        dlbm[mask] = codes[np.minimum(np.searchsorted(cum, draw[mask], side="right"), len(codes) - 1)]
    czcsxm = _settlement_codes(world, x, y, zone, dlbm)
    farmland = np.isin(dlbm, FARMLAND) & np.isin(zone, [Zone.farm, Zone.mid])
    protected = farmland & (world.farmland(x, y) >= world.cuts["farmland"])
    # 可以长期稳定利用耕地: the 耕地 outside 永久基本农田 on the plains, slopes and around villages
    # (not in the hills or in town), as the surveys delimit it.
    stable = np.isin(dlbm, FARMLAND) & ~protected & np.isin(zone, [Zone.farm, Zone.mid, Zone.village])
    geoms = world.to_4490(local)
    return ParcelChunk(geoms, dlbm, czcsxm, np.round(ellipsoidal_area(geoms), 2), protected, stable)


def _settlement_codes(
    world: World, x: F64, y: F64, zone: NDArray[np.int8], dlbm: NDArray[np.str_]
) -> NDArray[np.str_]:
    """CZCSXM: 201 city, 202 town, 203 village (also lone homesteads), 204 mines, 205 special."""
    out = np.full(len(zone), "", dtype="<U3")
    for z, code in SETTLEMENT_CODE.items():
        out[zone == z] = code
    out[(dlbm == HOMESTEAD) & (out == "")] = "203"
    urban = zone == Zone.urban
    seat, _ = world.nearest_seat(x[urban], y[urban])
    out[urban] = np.where(world.seat_city[seat], "201", "202")
    return out
