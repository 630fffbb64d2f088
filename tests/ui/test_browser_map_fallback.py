"""Without WebGL the patch map falls back to Leaflet (static/map-leaflet.js): the same outline
over the same imagery, checked by its pixels, and a swipe that moves the cut between the two."""

from __future__ import annotations

import numpy as np
import pytest
from browser_helpers import Contexts, Shots, Site, log_in
from PIL import Image
from playwright.sync_api import Browser
from test_browser_map import BACKGROUND, grab, hex_rgb, near

pytestmark = pytest.mark.browser


def test_without_webgl_leaflet_draws_outline_imagery_and_swipe(
    browser_without_webgl: Browser, site: Site, shot: Shots
) -> None:
    contexts = Contexts(browser_without_webgl, site)
    try:
        page = log_in(contexts().new_page(), "reviewer")
        page.goto(f"/patches/{site.ids['P0000']}")
        assert page.evaluate("Boolean(document.createElement('canvas').getContext('webgl'))") is False
        ready = page.evaluate("window.mapReady")
        assert ready["renderer"] == "leaflet" and ready["patch"] is True, ready
        assert ready["before"] is not None and ready["after"] is not None, ready
        page.locator("#map").scroll_into_view_if_needed()
        px = grab(page)
        shot(page, "leaflet-patch-page")
        h, w, _ = px.shape

        assert near(px, BACKGROUND, 6).mean() < 0.05, "no imagery drawn"
        outline = hex_rgb(page.locator("#map").get_attribute("data-outline") or "")
        ys, xs = np.nonzero(near(px, outline, 60) & (px[..., 0] - px[..., 1] > 100))
        assert len(xs) > 200, f"only {len(xs)} pixels in the outline colour"
        assert abs((xs.min() + xs.max()) / 2 - w / 2) < 0.08 * w  # the patch in the middle
        assert abs((ys.min() + ys.max()) / 2 - h / 2) < 0.08 * h

        # Moving the cut to a fifth of the width: the strip between 1/5 and 1/2 turns from the
        # after image to the before image; the right-hand edge stays the after image.
        page.locator(".map-swipe").fill("0.2")
        swiped = grab(page)
        Image.fromarray(swiped.astype(np.uint8)).save(shot.folder / "leaflet-swiped.png")
        strip = (slice(h // 4, 3 * h // 4), slice(int(0.25 * w), int(0.45 * w)))
        edge = (slice(h // 4, 3 * h // 4), slice(int(0.85 * w), int(0.95 * w)))
        changed = np.abs(swiped[strip] - px[strip]).max(axis=-1) > 20
        assert changed.mean() > 0.3, f"the swipe changed {changed.mean():.0%} of the strip"
        assert np.abs(swiped[edge] - px[edge]).max(axis=-1).mean() < 5
    finally:
        contexts.close(shot, failed=False)
    assert not site.foreign(contexts.requests)
