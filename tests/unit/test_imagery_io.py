"""Imagery files: GeoTIFF → COG, the facts kept about it, PNG tiles; bad inputs refused."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import morecantile
import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer
from rasterio.errors import NotGeoreferencedWarning
from rio_cogeo.cogeo import cog_validate

from factories import CHANGE_RGB, ORIGIN, demo_tif
from weipian.errors import InputError
from weipian.io.imagery import raster_facts, render_tile, to_cog
from weipian.messages import message

TMS = morecantile.tms.get("WebMercatorQuad")


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = Transformer.from_crs(4527, 4326, always_xy=True).transform(x, y)
    return float(lon), float(lat)


def test_cog_from_gk_geotiff_is_valid_with_lonlat_bounds(tmp_path: Path) -> None:
    src = demo_tif(tmp_path / "before.tif")
    facts = to_cog(src, tmp_path / "out" / "image.tif")
    valid, errors, _warnings = cog_validate(tmp_path / "out" / "image.tif", quiet=True)
    assert valid and not errors
    assert (facts.crs, facts.width, facts.height, facts.bands) == ("EPSG:4527", 680, 680, 3)
    # pyproj's own answer: the lon/lat box of the square's densified outline (it is turned by
    # the meridian convergence, so the corners alone are not enough)
    expected = Transformer.from_crs(4527, 4326, always_xy=True).transform_bounds(
        ORIGIN[0] - 1200, ORIGIN[1] - 1200, ORIGIN[0] + 2200, ORIGIN[1] + 2200, densify_pts=21
    )
    assert facts.bounds == pytest.approx(expected, abs=1e-6)
    assert (
        118.0 < facts.bounds[0] < facts.bounds[2] < 119.0 and 24.5 < facts.bounds[1] < facts.bounds[3] < 25.5
    )
    with rasterio.open(tmp_path / "out" / "image.tif") as cog:
        assert cog.compression.name == "jpeg" and cog.overviews(1) and cog.block_shapes[0] == (512, 512)
    assert raster_facts(tmp_path / "out" / "image.tif") == facts
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["image.tif"]  # no temporary leftovers


def test_16_bit_four_band_image_becomes_a_deflate_cog(tmp_path: Path) -> None:
    src = demo_tif(tmp_path / "u16.tif", dtype="uint16", bands=4, pixel_m=10.0)
    facts = to_cog(src, tmp_path / "u16.cog.tif")
    assert facts.bands == 4
    assert cog_validate(tmp_path / "u16.cog.tif", quiet=True)[0]
    with rasterio.open(tmp_path / "u16.cog.tif") as cog:
        assert cog.compression.name == "deflate" and cog.dtypes[0] == "uint16"
    lon, lat = _lonlat(ORIGIN[0] + 500, ORIGIN[1] + 500)
    t = TMS.tile(lon, lat, 15)
    png = render_tile(tmp_path / "u16.cog.tif", t.z, t.x, t.y)
    assert png is not None and Image.open(io.BytesIO(png)).mode == "RGBA"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: p, "imagery.not_found"),
        (lambda p: (p.write_text("不是影像", encoding="utf-8"), p)[1], "imagery.not_raster"),
        (lambda p: (p.write_bytes(b"II*\x00" + b"\x00" * 20), p)[1], "imagery.not_raster"),
    ],
    ids=["missing", "text", "truncated_tiff"],
)
def test_bad_inputs_are_refused_in_chinese(tmp_path: Path, make, code: str) -> None:  # type: ignore[no-untyped-def]
    src = make(tmp_path / "x.tif")
    with pytest.raises(InputError) as info:
        to_cog(src, tmp_path / "out" / "x.tif")
    assert info.value.code == code
    assert "影像" in message(info.value.code, **info.value.params) or "栅格" in str(info.value)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_raster_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="GTiff", width=8, height=8, count=3, dtype="uint8") as dst:
            dst.write(np.full((3, 8, 8), 100, dtype=np.uint8))
    with pytest.raises(InputError) as info:
        raster_facts(path)
    assert info.value.code == "imagery.no_crs"
    assert "坐标系" in str(info.value)


def test_png_raster_is_not_a_geotiff(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    Image.new("RGB", (8, 8), (10, 20, 30)).save(path)
    with pytest.raises(InputError) as info:
        to_cog(path, tmp_path / "out.tif")
    assert info.value.code == "imagery.not_geotiff"
    assert "GeoTIFF" in str(info.value)


def test_render_tile_inside_outside_and_on_the_change(tmp_path: Path) -> None:
    cog = tmp_path / "after.tif"
    to_cog(demo_tif(tmp_path / "after_src.tif", phase="after"), cog)
    lon, lat = _lonlat(ORIGIN[0] + 50, ORIGIN[1] + 50)  # the middle of small_county's P0000
    t = TMS.tile(lon, lat, 17)
    png = render_tile(cog, t.z, t.x, t.y)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert img.shape == (256, 256, 4) and (img[:, :, 3] == 255).all()  # well inside: all opaque
    bounds = TMS.xy_bounds(t)
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    col = int((x - bounds.left) / (bounds.right - bounds.left) * 256)
    row = int((bounds.top - y) / (bounds.top - bounds.bottom) * 256)
    assert np.abs(img[row, col, :3].astype(int) - CHANGE_RGB).max() < 20  # bare soil where P0000 is
    edge = TMS.tile(*_lonlat(ORIGIN[0] - 1200, ORIGIN[1] - 1200), 14)
    corner = np.asarray(
        Image.open(io.BytesIO(render_tile(cog, edge.z, edge.x, edge.y) or b"")).convert("RGBA")
    )
    assert 0 < (corner[:, :, 3] == 255).sum() < 256 * 256  # part image, part transparent
    assert set(np.unique(corner[:, :, 3])) <= {0, 255}
    far = TMS.tile(0.0, 0.0, 12)
    assert render_tile(cog, far.z, far.x, far.y) is None
