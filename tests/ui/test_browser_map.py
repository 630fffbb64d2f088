"""The patch map, checked by its pixels: the patch outline over the before/after imagery, and the
swipe between them. Contract with static/map.js: ``window.mapReady`` resolves once the patch and
the imagery are drawn; ``#map``'s ``data-outline`` is the outline colour; the swipe is
maplibre-gl-compare (handle ``.compare-swiper-vertical``)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from browser_helpers import LoginFn, Shots, Site
from numpy.typing import NDArray
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

BACKGROUND = (0xD9, 0xDE, 0xE5)  # the map style's background: what shows where no imagery is drawn
Pixels = NDArray[np.int16]


def grab(page: Page) -> Pixels:
    """``#map`` as an (h, w, 3) array of screen pixels."""
    png = page.locator("#map").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def near(px: Pixels, rgb: tuple[int, int, int], tol: int) -> NDArray[np.bool_]:
    return np.all(np.abs(px - np.array(rgb, dtype=np.int16)) <= tol, axis=-1)  # type: ignore[no-any-return]


def open_map(page: Page, site: Site, login: LoginFn, code: str = "P0000") -> dict[str, Any]:
    login(page, "reviewer")
    tiles: list[int] = []
    page.on("response", lambda r: tiles.append(r.status) if "/tiles/" in r.url else None)
    page.goto(f"/patches/{site.ids[code]}")
    page.locator("#map").scroll_into_view_if_needed()
    ready = page.evaluate("window.mapReady")
    assert isinstance(ready, dict), ready
    assert 200 in tiles, f"no imagery tile was served: {tiles}"
    assert all(status < 500 for status in tiles), f"imagery tiles failed on the server: {sorted(tiles)}"
    return ready


def test_map_draws_patch_outline_over_both_images(
    page: Page, site: Site, login: LoginFn, shot: Shots
) -> None:
    ready = open_map(page, site, login)
    assert ready["patch"] is True
    assert ready["before"] is not None and ready["after"] is not None, ready
    assert ready["before"] != ready["after"]
    expect(page.locator("#map .maplibregl-canvas")).to_have_count(2)  # before and after
    px = grab(page)
    shot.folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(px.astype(np.uint8)).save(shot.folder / "map.png")
    shot(page, "patch-page")
    h, w, _ = px.shape

    # Imagery is drawn: almost nothing is the bare background, and the picture is not flat.
    bare = near(px, BACKGROUND, 6).mean()
    assert bare < 0.05, f"{bare:.1%} of the map is bare background: no imagery drawn"
    for half in (px[:, : w // 2 - 20], px[:, w // 2 + 20 :]):
        assert len(np.unique(half.reshape(-1, 3), axis=0)) > 8, "imagery looks uniform"

    # The outline: the colour the page declares, as a closed ring around the patch, which the
    # map fits in the middle of the view.
    outline = hex_rgb(page.locator("#map").get_attribute("data-outline") or "")
    ring = near(px, outline, 60) & (px[..., 0] - px[..., 1] > 100)
    ys, xs = np.nonzero(ring)
    assert len(xs) > 200, f"only {len(xs)} pixels in the outline colour {outline}"
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    assert abs((x0 + x1) / 2 - w / 2) < 0.08 * w and abs((y0 + y1) / 2 - h / 2) < 0.08 * h, (
        x0,
        x1,
        y0,
        y1,
        w,
        h,
    )
    bw, bh = x1 - x0, y1 - y0
    assert bh > 0.4 * h and 0.8 < bw / bh < 1.25, (
        f"outline box {bw}×{bh} in a {w}×{h} map: not the square patch"
    )
    band = 5
    edges = {
        "top": ring[y0 : y0 + band, x0 : x1 + 1].any(axis=0),
        "bottom": ring[y1 - band + 1 : y1 + 1, x0 : x1 + 1].any(axis=0),
        "left": ring[y0 : y1 + 1, x0 : x0 + band].any(axis=1),
        "right": ring[y0 : y1 + 1, x1 - band + 1 : x1 + 1].any(axis=1),
    }
    for side, hits in edges.items():
        assert hits.mean() > 0.85, f"the outline's {side} edge is drawn along {hits.mean():.0%} of its length"
    inside = ring[y0 + 3 * band : y1 - 3 * band, x0 + 3 * band : x1 - 3 * band]
    assert inside.mean() < 0.01, "the patch is filled with the outline colour, not outlined"

    # Left of the swipe the before image, right of it the after image, where the patch is bare
    # soil: inside the outline the two halves differ.
    left = px[y0 + 20 : y1 - 20, x0 + 20 : w // 2 - 40].reshape(-1, 3).mean(axis=0)
    right = px[y0 + 20 : y1 - 20, w // 2 + 40 : x1 - 20].reshape(-1, 3).mean(axis=0)
    assert np.abs(left - right).sum() > 40, f"before {left} and after {right} look alike inside the patch"


def test_swipe_moves_the_border_between_before_and_after(
    page: Page, site: Site, login: LoginFn, shot: Shots
) -> None:
    open_map(page, site, login)
    handle = page.locator(".maplibregl-compare .compare-swiper-vertical")
    expect(handle).to_be_visible()
    box = page.locator("#map").bounding_box()
    start = handle.bounding_box()
    assert box and start
    assert abs(start["x"] + start["width"] / 2 - (box["x"] + box["width"] / 2)) < 3, (
        "the swipe starts mid-map"
    )
    first = grab(page)
    shot(page, "swipe-middle", full_page=False)

    target_x = box["x"] + box["width"] * 0.25
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(target_x, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()
    moved = handle.bounding_box()
    assert moved and abs(moved["x"] + moved["width"] / 2 - target_x) < 3, (moved, target_x)
    second = grab(page)
    Image.fromarray(second.astype(np.uint8)).save(shot.folder / "map-swiped.png")
    shot(page, "swipe-quarter", full_page=False)

    w = first.shape[1]
    diff = np.abs(first - second).sum(axis=-1)
    uncovered = diff[:, int(w * 0.27) : int(w * 0.48)].mean()  # was before, now after
    kept_left = diff[:, : int(w * 0.22)].mean()  # before all along
    kept_right = diff[:, int(w * 0.53) :].mean()  # after all along
    assert uncovered > 10, f"the strip the swipe uncovered hardly changed ({uncovered:.1f})"
    assert kept_left < 2 and kept_right < 2, (kept_left, kept_right)
