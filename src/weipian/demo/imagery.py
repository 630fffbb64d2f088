"""A before/after pair of synthetic satellite images over the demo patches (``weipian demo``).

The pictures are painted from the demo's own data so that they agree with it: the 三调 land-class
parcels (``landuse.gpkg``) are filled with plausible colours (paddy and dry fields, orchards,
forest, water, roofs and roads), each parcel a little lighter or darker than its neighbours, with
a soft haze and fine grain on top. The "after" image is the same landscape some months later (the
rice harvested, other haze) with every delivered patch burnt in as what its change type says:
roofs, concrete, bare soil, spoil, water, solar panels. So each patch outline on the map sits on
a visible change.

Both are 3-band 8-bit GeoTIFFs in EPSG:4527, converted to COGs. By default they cover the square
window of 2 m pixels within :data:`PIXEL_BUDGET` (about 9 km across) that holds the most patches
of :data:`FOCUS_TOWNSHIP` (官桥镇, the demo township account's), so a patch is tens of pixels across
as on the 2 m imagery the ministry compares; ``township=None`` covers every patch instead, at the
coarsest whole-metre resolution within the budget. Pixels outside the county are masked. The same seed gives the same pictures.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyogrio
import rasterio
import shapely
from affine import Affine
from numpy.typing import NDArray
from PIL import Image
from rasterio.features import rasterize

from weipian.analysis.area import to_crs
from weipian.demo.calendar import REFERENCE_DAY, DemoCalendar, calendar_for
from weipian.io.imagery import RasterFacts, to_cog
from weipian.io.readers import read_vector

__all__ = ["AFTER_DATE", "AFTER_FILE", "BEFORE_DATE", "BEFORE_FILE", "DemoImagery", "write_demo_imagery"]

Progress = Callable[[str, int, int], None]

# Before: about the patches' median 前时相; after: on or after every 后时相 of the demo (≤ 20 October),
# as written for the reference day (calendar.py shifts them by whole years).
BEFORE_DATE, AFTER_DATE = date(2022, 2, 15), date(2022, 10, 31)
BEFORE_FILE, AFTER_FILE = "imagery_before_20220215.tif", "imagery_after_20221031.tif"


def _file(phase: str, day: date) -> str:
    return f"imagery_{phase}_{day:%Y%m%d}.tif"


PLANE = "EPSG:4527"
PIXEL_BUDGET = 21_000_000  # per image: both COGs stay well under 25 MB and are made in about 10 s
MIN_PIXEL_M = 2.0
MARGIN_M = 600.0
FOCUS_TOWNSHIP = "350583118"  # 官桥镇: most demo patches; scripts/run's township account
NODATA_RGB = (0, 0, 0)

# Land-class colours (R, G, B) as a true-colour satellite picture shows them in late winter.
DLBM_RGB: dict[str, tuple[int, int, int]] = {
    "0101": (104, 128, 78), "0102": (116, 138, 82), "0103": (150, 138, 100), "0201": (78, 112, 62),
    "0202": (70, 108, 58), "0204": (96, 120, 72), "0301": (44, 78, 48), "0305": (72, 98, 60),
    "0307": (62, 92, 56), "0404": (128, 146, 92), "05H1": (168, 164, 160), "0601": (178, 176, 172),
    "0602": (190, 176, 154), "0701": (160, 152, 148), "0702": (150, 132, 120), "0809": (150, 150, 148),
    "0810": (88, 124, 78), "08H2": (164, 158, 152), "09": (112, 122, 100), "1003": (124, 124, 122),
    "1004": (136, 134, 130), "1006": (152, 138, 112), "1101": (52, 80, 104), "1104": (60, 88, 98),
    "1107": (70, 92, 96), "1201": (170, 156, 132), "1202": (172, 172, 164), "1206": (186, 160, 126),
    "1207": (192, 186, 176),
}  # fmt: skip
OTHER_RGB = (120, 130, 100)
HARVESTED = {"0101": (158, 142, 96), "0102": (150, 140, 94)}  # paddy after the late-season harvest

# What each change type (TBLX) looks like once it has happened; several choices are picked at random.
TBLX_RGB: dict[str, tuple[tuple[int, int, int], ...]] = {
    "20": ((118, 138, 166), (172, 92, 72), (214, 214, 208), (150, 160, 170)),  # roofs
    "YH": ((196, 194, 188),),  # concrete
    "DT": ((186, 150, 108), (200, 168, 126)), "TD": ((178, 140, 100), (196, 160, 118)),
    "TP": ((204, 176, 136),), "LT": ((192, 162, 122),), "WL": ((170, 160, 150),),
    "DL1": ((128, 128, 126),), "DL2": ((190, 168, 132),), "DL3": ((140, 140, 136),), "ND": ((160, 146, 120),),
    "TL": ((120, 116, 112),), "SJ": ((184, 184, 178),), "CK": ((210, 200, 184), (196, 178, 150)),
    "LY": ((206, 198, 186),), "KT": ((56, 86, 108),), "SM": ((54, 84, 110),), "SK": ((50, 80, 112),),
    "HL": ((60, 88, 104),), "GQ": ((72, 94, 98),), "GF": ((38, 48, 82),), "01": ((120, 142, 82),),
    "02": ((82, 118, 64),), "03": ((48, 84, 52),), "04": ((132, 150, 94),), "LD": ((92, 130, 82),),
}  # fmt: skip
BARE_RGB = ((182, 156, 124), (176, 150, 120))


@dataclass(frozen=True)
class DemoImagery:
    """The pair written: files, dates and what they cover."""

    before: Path
    after: Path
    before_date: date
    after_date: date
    pixel_m: float
    facts: RasterFacts


def write_demo_imagery(
    dir: Path,
    *,
    seed: int = 42,
    pixels: int = PIXEL_BUDGET,
    township: str | None = FOCUS_TOWNSHIP,
    progress: Progress | None = None,
    today: date = REFERENCE_DAY,
) -> DemoImagery:
    """Paint the pair from ``dir``'s landuse.gpkg and patch packages, write them as COGs there.

    ``today`` must be the day :func:`~weipian.demo.county.write_demo` was given: it dates the pair.

    ``pixels`` caps each image's size; the resolution is the coarsest whole metre within it.
    """

    def step(label: str, done: int) -> None:
        if progress is not None:
            progress(label, done, 4)

    step("生成演示影像", 0)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 5_0001]))
    cal = calendar_for(today)
    patches, tblx = _patches(dir, cal)
    parcels, dlbm = _landuse(dir)
    area = _window(patches, _township(dir, township), pixels) if township else patches
    xmin, ymin, xmax, ymax = shapely.total_bounds(area)
    near = shapely.box(xmin - MARGIN_M, ymin - MARGIN_M, xmax + MARGIN_M, ymax + MARGIN_M)
    keep_patch, keep_parcel = shapely.intersects(patches, near), shapely.intersects(parcels, near)
    patches, tblx = patches[keep_patch], [k for k, keep in zip(tblx, keep_patch, strict=True) if keep]
    parcels, dlbm = parcels[keep_parcel], [c for c, keep in zip(dlbm, keep_parcel, strict=True) if keep]
    xmin, ymin, xmax, ymax = xmin - MARGIN_M, ymin - MARGIN_M, xmax + MARGIN_M, ymax + MARGIN_M
    res = max(MIN_PIXEL_M, float(math.ceil(math.sqrt((xmax - xmin) * (ymax - ymin) / pixels))))
    x0, y1 = math.floor(xmin / res) * res, math.ceil(ymax / res) * res
    width, height = math.ceil((xmax - x0) / res), math.ceil((y1 - ymin) / res)
    transform = Affine(res, 0.0, x0, 0.0, -res, y1)
    shape = (height, width)

    parcel_id = rasterize(
        zip(parcels, range(1, len(parcels) + 1), strict=True),
        out_shape=shape,
        transform=transform,
        dtype="int32",
    )
    patch_id = rasterize(
        zip(patches, range(1, len(patches) + 1), strict=True),
        out_shape=shape, transform=transform, dtype="int32", all_touched=True,
    )  # fmt: skip
    outside = parcel_id == 0
    step("生成演示影像", 1)

    shade = rng.normal(0.0, 7.0, (len(parcels) + 1, 1))  # each parcel a little lighter or darker
    colours = [DLBM_RGB.get(c, OTHER_RGB) for c in ["", *dlbm]]
    later = [HARVESTED.get(c, rgb) for c, rgb in zip(["", *dlbm], colours, strict=True)]
    base = np.rint(np.array(colours) + shade).astype(np.int16)
    season = np.rint(np.array(later) + shade).astype(np.int16)
    changed = np.zeros((len(patches) + 1, 3), dtype=np.int16)
    for i, (kind, pick) in enumerate(zip(tblx, rng.integers(0, 4, len(patches)), strict=True), start=1):
        options = TBLX_RGB.get(kind, BARE_RGB)
        changed[i] = np.rint(np.array(options[pick % len(options)]) + rng.normal(0.0, 5.0))

    before = _paint(base[parcel_id], _texture(rng, shape, res))
    after_rgb = season[parcel_id]
    inside = patch_id > 0
    after_rgb[inside] = changed[patch_id[inside]]
    after = _paint(after_rgb, _texture(rng, shape, res), haze=(6, 4, 2))
    del after_rgb
    for picture in (before, after):
        picture[outside] = NODATA_RGB
    step("生成演示影像", 2)

    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 3, "dtype": "uint8",
        "crs": PLANE, "transform": transform, "nodata": 0, "tiled": True, "blockxsize": 512,
        "blockysize": 512,
    }  # fmt: skip
    before_date, after_date = cal.day(BEFORE_DATE.isoformat()), cal.day(AFTER_DATE.isoformat())
    paths = (dir / _file("before", before_date), dir / _file("after", after_date))
    with tempfile.TemporaryDirectory(prefix=".imagery-", dir=dir) as work:
        facts: RasterFacts | None = None
        for n, (picture, path) in enumerate(zip((before, after), paths, strict=True)):
            raw = Path(work) / path.name
            with rasterio.open(raw, "w", **profile) as dst:
                dst.write(np.moveaxis(picture, -1, 0))
            facts = to_cog(raw, path)
            step("生成演示影像", 3 + n)
    assert facts is not None
    return DemoImagery(paths[0], paths[1], before_date, after_date, res, facts)


def _patches(dir: Path, cal: DemoCalendar) -> tuple[NDArray[np.object_], list[str]]:
    """Every delivered patch in EPSG:4527 (repaired) and its change type."""
    geoms: list[NDArray[np.object_]] = []
    kinds: list[str] = []
    for name, column in ((cal.ministry_file, "TBLX"), (cal.province_file, "图斑类型")):
        table = read_vector(dir / name, (117.8, 24.4, 118.9, 25.5))
        geoms.append(to_crs(shapely.make_valid(table.geoms), table.crs, PLANE))
        kinds += [str(v) for v in table.attrs[column]]
    return np.concatenate(geoms), kinds


def _township(dir: Path, code: str) -> NDArray[np.object_]:
    """The township's boundary in EPSG:4527."""
    table = read_vector(dir / "townships.gpkg", (117.8, 24.4, 118.9, 25.5))
    codes = np.array([str(v) for v in table.attrs["XZQDM"]])
    return to_crs(table.geoms[codes == code], table.crs, PLANE)


def _window(patches: NDArray[np.object_], township: NDArray[np.object_], pixels: int) -> NDArray[np.object_]:
    """The square of ``pixels`` at :data:`MIN_PIXEL_M` (less the margins) holding the most of the
    township's patches, centred on one of them."""
    half = 0.99 * math.sqrt(pixels) * MIN_PIXEL_M / 2 - MARGIN_M  # 0.99: stay inside after rounding
    centres = shapely.get_coordinates(shapely.centroid(patches[shapely.intersects(patches, township[0])]))
    if len(centres) == 0:
        return township
    near = (np.abs(centres[:, None, :] - centres[None, :, :]) <= half).all(axis=2).sum(axis=1)
    x, y = centres[int(np.argmax(near))]
    return np.array([shapely.box(x - half, y - half, x + half, y + half)])


def _landuse(dir: Path) -> tuple[NDArray[np.object_], list[str]]:
    meta, table = pyogrio.read_arrow(dir / "landuse.gpkg", columns=["DLBM"])
    wkb = table.column(meta["geometry_name"] or "wkb_geometry").to_numpy(zero_copy_only=False)
    geoms = to_crs(shapely.from_wkb(wkb), meta["crs"], PLANE)
    return geoms, [str(v) for v in table.column("DLBM").to_pylist()]


def _texture(rng: np.random.Generator, shape: tuple[int, int], res: float) -> NDArray[np.int16]:
    """Soft brightness swells about 300 m across and a fine grain, as offsets to add to colours."""
    h, w = shape
    cell = max(2, round(300.0 / res))
    small = rng.normal(0.0, 6.0, (h // cell + 2, w // cell + 2)).astype(np.float32)
    swell = np.asarray(Image.fromarray(small, mode="F").resize((w, h), Image.Resampling.BILINEAR))
    out = swell.astype(np.int16)
    out += rng.integers(-3, 4, (h, w), dtype=np.int16)
    return out


def _paint(
    rgb: NDArray[np.int16], texture: NDArray[np.int16], haze: tuple[int, int, int] = (0, 0, 0)
) -> NDArray[np.uint8]:
    """Colours plus texture (and a colour haze) as 8-bit RGB, 0 kept for "no data"."""
    out = np.empty(rgb.shape, dtype=np.uint8)
    for band in range(3):
        channel = rgb[:, :, band] + texture
        if haze[band]:
            channel += haze[band]
        np.clip(channel, 1, 255, out=channel)
        out[:, :, band] = channel
    return out
