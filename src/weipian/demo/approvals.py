"""Approval layers of the demo county, drawn around the patches so coverage varies.

Each patch gets one "story": approved and supplied, only one of the two, partly covered, only
pre-approved, temporary use (some expired), facility farming, a 全域土地综合整治 pilot, the 建新区 of
an 增减挂钩 project (whose 拆旧区 lie in villages elsewhere), or nothing (most). About one in eight approvals is dated after the patch's 后时相 (补办, built first). Some
approvals cover no patch at all, as most real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.demo.calendar import DemoCalendar
from weipian.demo.layers import Layer, locate
from weipian.demo.patches import star_polygons
from weipian.demo.world import World, Zone, sample_county
from weipian.domain.layers import LayerKind
from weipian.domain.townships import COUNTY_CODE

STORIES = (
    ("approved_supplied", 0.16), ("conversion_only", 0.05), ("supply_only", 0.03), ("conversion_partial", 0.06),
    ("preapproval_only", 0.02), ("temporary", 0.03), ("facility", 0.04), ("consolidation", 0.02), ("linkage", 0.02),
    ("none", 0.57),
)  # fmt: skip
LATE_SHARE = 0.12
PROJECTS = {
    "town": ("标准厂房", "安置房", "商住小区", "道路改造工程", "中心小学扩建", "污水处理厂", "农贸市场", "综合体育馆"),
    "village": ("村级幸福院", "村民安置点", "乡村振兴示范点", "村道拓宽工程", "农产品加工厂", "石材加工厂"),
    "open": ("光伏电站", "物流仓储中心", "水利提升工程", "高速公路连接线", "石材加工园区", "输变电工程"),
}  # fmt: skip
# Nan'an's three licences (DOMAIN.md §5.2); the last expired before the 2022 images.
LICENCES = (("2017-06-30", "2027-06-30"), ("2019-04-15", "2024-04-15"), ("2016-03-31", "2022-03-31"))


@dataclass(frozen=True)
class _Docs:
    """Approval polygons with their dates, townships and project families, row for row."""

    geoms: NDArray[np.object_]
    dates: NDArray[np.datetime64]
    town: NDArray[np.str_]
    family: NDArray[np.str_]

    def take(
        self, idx: NDArray[np.int64], geoms: NDArray[np.object_], dates: NDArray[np.datetime64]
    ) -> _Docs:
        return _Docs(geoms, dates, self.town[idx], self.family[idx])

    def __add__(self, other: _Docs) -> _Docs:
        return _Docs(
            np.concatenate([self.geoms, other.geoms]), np.concatenate([self.dates, other.dates]),
            np.concatenate([self.town, other.town]), np.concatenate([self.family, other.family]),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.geoms)


def approval_layers(
    world: World, towns: Layer, geoms: NDArray[np.object_], hsx: NDArray[np.datetime64], eligible: NDArray[np.bool_],
    rng: np.random.Generator, cal: DemoCalendar,
) -> dict[LayerKind, Layer]:  # fmt: skip
    """Every approval layer, with stories drawn for the ``eligible`` patches."""
    centre = shapely.get_coordinates(shapely.point_on_surface(geoms))
    zone = world.zones(centre[:, 0], centre[:, 1])
    names = np.array(towns.columns["XZQMC"], dtype=str)
    place = _Docs(geoms, hsx, names[locate(towns, centre[:, 0], centre[:, 1])], _families(zone))
    labels = np.array([s for s, _ in STORIES])
    story = labels[rng.choice(len(STORIES), len(geoms), p=[w for _, w in STORIES])]
    story[~eligible] = "none"
    farmish = np.isin(zone, [Zone.farm, Zone.mid, Zone.village])
    story[(story == "facility") & ~farmish] = "approved_supplied"
    _every_story_once(rng, story, eligible & farmish)

    def grown(label: str, lo: float, hi: float, dates: NDArray[np.datetime64] | None = None) -> _Docs:
        idx = np.flatnonzero(story == label)
        cover = shapely.buffer(geoms[idx], rng.uniform(lo, hi, len(idx)), quad_segs=2)
        return place.take(idx, cover, _dated(rng, hsx[idx]) if dates is None else dates)

    full = np.flatnonzero(np.isin(story, ["approved_supplied", "conversion_only"]))
    converted = place.take(
        full, shapely.buffer(geoms[full], rng.uniform(5, 40, len(full)), quad_segs=2), _dated(rng, hsx[full])
    )
    both = story[full] == "approved_supplied"
    supplied_after = converted.dates[both] + rng.integers(30, 300, int(both.sum())).astype("timedelta64[D]")
    partial = np.flatnonzero(story == "conversion_partial")
    background = _background(world, towns, names, rng, max(3, len(geoms) // 10), cal)
    temporary = np.flatnonzero(story == "temporary")
    temp_start = hsx[temporary] - rng.integers(60, 900, len(temporary)).astype("timedelta64[D]")
    return {
        LayerKind.conversion_approval: _conversion(
            rng, converted + place.take(partial, _part_of(rng, geoms[partial]), _dated(rng, hsx[partial])) + background
        ),
        LayerKind.land_supply: _supply(
            rng, grown("approved_supplied", 2, 20, supplied_after) + grown("supply_only", 2, 20) + _later(rng, background)
        ),
        LayerKind.preapproval: _preapproval(rng, grown("preapproval_only", 20, 80)),
        LayerKind.temporary_use: _temporary(rng, grown("temporary", 5, 30, temp_start)),
        LayerKind.facility_agri: _facility(rng, grown("facility", 3, 15)),
        LayerKind.consolidation: _consolidation(rng, grown("consolidation", 100, 300)),
        LayerKind.mining_right: _mining(world, towns, rng, cal),
        LayerKind.linkage: _linkage(rng, grown("linkage", 10, 60), _old_sites(world, towns, names, rng, cal)),
    }  # fmt: skip


def _every_story_once(rng: np.random.Generator, story: NDArray[np.str_], free: NDArray[np.bool_]) -> None:
    """Small demos still get each kind of approval layer filled (facility farming needs farmland)."""
    for label, _ in STORIES[:-1]:
        spare = np.flatnonzero(free & (story == "none"))
        if not (story == label).any() and len(spare):
            story[rng.choice(spare)] = label


def _families(zone: NDArray[np.int8]) -> NDArray[np.str_]:
    """Which project names fit: town, village or open country."""
    village = np.isin(zone, [Zone.village, Zone.farm])
    return np.where(zone == Zone.urban, "town", np.where(village, "village", "open"))


def _dated(rng: np.random.Generator, hsx: NDArray[np.datetime64]) -> NDArray[np.datetime64]:
    """Approval dates: mostly months or years before the 后时相, some after it (补办)."""
    late = rng.random(len(hsx)) < LATE_SHARE
    after = rng.integers(20, 200, len(hsx)).astype("timedelta64[D]")
    before = rng.integers(30, 1500, len(hsx)).astype("timedelta64[D]")
    dates: NDArray[np.datetime64] = np.where(late, hsx + after, hsx - before)
    return dates


def _part_of(rng: np.random.Generator, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Each patch grown by 10 m and cut by a straight line near its middle: covers roughly 30–70 %."""
    grown = shapely.buffer(geoms, 10.0, quad_segs=2)
    centre = shapely.get_coordinates(shapely.centroid(geoms))
    n = len(geoms)
    size = 4.0 * np.sqrt(shapely.area(grown))[:, None]
    heading = rng.uniform(0.0, 2.0 * np.pi, n)
    normal = np.column_stack([np.cos(heading), np.sin(heading)])
    along = np.column_stack([-normal[:, 1], normal[:, 0]])
    origin = centre + rng.uniform(-0.15, 0.15, n)[:, None] * np.sqrt(shapely.area(geoms))[:, None] * normal
    # A large rectangle on one side of the line through ``origin`` along ``along``.
    corners = [
        origin + size * along,
        origin + size * (along + normal),
        origin + size * (normal - along),
        origin - size * along,
    ]
    half = shapely.polygons(np.stack([*corners, corners[0]], axis=1))
    return shapely.intersection(grown, half)  # type: ignore[no-any-return]


def _background(
    world: World, towns: Layer, names: NDArray[np.str_], rng: np.random.Generator, k: int, cal: DemoCalendar
) -> _Docs:
    """Approved projects in towns and villages where no change was detected."""
    x, y = sample_county(world, rng, 20 * k)
    zone = world.zones(x, y)
    at = np.flatnonzero(np.isin(zone, [Zone.urban, Zone.village]))[:k]
    geoms, _ = star_polygons(rng, x[at], y[at], rng.uniform(10_000, 60_000, len(at)))
    dates = cal.day64("2016-01-01") + rng.integers(0, 2300, len(at)).astype("timedelta64[D]")
    return _Docs(geoms, dates, names[locate(towns, x[at], y[at])], _families(zone[at]))


def _later(rng: np.random.Generator, docs: _Docs) -> _Docs:
    """The land supplied some months after its approval."""
    return _Docs(
        docs.geoms,
        docs.dates + rng.integers(30, 300, len(docs)).astype("timedelta64[D]"),
        docs.town,
        docs.family,
    )


def _numbers(
    dates: NDArray[np.datetime64], rng: np.random.Generator, start: tuple[int, int]
) -> list[tuple[int, int]]:
    """(year, number) of each document, numbered upwards within each year in date order."""
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    out = [(0, 0)] * len(dates)
    nxt: dict[int, int] = {}
    for i in np.argsort(dates, kind="stable").tolist():
        y = int(years[i])
        nxt.setdefault(y, int(rng.integers(*start)))
        out[i] = (y, nxt[y])
        nxt[y] += int(rng.integers(1, 4))
    return out


def _project(rng: np.random.Generator, docs: _Docs, suffix: str = "项目") -> list[str]:
    picks = rng.random(len(docs))
    names = []
    for town, family, u in zip(docs.town, docs.family, picks, strict=True):
        options = PROJECTS[str(family)]
        names.append(f"南安市{_short(str(town))}{options[int(u * len(options))]}{suffix}")
    return names


def _short(name: str) -> str:
    return name.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _days(dates: NDArray[np.datetime64]) -> list[str]:
    return [str(d) for d in dates]


def _conversion(rng: np.random.Generator, docs: _Docs) -> Layer:
    numbers = [f"闽政地〔{y}〕{n}号" for y, n in _numbers(docs.dates, rng, (80, 400))]
    batch = rng.random(len(docs)) < 0.5
    batches = rng.integers(1, 12, len(docs))
    projects = _project(rng, docs)
    names = [
        f"南安市{str(d)[:4]}年度第{k}批次城镇建设用地" if b else p
        for d, b, k, p in zip(docs.dates, batch, batches, projects, strict=True)
    ]
    return Layer("JSYDSP", docs.geoms, {"PZWH": numbers, "PZRQ": _days(docs.dates), "XMMC": names}, "PZMJ")


def _supply(rng: np.random.Generator, docs: _Docs) -> Layer:
    """Supply records keyed by their 电子监管号 (B: granted by contract, A: allocated)."""
    granted = rng.random(len(docs)) < 0.75
    numbers = [
        f"{COUNTY_CODE}{y}{'B' if g else 'A'}{n:05d}"
        for (y, n), g in zip(_numbers(docs.dates, rng, (1, 200)), granted, strict=True)
    ]
    return Layer(
        "TDGY", docs.geoms,
        {"HTBH": numbers, "GYFS": ["出让" if g else "划拨" for g in granted], "QDRQ": _days(docs.dates),
         "XMMC": _project(rng, docs)},
        "GYMJ",
    )  # fmt: skip


def _preapproval(rng: np.random.Generator, docs: _Docs) -> Layer:
    numbers = [f"闽自然资预审〔{y}〕{n}号" for y, n in _numbers(docs.dates, rng, (5, 60))]
    columns = {"YSWH": numbers, "PZRQ": _days(docs.dates), "XMMC": _project(rng, docs)}
    return Layer("JSYDYS", docs.geoms, columns, "YSMJ")


def _temporary(rng: np.random.Generator, docs: _Docs) -> Layer:
    """Temporary use for 6, 12 or 24 months; some expired before the patch was seen."""
    months = rng.choice([6, 12, 24], len(docs), p=[0.3, 0.4, 0.3])
    end = docs.dates + np.round(months * 30.4).astype("timedelta64[D]")
    numbers = [f"南自然资临〔{y}〕{n}号" for y, n in _numbers(docs.dates, rng, (1, 40))]
    return Layer(
        "LSYD", docs.geoms,
        {"PZWH": numbers, "YXQQ": _days(docs.dates), "YXQZ": _days(end), "XMMC": _project(rng, docs, "施工临时用地")},
        "PZMJ",
    )  # fmt: skip


def _facility(rng: np.random.Generator, docs: _Docs) -> Layer:
    numbers = [f"{COUNTY_CODE}{y}{n:05d}" for y, n in _numbers(docs.dates, rng, (1, 50))]
    kinds = rng.choice(["生产设施", "辅助设施"], len(docs), p=[0.7, 0.3])
    owners = rng.choice(["家庭农场", "种养专业合作社", "农业开发有限公司"], len(docs))
    return Layer(
        "SSNYD", docs.geoms,
        {"STRKH": numbers, "PZRQ": _days(docs.dates),
         "XMMC": [f"南安市{_short(str(t))}{o}设施农业用地" for t, o in zip(docs.town, owners, strict=True)],
         "SSLX": [str(k) for k in kinds]},
        "SSMJ",
    )  # fmt: skip


def _consolidation(rng: np.random.Generator, docs: _Docs) -> Layer:
    ids = [f"QYZZ{COUNTY_CODE}{y}{n:03d}" for y, n in _numbers(docs.dates, rng, (1, 5))]
    names = [f"南安市{_short(str(t))}全域土地综合整治试点项目" for t in docs.town]
    columns = {
        "XMBH": ids,
        "XMMC": names,
        "XMLX": ["全域土地综合整治"] * len(docs),
        "PZRQ": _days(docs.dates),
    }
    return Layer("QYZZ", docs.geoms, columns, "XMMJ")


def _old_sites(
    world: World, towns: Layer, names: NDArray[np.str_], rng: np.random.Generator, cal: DemoCalendar
) -> _Docs:
    """Village homesteads to be pulled down and reclaimed (拆旧区), where no change was detected."""
    x, y = sample_county(world, rng, 60)
    at = np.flatnonzero(world.zones(x, y) == Zone.village)[:3]
    geoms, _ = star_polygons(rng, x[at], y[at], rng.uniform(3_000, 12_000, len(at)))
    dates = cal.day64("2018-01-01") + rng.integers(0, 1400, len(at)).astype("timedelta64[D]")
    return _Docs(geoms, dates, names[locate(towns, x[at], y[at])], np.full(len(at), "village"))


def _linkage(rng: np.random.Generator, new: _Docs, old: _Docs) -> Layer:
    """增减挂钩: each 建新区 (where a patch was built) with the 拆旧区 of its project, one record each;
    only the 建新区 is a legal basis for building (``zone_type`` in layer_fields.yaml)."""
    docs = new + old
    numbers = _numbers(docs.dates, rng, (1, 30))
    return Layer(
        "ZJGG", docs.geoms,
        {"PFWH": [f"泉自然资〔{y}〕{n}号" for y, n in numbers],
         "XMBH": [f"ZJGG{COUNTY_CODE}{y}{n:03d}" for y, n in numbers],
         "XMMC": [f"南安市{_short(str(t))}城乡建设用地增减挂钩项目" for t in docs.town],
         "QKLX": ["建新区"] * len(new) + ["拆旧区"] * len(old), "PZRQ": _days(docs.dates)},
        "QKMJ",
    )  # fmt: skip


def _mining(world: World, towns: Layer, rng: np.random.Generator, cal: DemoCalendar) -> Layer:
    """Nan'an's three granite licences."""
    centre = shapely.get_coordinates(shapely.point_on_surface(world.licences))
    town = [str(towns.columns["XZQMC"][i]) for i in locate(towns, centre[:, 0], centre[:, 1])]
    terms = [(cal.day(s).isoformat(), cal.day(e).isoformat()) for s, e in LICENCES[: len(world.licences)]]
    numbers = [f"C{COUNTY_CODE}{s[:4]}{s[5:7]}7130{int(rng.integers(100000, 999999))}" for s, _ in terms]
    return Layer(
        "CKQ", world.licences,
        {"XKZH": numbers, "KSMC": [f"南安市{_short(t)}建筑用花岗岩矿（模拟）" for t in town],
         "KZ": ["建筑用花岗岩"] * len(terms), "YXQQ": [s for s, _ in terms], "YXQZ": [e for _, e in terms]},
        "MJ",
    )  # fmt: skip
