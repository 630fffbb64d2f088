"""Builders of small delivery files for tests: real GBK shapefiles, GeoPackages, GeoJSON.

Squares are drawn in EPSG:4527 metres near Nan'an so areas are obvious; ``ORIGIN`` is the
100 m square whose ellipsoidal area PostGIS gives as 9 995.058190 m² (STACK.md).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

ORIGIN = (39641453.0, 2755704.0)  # EPSG:4527, inside Nan'an
SQUARE_100M_ELLIPSOIDAL_M2 = 9995.058190


def gk_square(dx: float = 0.0, dy: float = 0.0, size: float = 100.0) -> shapely.Polygon:
    """A square in EPSG:4527 metres, offset from ``ORIGIN``."""
    x, y = ORIGIN[0] + dx, ORIGIN[1] + dy
    return shapely.box(x, y, x + size, y + size)


def to_4490(geoms: Sequence[Any], epsg: int = 4527) -> list[Any]:
    return list(gpd.GeoSeries(list(geoms), crs=epsg).to_crs(4490))


def patch_rows(n: int, prefix: str = "P", **extra: Any) -> list[dict[str, Any]]:
    """Attribute rows for ``n`` patches with plausible delivered fields."""
    return [
        {
            "JCBH": f"{prefix}{i:04d}",
            "XZQDM": "350583",
            "XZQMC": "南安市",
            "TBLX": "20",
            "QSX": "20220301",
            "HSX": "20220901",
            "NF": 2022,
            **extra,
        }
        for i in range(n)
    ]


def write_vector(
    path: Path,
    rows: list[dict[str, Any]],
    geoms: Sequence[Any],
    *,
    epsg: int | None = 4527,
    encoding: str | None = None,
    keep_cpg: bool = True,
    keep_prj: bool = True,
) -> Path:
    """Write ``rows``/``geoms`` with the driver the suffix implies; options mimic deliveries."""
    gdf = gpd.GeoDataFrame(rows, geometry=list(geoms), crs=epsg)
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {}
    if encoding:
        kwargs["encoding"] = encoding
    pyogrio.write_dataframe(gdf, path, **kwargs)
    if path.suffix == ".shp":
        if not keep_cpg:
            path.with_suffix(".cpg").unlink(missing_ok=True)
        if not keep_prj:
            path.with_suffix(".prj").unlink(missing_ok=True)
    return path


class _GbkZipInfo(zipfile.ZipInfo):
    """Member name stored in GBK without the UTF-8 flag, as zips made on Chinese Windows are."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_shapefile(shp: Path, zip_path: Path, *, gbk_names: bool = False) -> Path:
    """Zip a shapefile's parts; ``gbk_names`` stores member names in GBK without the UTF-8 flag."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            if gbk_names:
                info = _GbkZipInfo(part.name)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, part.read_bytes())
            else:
                zf.write(part, part.name)
    return zip_path


def square_grid(n: int, size: float = 100.0, gap: float = 50.0) -> list[shapely.Polygon]:
    """``n`` separate squares in a row, EPSG:4527."""
    return [gk_square(i * (size + gap), 0.0, size) for i in range(n)]


def bowtie(dx: float = 0.0) -> shapely.Polygon:
    x, y = ORIGIN[0] + dx, ORIGIN[1] - 500
    return shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)])


def as_array(geoms: Sequence[Any]) -> np.ndarray:  # type: ignore[type-arg]
    return np.array(list(geoms), dtype=object)


REGION = (117.8, 24.4, 118.9, 25.5)
HONGLAI, HONGMEI = "350583113", "350583114"


def small_county(store: Any, tmp: Path) -> Any:
    """Three analysed and pre-judged patches: P0000 in 洪濑镇, P0001 in 洪梅镇, P0002 on military
    land (restricted, outside both townships); all on 耕地; issued 2022-11-01."""
    import datetime as dt

    from weipian.domain.layers import LayerKind
    from weipian.domain.sources import Source
    from weipian.rules import load_rules
    from weipian.services.analyze import analyze
    from weipian.services.intake import IntakeOptions, import_package
    from weipian.services.judge import judge_patches
    from weipian.services.layers import import_layer

    towns = write_vector(
        tmp / "t.gpkg",
        [{"XZQDM": HONGLAI, "XZQMC": "洪濑镇"}, {"XZQDM": HONGMEI, "XZQMC": "洪梅镇"}],
        [gk_square(-1000, -1000, 1500), gk_square(500, -1000, 1500)],
    )
    import_layer(store, towns, LayerKind.townships, region=REGION)
    land = write_vector(tmp / "l.gpkg", [{"DLBM": "0101"}], [gk_square(-1000, -1000, 3000)])
    import_layer(store, land, LayerKind.landuse, region=REGION)
    mil = write_vector(tmp / "m.gpkg", [{"NAME": "某部"}], [gk_square(1000, 1000, 100)])
    import_layer(store, mil, LayerKind.military, region=REGION)
    pkg = write_vector(tmp / "p.gpkg", patch_rows(3), [gk_square(0), gk_square(700), gk_square(1000, 1000)])
    options = IntakeOptions(source=Source.ministry, batch="B1", issued=dt.date(2022, 11, 1), region=REGION)
    import_package(store, pkg, options)
    analyze(store, workers=1)
    judge_patches(store, load_rules(), on=dt.date(2022, 11, 20))
    return store


SMALL_COUNTY_BOUNDS_GK = (ORIGIN[0] - 1200, ORIGIN[1] - 1200, ORIGIN[0] + 2200, ORIGIN[1] + 2200)
BEFORE_RGB, AFTER_RGB, CHANGE_RGB = (70, 120, 60), (90, 125, 70), (200, 165, 120)


def demo_tif(
    path: Path,
    bounds_gk: tuple[float, float, float, float] = SMALL_COUNTY_BOUNDS_GK,
    phase: str = "before",
    *,
    pixel_m: float = 5.0,
    changes: Sequence[Any] = (),
    dtype: str = "uint8",
    bands: int = 3,
) -> Path:
    """A georeferenced GeoTIFF in EPSG:4527 over ``bounds_gk``: plain green fields ("before") or a
    greener picture with ``changes`` (polygons in EPSG:4527; default the small_county patches for
    "after") burnt in as bare soil, so a test can check the patch sits on a visible change."""
    import rasterio
    from affine import Affine
    from rasterio.features import geometry_mask

    xmin, ymin, xmax, ymax = bounds_gk
    width, height = round((xmax - xmin) / pixel_m), round((ymax - ymin) / pixel_m)
    transform = Affine(pixel_m, 0.0, xmin, 0.0, -pixel_m, ymax)
    rgb = np.empty((3, height, width), dtype=np.uint8)
    colour = BEFORE_RGB if phase == "before" else AFTER_RGB
    for band in range(3):
        rgb[band] = colour[band]
    rgb[:, :: max(1, round(50 / pixel_m)), :] -= 15  # field edges every 50 m
    if phase != "before":
        shapes = list(changes) or [gk_square(0), gk_square(700), gk_square(1000, 1000)]
        burnt = ~geometry_mask(shapes, (height, width), transform, all_touched=True)
        for band in range(3):
            rgb[band][burnt] = CHANGE_RGB[band]
    data = np.stack([rgb[i % 3] for i in range(bands)]).astype(dtype)
    if dtype != "uint8":
        data *= 40  # 16-bit sensor values
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        path, "w", driver="GTiff", width=width, height=height, count=bands, dtype=dtype, crs="EPSG:4527",
        transform=transform,
    ) as dst:  # fmt: skip
        dst.write(data)
    return path
