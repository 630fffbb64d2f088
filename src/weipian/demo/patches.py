"""Current-year change patches of the demo county, and earlier years' patches at some of their places.

Patches are irregular star-shaped polygons (always simple) of 200 m² – 3 ha, placed more densely
where change happens (village edges, plains, town fringes) and kept apart from each other. A few
are placed on purpose: on township boundaries, in and across mining licences, at unlicensed
quarries and inside the military compound, so that every branch of the desk comparison has cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.demo.grid import F64, I64
from weipian.demo.layers import Layer
from weipian.demo.world import World, Zone, sample_county

MIN_AREA, MAX_AREA = 200.0, 30_000.0
MULTIPART_SHARE = 0.03
SPECIALS_FROM = 40  # smaller runs get no planted special cases

# Where changes are detected, relative density per zone.
DENSITY = {
    Zone.military: 0.0, Zone.mine: 2.0, Zone.water: 0.2, Zone.road: 1.0, Zone.urban: 2.5, Zone.hill: 0.6,
    Zone.village: 4.0, Zone.mid: 2.0, Zone.farm: 2.5,
}  # fmt: skip
# Change type (TBLX, DOMAIN.md §2.2) mix per zone.
TBLX_MIX: dict[Zone, tuple[tuple[str, float], ...]] = {
    Zone.military: (("20", 1.0),),
    Zone.mine: (("CK", 0.7), ("DT", 0.15), ("TD", 0.15)),
    Zone.water: (("KT", 0.3), ("SJ", 0.2), ("TD", 0.2), ("20", 0.15), ("HL", 0.15)),
    Zone.road: (("DL1", 0.3), ("DL2", 0.3), ("YH", 0.2), ("20", 0.2)),
    Zone.urban: (("20", 0.45), ("YH", 0.22), ("DT", 0.12), ("TD", 0.1), ("DL2", 0.04), ("LD", 0.02), ("QT", 0.05)),
    Zone.hill: (
        ("DT", 0.25), ("TD", 0.2), ("CK", 0.12), ("03", 0.12), ("20", 0.1), ("LT", 0.07), ("TP", 0.06),
        ("YH", 0.04), ("GF", 0.04),
    ),
    Zone.village: (("20", 0.5), ("YH", 0.2), ("DT", 0.12), ("TD", 0.1), ("ND", 0.03), ("QT", 0.05)),
    Zone.mid: (
        ("20", 0.2), ("DT", 0.2), ("TD", 0.18), ("YH", 0.1), ("02", 0.08), ("03", 0.08), ("CK", 0.04),
        ("GF", 0.04), ("ND", 0.04), ("LT", 0.04),
    ),
    Zone.farm: (
        ("20", 0.28), ("YH", 0.16), ("DT", 0.16), ("TD", 0.15), ("01", 0.06), ("GF", 0.03), ("KT", 0.05),
        ("ND", 0.05), ("02", 0.03), ("TP", 0.03),
    ),
}  # fmt: skip
PRIOR_VERDICTS = (
    ("合法", 0.35),
    ("违法", 0.25),
    ("其他", 0.2),
    ("伪变化", 0.1),
    ("设施农用地", 0.05),
    ("农村道路", 0.05),
)


@dataclass(frozen=True)
class Sites:
    """Current-year patches in the local plane, before they are dealt into packages."""

    geoms: NDArray[np.object_]
    kind: NDArray[np.str_]  # "" or mine / mine_edge / quarry / military / straddle
    tblx: NDArray[np.str_]


def make_sites(world: World, towns: Layer, rng: np.random.Generator, n: int) -> Sites:
    """``n`` non-overlapping patches: the planted special cases first, then weighted random ones."""
    special = _specials(world, towns, rng) if n >= SPECIALS_FROM else _empty()
    k = n - len(special[0])
    cx, cy = sample_county(world, rng, max(8 * k, 1000))
    zone = world.zones(cx, cy)
    weight = np.array([DENSITY[Zone(z)] for z in range(len(Zone))])[zone]
    race = rng.exponential(size=len(cx)) / np.maximum(weight, 1e-12)  # weighted sampling without replacement
    pick = np.argsort(race, kind="stable")[: min(2 * k, len(cx))]
    area = np.clip(rng.lognormal(np.log(1500.0), 0.9, len(pick)), MIN_AREA, MAX_AREA)
    geoms, reach = star_polygons(rng, cx[pick], cy[pick], area)
    geoms, reach = _some_multipart(rng, geoms, reach, cx[pick], cy[pick])
    all_geoms = np.concatenate([special[0], geoms])
    all_x = np.concatenate([special[1], cx[pick]])
    all_y = np.concatenate([special[2], cy[pick]])
    all_reach = np.concatenate([special[3], reach])
    keep = _apart(all_x, all_y, all_reach, n)
    kinds = np.concatenate([special[4], np.full(len(pick), "")])[keep]
    geoms_kept = all_geoms[keep]
    centre = shapely.get_coordinates(shapely.point_on_surface(geoms_kept))
    tblx = draw(rng, world.zones(centre[:, 0], centre[:, 1]), TBLX_MIX)
    tblx[np.isin(kinds, ["mine", "mine_edge", "quarry"])] = "CK"
    tblx[kinds == "military"] = "20"
    return Sites(geoms_kept, kinds, tblx)


def draw(
    rng: np.random.Generator, zone: NDArray[np.int8], mix: dict[Zone, tuple[tuple[str, float], ...]]
) -> NDArray[np.str_]:
    """A code per point from its zone's weighted mix."""
    u = rng.random(len(zone))
    out = np.full(len(zone), "QT", dtype="<U8")
    for z, options in mix.items():
        codes = np.array([c for c, _ in options])
        cum = np.cumsum([w for _, w in options])
        mask = zone == z
        out[mask] = codes[np.minimum(np.searchsorted(cum / cum[-1], u[mask], side="right"), len(codes) - 1)]
    return out


def star_polygons(rng: np.random.Generator, x: F64, y: F64, area: F64) -> tuple[NDArray[np.object_], F64]:
    """Irregular 6–20-gons of the given areas around the points, and each one's reach (max radius)."""
    n = len(x)
    sides = rng.integers(6, 21, n)
    stretch = np.sqrt(rng.uniform(1.0, 2.5, n))
    turn = rng.uniform(0.0, np.pi, n)
    geoms = np.empty(n, dtype=object)
    reach = np.empty(n)
    for v in np.unique(sides):
        idx = np.flatnonzero(sides == v)
        theta = 2.0 * np.pi * (np.arange(v) + rng.uniform(-0.35, 0.35, (len(idx), v))) / v
        r = rng.uniform(0.7, 1.25, (len(idx), v))
        px, py = r * np.cos(theta) * stretch[idx, None], r * np.sin(theta) / stretch[idx, None]
        c, s = np.cos(turn[idx])[:, None], np.sin(turn[idx])[:, None]
        px, py = c * px - s * py, s * px + c * py
        shoelace = 0.5 * np.sum(px * np.roll(py, -1, axis=1) - np.roll(px, -1, axis=1) * py, axis=1)
        scale = np.sqrt(area[idx] / shoelace)[:, None]
        ring = np.stack([x[idx, None] + scale * px, y[idx, None] + scale * py], axis=-1)
        geoms[idx] = shapely.polygons(np.concatenate([ring, ring[:, :1]], axis=1))
        reach[idx] = (scale * np.hypot(px, py)).max(axis=1)
    return geoms, reach


def _some_multipart(
    rng: np.random.Generator, geoms: NDArray[np.object_], reach: F64, x: F64, y: F64
) -> tuple[NDArray[np.object_], F64]:
    """Give a few patches a small second part nearby, as detections of one change sometimes have."""
    idx = np.flatnonzero(rng.random(len(geoms)) < MULTIPART_SHARE)
    area = shapely.area(geoms[idx]) * rng.uniform(0.15, 0.4, len(idx))
    gap = rng.uniform(1.3, 1.8, len(idx))
    heading = rng.uniform(0.0, 2.0 * np.pi, len(idx))
    second_reach = np.sqrt(area / np.pi) * 1.6
    dist = (reach[idx] + second_reach) * gap
    second, r2 = star_polygons(rng, x[idx] + dist * np.cos(heading), y[idx] + dist * np.sin(heading), area)
    out, out_reach = geoms.copy(), reach.copy()
    out[idx] = shapely.multipolygons(np.stack([geoms[idx], second], axis=1))
    out_reach[idx] = dist + r2
    return out, out_reach


def _apart(x: F64, y: F64, reach: F64, n: int) -> I64:
    """The first ``n`` patches (in priority order) that keep 10 m clear of every earlier one."""
    boxes = shapely.box(x - reach - 5.0, y - reach - 5.0, x + reach + 5.0, y + reach + 5.0)
    a, b = shapely.STRtree(boxes).query(boxes, predicate="intersects")
    close = (a < b) & (np.hypot(x[a] - x[b], y[a] - y[b]) < reach[a] + reach[b] + 10.0)
    a, b = a[close], b[close]
    order = np.lexsort((a, b))
    alive = np.ones(len(x), dtype=bool)
    for i, j in zip(a[order].tolist(), b[order].tolist(), strict=True):
        if alive[i] and alive[j]:
            alive[j] = False
    kept = np.flatnonzero(alive)
    if len(kept) < n:  # crowded: let some overlap rather than come up short
        kept = np.sort(np.concatenate([kept, np.flatnonzero(~alive)[: n - len(kept)]]))
    return kept[:n]


def _empty() -> tuple[NDArray[np.object_], F64, F64, F64, NDArray[np.str_]]:
    return np.array([], dtype=object), np.zeros(0), np.zeros(0), np.zeros(0), np.array([], dtype="<U9")


def _specials(
    world: World, towns: Layer, rng: np.random.Generator
) -> tuple[NDArray[np.object_], F64, F64, F64, NDArray[np.str_]]:
    """Planted cases: military, in/across licences, unlicensed quarries, township-boundary straddlers."""
    xs: list[float] = []
    ys: list[float] = []
    areas: list[float] = []
    kinds: list[str] = []

    def add(x: float, y: float, area: float, kind: str) -> None:
        xs.append(x)
        ys.append(y)
        areas.append(area)
        kinds.append(kind)

    mx, my = world.military.centroid.coords[0]
    add(mx - 90.0, my, 900.0, "military")
    add(mx + 90.0, my + 40.0, 1200.0, "military")
    for licence, r in zip(world.licences, world.mine_radius, strict=False):
        lx, ly = licence.centroid.coords[0]
        add(lx - 0.3 * r, ly, float(rng.uniform(3000, 9000)), "mine")
        add(lx + 0.25 * r, ly + 0.2 * r, float(rng.uniform(3000, 9000)), "mine")
        ex, ey = shapely.line_interpolate_point(
            licence.exterior, float(rng.uniform()), normalized=True
        ).coords[0]
        add(ex, ey, float(rng.uniform(4000, 8000)), "mine_edge")
    for qx, qy in world.mines[len(world.licences) :]:
        add(qx, qy, float(rng.uniform(2000, 8000)), "quarry")
    borders = shapely.difference(
        shapely.union_all(shapely.boundary(towns.geoms)), shapely.buffer(world.county.exterior, 300.0)
    )
    for f in rng.uniform(0.0, 1.0, 4):
        bx, by = shapely.line_interpolate_point(borders, float(f), normalized=True).coords[0]
        add(bx, by, float(rng.uniform(1500, 6000)), "straddle")
    x, y, area = np.array(xs), np.array(ys), np.array(areas)
    geoms, reach = star_polygons(rng, x, y, area)
    return geoms, x, y, reach, np.array(kinds, dtype="<U9")


@dataclass(frozen=True)
class Priors:
    """Earlier years' patches, and for each current site the codes of those at its place."""

    geoms: NDArray[np.object_]
    year: NDArray[np.int64]
    code: NDArray[np.str_]
    tblx: NDArray[np.str_]
    verdict: NDArray[np.str_]
    links: list[list[str]]  # per current site, newest first


def make_priors(
    world: World, geoms: NDArray[np.object_], tblx: NDArray[np.str_], eligible: NDArray[np.bool_],
    rng: np.random.Generator, county_code: str, monitoring_year: int,
) -> Priors:  # fmt: skip
    """Patches of the two years before ``monitoring_year``: some at the place of an ``eligible`` current patch (≥ 60 % overlap), others elsewhere."""
    n = len(geoms)
    linked = np.flatnonzero((rng.random(n) < 0.15) & eligible)
    twice = rng.random(len(linked)) < 0.4
    source = np.concatenate([linked, linked[twice]])
    before, last = monitoring_year - 2, monitoring_year - 1
    year = np.concatenate([np.full(len(linked), last), np.full(int(twice.sum()), before)])
    near = _nearby_copies(rng, geoms[source])
    k = max(3, int(0.3 * n))
    ox, oy = sample_county(world, rng, k)
    other, _ = star_polygons(rng, ox, oy, np.clip(rng.lognormal(np.log(1500.0), 0.9, k), MIN_AREA, MAX_AREA))
    found = np.concatenate([near, other])
    year = np.concatenate([year, rng.choice([before, last], k)])
    order = np.argsort(year, kind="stable")
    code = np.empty(len(found), dtype="<U20")
    for y in (before, last):
        at = order[year[order] == y]
        batch = np.sort(rng.integers(1, 5, len(at)))
        code[at] = [f"{county_code}{y}{b:02d}{s:04d}" for s, b in enumerate(batch, start=1)]
    centre = shapely.get_coordinates(shapely.point_on_surface(found))
    kinds = draw(rng, world.zones(centre[:, 0], centre[:, 1]), TBLX_MIX)
    kinds[: len(source)] = tblx[source]
    verdicts = np.array([v for v, _ in PRIOR_VERDICTS])
    verdict = verdicts[rng.choice(len(verdicts), len(found), p=[w for _, w in PRIOR_VERDICTS])]
    links: list[list[str]] = [[] for _ in range(n)]
    newest_first = sorted(
        zip(source.tolist(), code.tolist(), year.tolist(), strict=False), key=lambda t: -t[2]
    )
    for site, c, _ in newest_first:
        links[site].append(c)
    return Priors(found, year, code, kinds, verdict, links)


def _nearby_copies(rng: np.random.Generator, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """The same changes seen a year earlier: outlines slightly moved, scaled and turned, overlapping ≥ 60 %."""
    n = len(geoms)
    size = np.sqrt(shapely.area(geoms))
    moved = shifted_copies(
        geoms, rng.uniform(0.9, 1.15, n), rng.uniform(-5, 5, n), rng.normal(0, 0.05, (n, 2)) * size[:, None]
    )
    shared = shapely.area(shapely.intersection(moved, geoms)) / shapely.area(geoms)
    far = shared < 0.65
    moved[far] = shifted_copies(
        geoms[far], np.full(int(far.sum()), 1.05), np.zeros(int(far.sum())), np.zeros((int(far.sum()), 2))
    )
    return moved


def shifted_copies(geoms: NDArray[np.object_], scale: F64, degrees: F64, shift: F64) -> NDArray[np.object_]:
    """Each geometry scaled and turned about its centroid, then moved by ``shift`` (metres, ``(n, 2)``)."""
    centre = shapely.get_coordinates(shapely.centroid(geoms))
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    turn = np.radians(degrees)[index]
    k = scale[index]
    dx, dy = coords[:, 0] - centre[index, 0], coords[:, 1] - centre[index, 1]
    x = centre[index, 0] + k * (np.cos(turn) * dx - np.sin(turn) * dy) + shift[index, 0]
    y = centre[index, 1] + k * (np.sin(turn) * dx + np.cos(turn) * dy) + shift[index, 1]
    return shapely.set_coordinates(geoms.copy(), np.column_stack([x, y]))  # type: ignore[no-any-return]
