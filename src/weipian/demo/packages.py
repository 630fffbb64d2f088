"""Deal the demo patches into a ministry and a provincial batch, with their delivered attributes.

The ministry batch (about 60 %) carries the ministry's field names and only the county code, in
Gauss–Krüger metres; two of its outlines are self-intersecting bow-ties, as real deliveries
sometimes are. The provincial batch carries Chinese alias column names, township codes and areas
in 亩, in CGCS2000 degrees; about 3 % of it repeats ministry patches at the same place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from weipian.analysis.area import ellipsoidal_area
from weipian.demo.calendar import DemoCalendar
from weipian.demo.layers import Layer, locate
from weipian.demo.patches import Priors, Sites, shifted_copies
from weipian.demo.world import World
from weipian.domain.townships import COUNTY_CODE, COUNTY_NAME
from weipian.domain.units import M2_PER_MU

MINISTRY_SHARE = 0.6
DUPLICATE_SHARE = 0.03
BOWTIES = 2
MINING_KINDS = ("mine", "mine_edge", "quarry")


@dataclass(frozen=True)
class Dealt:
    """All current patches, ministry ones first, with dates and ids."""

    geoms: NDArray[np.object_]  # local plane; bow-ties are invalid on purpose
    ministry: int  # the first ``ministry`` patches are the ministry's
    kind: NDArray[np.str_]
    tblx: NDArray[np.str_]
    qsx: NDArray[np.datetime64]
    hsx: NDArray[np.datetime64]
    code: NDArray[np.str_]
    bowtie: NDArray[np.bool_]
    duplicate_of: NDArray[np.int64]  # index of the ministry patch a provincial one repeats, else -1


def deal(sites: Sites, rng: np.random.Generator, cal: DemoCalendar) -> Dealt:
    n = len(sites.geoms)
    order = rng.permutation(n)
    geoms, kind, tblx = sites.geoms[order].copy(), sites.kind[order], sites.tblx[order].copy()
    m = round(MINISTRY_SHARE * n)
    hsx = np.empty(n, dtype="datetime64[D]")
    hsx[:m] = cal.day64("2022-06-01") + rng.integers(0, 122, m).astype("timedelta64[D]")
    hsx[m:] = cal.day64("2022-07-01") + rng.integers(0, 112, n - m).astype("timedelta64[D]")
    plain = kind == ""
    bowtie = np.zeros(n, dtype=bool)
    bowtie[rng.choice(np.flatnonzero(plain[:m]), BOWTIES, replace=False)] = True
    geoms[bowtie] = [_bowtie(g) for g in geoms[bowtie]]
    duplicate_of = np.full(n, -1, dtype=np.int64)
    copies = max(1, round(DUPLICATE_SHARE * (n - m)))
    targets = m + rng.choice(np.flatnonzero(plain[m:]), copies, replace=False)
    origins = rng.choice(np.flatnonzero(plain[:m] & ~bowtie[:m]), copies, replace=False)
    geoms[targets] = shifted_copies(
        geoms[origins],
        rng.uniform(0.95, 1.05, copies),
        rng.uniform(-2, 2, copies),
        rng.uniform(-3, 3, (copies, 2)),
    )
    tblx[targets] = tblx[origins]
    hsx[targets] = hsx[origins] + rng.integers(0, 21, copies).astype("timedelta64[D]")
    duplicate_of[targets] = origins
    qsx = hsx - rng.integers(60, 300, n).astype("timedelta64[D]")
    width = max(3, len(str(max(m, n - m))))
    code = np.array(
        [f"{COUNTY_CODE}{cal.year}01{i:0{width}d}" for i in range(1, m + 1)]
        + [f"TDW{COUNTY_CODE}{cal.year}11{i:0{width}d}" for i in range(1, n - m + 1)]
    )
    return Dealt(geoms, m, kind, tblx, qsx, hsx, code, bowtie, duplicate_of)


def _bowtie(geom: shapely.Geometry) -> shapely.Polygon:
    """A self-intersecting quadrilateral of about the patch's area at its place."""
    c = shapely.centroid(geom)
    b = float(np.sqrt(shapely.area(geom) / 3.0))
    a = 1.5 * b
    return shapely.Polygon([(c.x - a, c.y - b), (c.x + a, c.y + b), (c.x + a, c.y - b), (c.x - a, c.y + b)])


def _measure(world: World, geoms: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ellipsoidal areas (m²) and centres (lon, lat), taken on repaired outlines."""
    valid = shapely.make_valid(world.to_4490(geoms))
    centre = shapely.get_coordinates(shapely.centroid(valid))
    return np.round(ellipsoidal_area(valid), 2), np.round(centre, 6)


def _ymd(days: NDArray[np.datetime64]) -> list[str]:
    return [str(d).replace("-", "") for d in days]


def ministry_layer(
    world: World, dealt: Dealt, priors: Priors, rng: np.random.Generator, cal: DemoCalendar
) -> Layer:
    """The ministry batch: county code only, 8-digit TYWZJCTBWQBH cut to the DBF's 10 characters."""
    sl = slice(0, dealt.ministry)
    area, centre = _measure(world, dealt.geoms[sl])
    links = priors.links[sl]
    told = rng.random(dealt.ministry)
    earlier = [ls[0] if ls and t < 0.4 else "" for ls, t in zip(links, told, strict=True)]
    same_place = [",".join(ls) if ls and t >= 0.75 else "" for ls, t in zip(links, told, strict=True)]
    columns: dict[str, Sequence[object]] = {
        "JCBH": list(dealt.code[sl]),
        "XZQDM": [COUNTY_CODE] * dealt.ministry,
        "XZQMC": [COUNTY_NAME] * dealt.ministry,
        "TBLX": list(dealt.tblx[sl]),
        "QSX": _ymd(dealt.qsx[sl]),
        "HSX": _ymd(dealt.hsx[sl]),
        "LZB": list(centre[:, 0]),
        "BZB": list(centre[:, 1]),
        "JCMJ": list(area),
        "XFSJ": [cal.ministry_issued.isoformat()] * dealt.ministry,
        "NF": [cal.year] * dealt.ministry,
        "QQJCBH": earlier,
        "TYWZJCTBWQ": same_place,  # TYWZJCTBWQBH: DBF field names hold 10 characters
        "SFSK": _mining_flags(dealt, sl),
    }
    return Layer("部卫片图斑", dealt.geoms[sl], columns)


def province_layer(world: World, towns: Layer, dealt: Dealt, cal: DemoCalendar) -> Layer:
    """The provincial batch under Chinese column names, township codes and 亩."""
    sl = slice(dealt.ministry, len(dealt.geoms))
    area, centre = _measure(world, dealt.geoms[sl])
    local = shapely.get_coordinates(shapely.point_on_surface(dealt.geoms[sl]))
    town = locate(towns, local[:, 0], local[:, 1])
    n = len(area)
    columns: dict[str, Sequence[object]] = {
        "监测编号": list(dealt.code[sl]),
        "行政区代码": [towns.columns["XZQDM"][i] for i in town],
        "行政区名称": [towns.columns["XZQMC"][i] for i in town],
        "图斑类型": list(dealt.tblx[sl]),
        "前时相": _ymd(dealt.qsx[sl]),
        "后时相": _ymd(dealt.hsx[sl]),
        "中心点经度": list(centre[:, 0]),
        "中心点纬度": list(centre[:, 1]),
        "监测面积（亩）": list(np.round(area / M2_PER_MU, 4)),
        "下发时间": [cal.province_issued.isoformat()] * n,
        "年份": [cal.year] * n,
        "是否涉矿": _mining_flags(dealt, sl),
    }
    return Layer("省卫片图斑", dealt.geoms[sl], columns)


def _mining_flags(dealt: Dealt, sl: slice) -> list[str]:
    mining = (dealt.tblx[sl] == "CK") | np.isin(dealt.kind[sl], MINING_KINDS)
    return ["是" if m else "否" for m in mining]


def prior_layer(world: World, towns: Layer, priors: Priors) -> Layer:
    local = shapely.get_coordinates(shapely.point_on_surface(priors.geoms))
    town = locate(towns, local[:, 0], local[:, 1])
    illegal = priors.verdict == "违法"
    return Layer(
        "WNWPTB", priors.geoms,
        {"JCBH": list(priors.code), "NF": [int(y) for y in priors.year],
         "XZQDM": [towns.columns["XZQDM"][i] for i in town], "TBLX": list(priors.tblx),
         "PDJG": list(priors.verdict), "WFLX": ["违法占地" if v else "" for v in illegal]},
        "JCMJ",
    )  # fmt: skip
