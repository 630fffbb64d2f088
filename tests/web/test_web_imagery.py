"""Imagery over the web: PNG tiles by image id (login required, 204 outside, 404 unknown) and
the before/after pair of a patch, scoped like the patch itself."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import morecantile
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pyproj import Transformer
from web_helpers import login

from factories import CHANGE_RGB, ORIGIN, demo_tif
from weipian.services.imagery import ImageInfo, add_image
from weipian.storage.store import Store

TMS = morecantile.tms.get("WebMercatorQuad")


@pytest.fixture
def pair(county: Store, tmp_path: Path) -> dict[str, ImageInfo]:
    """A before and an after image over the small county, in the app's files dir."""
    files = tmp_path / "files"
    return {
        "before": add_image(
            county,
            files,
            demo_tif(tmp_path / "b.tif"),
            phase="before",
            taken_on=dt.date(2022, 2, 1),
            actor_name="admin",
        ),
        "after": add_image(
            county,
            files,
            demo_tif(tmp_path / "a.tif", phase="after"),
            phase="after",
            taken_on=dt.date(2022, 10, 1),
            actor_name="admin",
        ),
    }


def _tile_at(x: float, y: float, z: int) -> tuple[int, int, int, int, int]:
    """The tile holding EPSG:4527 point (x, y) and the pixel (row, col) of the point in it."""
    lon, lat = Transformer.from_crs(4527, 4326, always_xy=True).transform(x, y)
    t = TMS.tile(lon, lat, z)
    b = TMS.xy_bounds(t)
    mx, my = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    return (
        t.z,
        t.x,
        t.y,
        int((b.top - my) / (b.top - b.bottom) * 256),
        int((mx - b.left) / (b.right - b.left) * 256),
    )


def test_tile_inside_is_a_png_showing_the_change(client: TestClient, pair: dict[str, ImageInfo]) -> None:
    login(client, "honglai")
    z, x, y, row, col = _tile_at(ORIGIN[0] + 50, ORIGIN[1] + 50, 17)
    r = client.get(f"/tiles/{pair['after'].id}/{z}/{x}/{y}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"].startswith("private") and "max-age" in r.headers["cache-control"]
    img = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGBA"))
    assert (img[:, :, 3] == 255).all()
    assert np.abs(img[row, col, :3].astype(int) - CHANGE_RGB).max() < 20
    before = client.get(f"/tiles/{pair['before'].id}/{z}/{x}/{y}.png")
    pixel = np.asarray(Image.open(io.BytesIO(before.content)).convert("RGB"))[row, col]
    assert np.abs(pixel.astype(int) - CHANGE_RGB).max() > 40  # no change there yet


def test_tile_outside_is_204_and_unknown_id_404(client: TestClient, pair: dict[str, ImageInfo]) -> None:
    login(client, "leader")
    far = TMS.tile(100.0, 10.0, 12)
    r = client.get(f"/tiles/{pair['before'].id}/{far.z}/{far.x}/{far.y}.png")
    assert r.status_code == 204 and not r.content
    assert client.get(f"/tiles/{pair['before'].id}/3/99/99.png").status_code == 204  # not a tile at all
    assert client.get("/tiles/999999/17/1/1.png").status_code == 404
    assert client.get("/tiles/abc/17/1/1.png").status_code == 422


def test_tiles_and_api_need_a_login(
    client: TestClient, pair: dict[str, ImageInfo], ids: dict[str, int]
) -> None:
    z, x, y, _, _ = _tile_at(ORIGIN[0] + 50, ORIGIN[1] + 50, 17)
    r = client.get(f"/tiles/{pair['after'].id}/{z}/{x}/{y}.png")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get(f"/api/imagery?patch_id={ids['P0000']}").status_code == 401


def test_api_gives_the_pair_for_a_visible_patch(
    client: TestClient, pair: dict[str, ImageInfo], ids: dict[str, int]
) -> None:
    login(client, "honglai")
    r = client.get(f"/api/imagery?patch_id={ids['P0000']}")
    assert r.status_code == 200
    body = r.json()
    for phase in ("before", "after"):
        side = body[phase]
        assert side["id"] == pair[phase].id
        assert side["tiles"] == f"/tiles/{pair[phase].id}/{{z}}/{{x}}/{{y}}.png"
        assert side["bounds"] == pytest.approx(list(pair[phase].bounds), abs=1e-6)
    assert (body["before"]["taken_on"], body["after"]["taken_on"]) == ("2022-02-01", "2022-10-01")


def test_api_scope_and_no_imagery(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    login(client, "honglai")
    assert client.get(f"/api/imagery?patch_id={ids['P0000']}").json() == {"before": None, "after": None}
    r = client.get(f"/api/imagery?patch_id={ids['P0001']}")  # 洪梅镇's patch
    assert r.status_code == 404 and r.json()["error"]["code"] == "patch.no_such_id"
    assert client.get(f"/api/imagery?patch_id={ids['P0002']}").status_code == 404  # military
    assert client.get("/api/imagery?patch_id=999999").status_code == 404
    assert client.get("/api/imagery").status_code == 422


def test_missing_file_is_404_not_500(client: TestClient, pair: dict[str, ImageInfo], tmp_path: Path) -> None:
    login(client, "admin")
    (tmp_path / "files" / "imagery" / pair["before"].stored_name).unlink()
    r = client.get(f"/tiles/{pair['before'].id}/17/1/1.png")
    assert r.status_code == 404
