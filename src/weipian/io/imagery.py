"""Imagery files: GeoTIFF → cloud-optimised GeoTIFF (COG), the facts kept about it, XYZ tiles.

A registered image is converted once to a COG (internal 512-pixel tiles, overviews; JPEG for
3-band 8-bit pictures, DEFLATE otherwise), written under a temporary name in the target folder
and renamed when complete. The web serves it as PNG tiles (rio-tiler); the file is always found
from an image id in the database, never from a path in a request.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioError, RasterioIOError
from rasterio.warp import transform_bounds
from rio_tiler.errors import TileOutsideBounds  # at import: a lazy import raced in the server's threads
from rio_tiler.io import Reader

from weipian.errors import InputError

__all__ = ["RasterFacts", "raster_facts", "render_tile", "to_cog"]

GEOTIFF_DRIVERS = ("GTiff", "COG")


@dataclass(frozen=True)
class RasterFacts:
    """What is kept about an image: its CRS, size, band count and lon/lat (EPSG:4326) bounds."""

    crs: str  # e.g. "EPSG:4527"
    width: int
    height: int
    bands: int
    bounds: tuple[float, float, float, float]  # west, south, east, north in degrees


def crs_label(crs: CRS) -> str:
    """``EPSG:n`` when the CRS has a code, else its shortest text (at most 64 characters)."""
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    return str(crs.to_string())[:64]


@contextlib.contextmanager
def _open(path: Path) -> Iterator[rasterio.io.DatasetReader]:
    """Open a georeferenced GeoTIFF or raise the :class:`InputError` that says what is wrong."""
    if not path.is_file():
        raise InputError("imagery.not_found", path=str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            src = rasterio.open(path)
        except RasterioIOError as exc:
            raise InputError("imagery.not_raster", path=str(path)) from exc
    with src:
        if src.driver not in GEOTIFF_DRIVERS:
            raise InputError("imagery.not_geotiff", path=str(path), driver=src.driver)
        if src.crs is None or src.transform.is_identity:
            raise InputError("imagery.no_crs", path=str(path))
        yield src


def _facts(src: rasterio.io.DatasetReader) -> RasterFacts:
    w, s, e, n = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    return RasterFacts(crs_label(src.crs), src.width, src.height, src.count, (w, s, e, n))


def raster_facts(path: Path) -> RasterFacts:
    """The facts of a georeferenced GeoTIFF; :class:`InputError` if it is not one."""
    with _open(Path(path)) as src:
        return _facts(src)


def _profile(src: rasterio.io.DatasetReader) -> dict[str, object]:
    from rio_cogeo.profiles import cog_profiles

    rgb8 = src.count == 3 and all(dt == "uint8" for dt in src.dtypes)
    profile: dict[str, object] = dict(cog_profiles.get("jpeg" if rgb8 else "deflate"))  # type: ignore[no-untyped-call]
    if rgb8:
        profile["quality"] = 85
    else:
        profile["predictor"] = 2 if np.dtype(src.dtypes[0]).kind in "iu" else 3
    return profile


def to_cog(source: Path, target: Path) -> RasterFacts:
    """Convert ``source`` into a COG at ``target`` (temporary name, fsync, rename); its facts.

    Raises :class:`InputError` (nothing written) when ``source`` is not a georeferenced GeoTIFF
    or cannot be read to the end.
    """
    from rio_cogeo.cogeo import cog_translate

    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.partial{target.suffix}")
    try:
        with _open(source) as src:
            profile = _profile(src)
            has_mask = src.nodata is not None or any(f.name != "all_valid" for f in src.mask_flag_enums[0])
            try:
                cog_translate(
                    src,
                    tmp,
                    profile,
                    add_mask=has_mask and profile["compress"] == "JPEG",
                    overview_resampling="average",
                    config={"GDAL_NUM_THREADS": "2", "GDAL_TIFF_INTERNAL_MASK": True},
                    in_memory=False,
                    quiet=True,
                )
            except RasterioError as exc:
                raise InputError("imagery.unreadable", path=str(source), detail=str(exc)[:200]) from exc
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        with rasterio.open(tmp) as cog:
            facts = _facts(cog)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return facts


@lru_cache(maxsize=64)
def _stretch(path: str, mtime: float) -> tuple[tuple[float, float], ...] | None:
    """Display range of a non-8-bit image (2–98 % of its smallest overview), cached per file."""
    with rasterio.open(path) as src:
        if src.dtypes[0] == "uint8":
            return None
        level = src.overviews(1)
        factor = level[-1] if level else max(1, max(src.width, src.height) // 1024)
        shape = (src.count, max(1, src.height // factor), max(1, src.width // factor))
        data = src.read(out_shape=shape, masked=True)
    ranges = []
    for band in data[: min(3, src.count)]:
        values = band.compressed()
        lo, hi = np.percentile(values, (2, 98)) if values.size else (0.0, 1.0)
        ranges.append((float(lo), float(hi if hi > lo else lo + 1)))
    return tuple(ranges)


def render_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    """The XYZ (Web Mercator) tile ``z/x/y`` of a COG as PNG with transparency; None outside it.

    Three or more bands show as colour (the first three), one or two as grey; 16-bit and float
    images are stretched to 8 bits for display.
    """

    with Reader(str(path)) as src:
        if not src.tile_exists(x, y, z):
            return None
        indexes = (1, 2, 3) if src.dataset.count >= 3 else (1,)
        try:
            img = src.tile(x, y, z, indexes=indexes)
        except TileOutsideBounds:
            return None
    if not img.mask.any():
        return None
    stretch = _stretch(str(path), os.stat(path).st_mtime)
    if stretch is not None:
        img = img.rescale(in_range=stretch)
    png: bytes = img.render(img_format="PNG", add_mask=True)
    return png
