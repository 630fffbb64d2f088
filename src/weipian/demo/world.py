"""The synthetic county behind the demo: outline, town seats, terrain fields, rivers, roads, mines.

Everything is built in a local metric plane: EPSG:4527 (3° Gauss–Krüger zone 39) shifted so that
118.40°E 25.00°N is the origin. Land classes and patch placement both read the same smooth fields
(``zones``), so patches, parcels and reference layers agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import to_crs
from weipian.demo.grid import F64, ValueNoise, Warp
from weipian.domain.townships import townships

CENTRE_LONLAT = (118.40, 25.00)
COUNTY_AREA_M2 = 2.03e9  # Nan'an: 203 099.83 ha of land (DOMAIN.md §10)
PLANE_EPSG = 4527
LOCAL_EXTENT = (
    -29_000.0,
    -32_500.0,
    29_000.0,
    32_500.0,
)  # keeps the county inside 118.1–118.7°E, 24.7–25.3°N

# Approximate town seats (lon, lat); only their layout matters, it is fitted into the outline.
SEATS: dict[str, tuple[float, float]] = {
    "溪美街道": (118.385, 24.965), "柳城街道": (118.405, 24.950), "美林街道": (118.360, 24.945),
    "省新镇": (118.340, 24.985), "仑苍镇": (118.320, 25.040), "东田镇": (118.290, 25.080),
    "英都镇": (118.250, 25.020), "翔云镇": (118.220, 25.140), "金淘镇": (118.290, 25.170),
    "诗山镇": (118.350, 25.130), "蓬华镇": (118.330, 25.260), "码头镇": (118.390, 25.110),
    "九都镇": (118.430, 25.190), "乐峰镇": (118.440, 25.080), "罗东镇": (118.470, 25.040),
    "梅山镇": (118.410, 25.040), "洪濑镇": (118.480, 25.000), "洪梅镇": (118.520, 25.050),
    "康美镇": (118.470, 24.960), "丰州镇": (118.500, 24.930), "霞美镇": (118.440, 24.930),
    "官桥镇": (118.330, 24.830), "水头镇": (118.420, 24.720), "石井镇": (118.410, 24.650),
    "眉山乡": (118.230, 25.070), "向阳乡": (118.200, 25.180), "雪峰华侨经济开发区": (118.380, 25.000),
}  # fmt: skip
CITY = ("溪美街道", "柳城街道", "美林街道", "雪峰华侨经济开发区")  # CZCSXM 201 城市
URBAN_RADIUS = {
    "溪美街道": 2200.0,
    "柳城街道": 2200.0,
    "美林街道": 2200.0,
    "雪峰华侨经济开发区": 1600.0,
    "水头镇": 2600.0,
}
LARGER_TOWNS = (
    "官桥镇",
    "洪濑镇",
    "石井镇",
    "康美镇",
    "丰州镇",
    "霞美镇",
    "仑苍镇",
    "省新镇",
    "英都镇",
    "码头镇",
    "诗山镇",
)
DEV_CENTRES = ("溪美街道", "柳城街道", "美林街道", "雪峰华侨经济开发区", "水头镇")

# Rivers (西溪, 东溪, 晋江) and highways as polylines in outline-relative units (x/Rx, y/Ry).
RIVERS = (
    ((-1.1, 0.25), (-0.6, 0.15), (-0.3, 0.05), (0.0, -0.02), (0.35, -0.15)),
    ((0.15, 1.1), (0.2, 0.6), (0.35, 0.3), (0.45, 0.1), (0.35, -0.15)),
    ((0.35, -0.15), (0.7, -0.25), (1.1, -0.3)),
)
ROADS = (
    ((-1.1, -0.55), (-0.3, -0.62), (0.3, -0.6), (1.1, -0.5)),
    ((0.05, -1.1), (0.0, -0.3), (0.02, 0.3), (0.1, 1.1)),
    ((-1.1, 0.4), (-0.4, 0.15), (0.0, 0.0), (1.1, 0.05)),
)
RIVER_WIDTH = 120.0
ROAD_WIDTH = 40.0


class Zone(IntEnum):
    """Landscape zone of a point; decides land-class mix, patch density and change types."""

    military = 0
    mine = 1
    water = 2
    road = 3
    urban = 4
    hill = 5
    village = 6
    mid = 7
    farm = 8


@dataclass(frozen=True)
class World:
    """The county's shape and fields in the local plane (metres)."""

    origin: tuple[float, float]  # EPSG:4527 coordinates of the local origin
    county: shapely.Polygon
    radii: tuple[float, float]
    warp: Warp
    seats: F64  # (27, 2), in townships() order
    seat_radius: F64
    seat_city: NDArray[np.bool_]
    terrain: tuple[ValueNoise, ValueNoise, ValueNoise]
    blob: ValueNoise  # roughens urban blobs
    village: ValueNoise
    farmland: ValueNoise  # where farmland is protected as 永久基本农田
    cuts: dict[str, float]  # field thresholds from a sample of the county
    rivers: shapely.MultiLineString
    roads: shapely.MultiLineString
    mines: F64  # (n, 2) centres; the first ``len(licences)`` have a licence
    mine_radius: F64
    licences: NDArray[np.object_]  # licensed mining areas (采矿权范围)
    military: shapely.Polygon

    def to_4527(self, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
        ox, oy = self.origin
        return shapely.transform(geoms, lambda c: c + np.array([ox, oy]))  # type: ignore[no-any-return]

    def to_4490(self, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
        return to_crs(self.to_4527(geoms), f"EPSG:{PLANE_EPSG}", "EPSG:4490")

    def elevation(self, x: F64, y: F64, urban: F64 | None = None) -> F64:
        """Relative height (no unit); towns sit in the lowlands."""
        rx, ry = self.radii
        n1, n2, n3 = self.terrain
        slope = 0.45 * y / ry - 0.3 * x / rx  # hills to the north and west, plains to the south-east
        urban = self.urban(x, y) if urban is None else urban
        return slope + 0.7 * n1(x, y) + 0.35 * n2(x, y) + 0.15 * n3(x, y) - 0.8 * urban  # type: ignore[no-any-return]

    def urban(self, x: F64, y: F64, only: NDArray[np.bool_] | None = None) -> F64:
        """Built-up intensity in [0, 1] around town seats (``only``: a subset of seats)."""
        return self.nearest_seat(x, y, only)[1]

    def nearest_seat(
        self, x: F64, y: F64, only: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.int64], F64]:
        """The seat whose built-up blob dominates each point, and that blob's intensity."""
        stretch = 1.0 + 0.45 * self.blob(x, y)
        best = np.zeros(np.shape(x))
        which = np.zeros(np.shape(x), dtype=np.int64)
        for k, ((sx, sy), r) in enumerate(zip(self.seats, self.seat_radius, strict=True)):
            if only is not None and not only[k]:
                continue
            d2 = ((x - sx) ** 2 + (y - sy) ** 2) * stretch**2
            u = np.exp(-d2 / r**2)
            which = np.where(u > best, k, which)
            best = np.maximum(best, u)
        return which, best

    def zones(self, x: F64, y: F64, line_width: float = 0.0) -> NDArray[np.int8]:
        """Zone of each point; rivers and roads are at least ``line_width`` wide."""
        pts = shapely.points(x, y)
        urban = self.urban(x, y)
        elev = self.elevation(x, y, urban)
        conditions = [
            shapely.dwithin(self.military, pts, line_width / 2),
            self._near_mine(x, y, line_width / 2),
            shapely.dwithin(self.rivers, pts, max(RIVER_WIDTH, line_width) / 2),
            shapely.dwithin(self.roads, pts, max(ROAD_WIDTH, line_width) / 2),
            urban >= self.cuts["urban"],
            elev >= self.cuts["hill"],
            self.village(x, y) >= self.cuts["village"],
            elev >= self.cuts["farm"],
        ]
        return np.select(conditions, [int(z) for z in Zone][:-1], int(Zone.farm)).astype(np.int8)

    def _near_mine(self, x: F64, y: F64, at_least: float) -> NDArray[np.bool_]:
        near = np.zeros(np.shape(x), dtype=bool)
        for (mx, my), r in zip(self.mines, self.mine_radius, strict=True):
            near |= (x - mx) ** 2 + (y - my) ** 2 < max(0.8 * r, at_least) ** 2
        return near


def build_world(rng: np.random.Generator) -> World:
    """A plausible county of about 2 030 km² around 118.4°E 25.0°N."""
    origin = _origin()
    county, radii = _outline(rng)
    minx, miny, maxx, maxy = county.bounds
    bounds = (minx - 5000.0, miny - 5000.0, maxx + 5000.0, maxy + 5000.0)
    warp = Warp.make(rng, bounds, [(6000.0, 350.0), (1800.0, 90.0), (500.0, 18.0)])
    seats = _seats(county, radii)
    names = [t.name for t in townships()]
    radius = np.array([URBAN_RADIUS.get(n, 1300.0 if n in LARGER_TOWNS else 800.0) for n in names])
    terrain = (
        ValueNoise.make(rng, bounds, 9000),
        ValueNoise.make(rng, bounds, 3000),
        ValueNoise.make(rng, bounds, 1000),
    )
    world = World(
        origin=origin, county=county, radii=radii, warp=warp, seats=seats, seat_radius=radius,
        seat_city=np.array([n in CITY for n in names]), terrain=terrain,
        blob=ValueNoise.make(rng, bounds, 1200), village=ValueNoise.make(rng, bounds, 700),
        farmland=ValueNoise.make(rng, bounds, 2500), cuts={"urban": 0.5, "hill": np.inf, "farm": np.inf, "village": np.inf},
        rivers=_lines(RIVERS, radii, warp), roads=_lines(ROADS, radii, warp),
        mines=np.zeros((0, 2)), mine_radius=np.zeros(0), licences=np.array([]), military=shapely.Polygon(),
    )  # fmt: skip
    world = _with_cuts(world, rng)
    return _with_sites(world, rng)


def _origin() -> tuple[float, float]:
    ox, oy = to_crs(np.array([shapely.Point(CENTRE_LONLAT)]), "EPSG:4490", f"EPSG:{PLANE_EPSG}")[0].coords[0]
    return float(round(ox)), float(round(oy))


def _outline(rng: np.random.Generator) -> tuple[shapely.Polygon, tuple[float, float]]:
    """A wobbly ellipse (sum of random harmonics) scaled to the county's land area."""
    theta = np.linspace(0.0, 2.0 * np.pi, 900, endpoint=False)
    wobble = np.ones_like(theta)
    for k in range(2, 60):
        wobble += rng.uniform(0.3, 1.0) * 0.3 / k**1.1 * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    wobble = np.maximum(wobble, 0.3)  # stays star-shaped, hence simple
    rx, ry = 22_500.0, 26_000.0
    ring = np.column_stack([rx * wobble * np.cos(theta), ry * wobble * np.sin(theta)])
    scale = np.sqrt(COUNTY_AREA_M2 / shapely.Polygon(ring).area)
    poly = shapely.Polygon(ring * scale)
    minx, miny, maxx, maxy = LOCAL_EXTENT
    poly = shapely.intersection(poly, shapely.box(minx, miny, maxx, maxy))  # rarely bites
    return poly, (rx * scale, ry * scale)


def _seats(county: shapely.Polygon, radii: tuple[float, float]) -> F64:
    """Town seats in townships() order, fitted into the outline at least 1.5 km from its edge."""
    lon = np.array([SEATS[t.name][0] for t in townships()])
    lat = np.array([SEATS[t.name][1] for t in townships()])
    u, v = (lon - 118.36) / 0.16, (lat - 24.955) / 0.305
    xy = np.column_stack([u * 0.85 * radii[0], v * 0.85 * radii[1]])
    core = shapely.buffer(county, -1500.0)
    shapely.prepare(core)
    for _ in range(40):
        outside = ~shapely.contains_xy(core, xy[:, 0], xy[:, 1])
        if not outside.any():
            break
        xy[outside] *= 0.95
    return xy


def _lines(
    lines: tuple[tuple[tuple[float, float], ...], ...], radii: tuple[float, float], warp: Warp
) -> shapely.MultiLineString:
    parts = []
    for line in lines:
        geom = shapely.segmentize(shapely.LineString(np.array(line) * radii), 150.0)
        xy = shapely.get_coordinates(geom)
        x, y = warp(xy[:, 0], xy[:, 1])
        parts.append(shapely.LineString(np.column_stack([x, y])))
    lines_geom = shapely.MultiLineString(parts)
    shapely.prepare(lines_geom)
    return lines_geom


def sample_county(world: World, rng: np.random.Generator, n: int) -> tuple[F64, F64]:
    """``n`` or a few more uniformly random points inside the county."""
    minx, miny, maxx, maxy = world.county.bounds
    xs, ys = [], []
    got = 0
    while got < n:
        x = rng.uniform(minx, maxx, 2 * n)
        y = rng.uniform(miny, maxy, 2 * n)
        inside = shapely.contains_xy(world.county, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        got += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _with_cuts(world: World, rng: np.random.Generator) -> World:
    """Thresholds that give roughly: 40 % hills, 18 % middle slopes, the rest plains and towns."""
    shapely.prepare(world.county)
    x, y = sample_county(world, rng, 20_000)
    urban = world.urban(x, y)
    rural = urban < world.cuts["urban"]
    elev = world.elevation(x, y, urban)[rural]
    cuts = dict(world.cuts)
    cuts["hill"] = float(np.quantile(elev, 0.60))
    cuts["farm"] = float(np.quantile(elev, 0.42))
    cuts["village"] = float(np.quantile(world.village(x, y)[rural], 0.86))
    cuts["farmland"] = float(np.quantile(world.farmland(x, y), 0.2))
    return _replace(world, cuts=cuts)


def _with_sites(world: World, rng: np.random.Generator) -> World:
    """Three licensed granite mines, four unlicensed quarries and one military compound in the hills."""
    x, y = sample_county(world, rng, 20_000)
    elev = world.elevation(x, y)
    far_from_towns = world.urban(x, y) < 0.05
    hilly = np.flatnonzero((elev >= np.quantile(elev, 0.75)) & far_from_towns)
    chosen: list[tuple[float, float]] = []
    for k in rng.permutation(hilly):
        p = (float(x[k]), float(y[k]))
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 > 4000.0**2 for q in chosen):
            chosen.append(p)
        if len(chosen) == 8:
            break
    mines = np.array(chosen[:7])
    radius = np.array([320.0, 280.0, 250.0, 150.0, 150.0, 150.0, 150.0])[: len(mines)]
    licences = np.array([blob(rng, x, y, r, 14) for (x, y), r in zip(mines[:3], radius[:3], strict=True)])
    mx, my = chosen[7]
    military = blob(rng, mx, my, 350.0, 16)
    shapely.prepare(military)
    return _replace(world, mines=mines, mine_radius=radius, licences=licences, military=military)


def blob(rng: np.random.Generator, x: float, y: float, radius: float, n: int) -> shapely.Polygon:
    """A star-shaped irregular polygon (always simple)."""
    theta = 2.0 * np.pi * (np.arange(n) + rng.uniform(-0.3, 0.3, n)) / n
    r = radius * rng.uniform(0.75, 1.2, n)
    return shapely.Polygon(np.column_stack([x + r * np.cos(theta), y + r * np.sin(theta)]))


def _replace(world: World, **changes: object) -> World:
    return replace(world, **changes)  # type: ignore[arg-type]
