"""图斑拆分 in the browser at phone width: the township uploads a parts GeoJSON on the patch page,
the parts appear in the list and on the map (their own colour), each part's page has its own
determination form, and the split is undone."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
import shapely
from browser_helpers import Contexts, LoginFn, Shots, Site
from PIL import Image
from playwright.sync_api import expect

from factories import REGION, gk_square, patch_rows, write_vector
from split_helpers import collection, halves
from weipian.domain.sources import Source
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

pytestmark = pytest.mark.browser
PARTS_RGB = (0x00, 0xE5, 0xFF)  # SPLIT_PARTS in static/map-common.js


def _own_patch(site: Site, tmp_path: Path) -> tuple[int, bytes]:
    """A 洪濑镇 patch of its own (batch B9, so no other browser test meets it) and its halves."""
    store = Store(f"sqlite:///{site.files_dir.parent / 'weipian.db'}")
    try:
        pkg = write_vector(tmp_path / "s.gpkg", patch_rows(1, prefix="S"), [gk_square(-900, 200)])
        options = IntakeOptions(
            source=Source.ministry, batch="B9", issued=dt.date(2022, 11, 1), region=REGION
        )
        import_package(store, pkg, options)
        with store.reading() as s:
            patch = find_patch(s, "S0000")
            return int(patch.id), collection(
                halves(shapely.from_wkb(patch.wkb), 0.3)
            )  # cut off the swipe line
    finally:
        store.dispose()


def test_split_on_a_phone(
    site: Site, login: LoginFn, shot: Shots, new_context: Contexts, tmp_path: Path
) -> None:
    patch_id, parts = _own_patch(site, tmp_path)
    page = login(new_context(phone=True).new_page(), "honglai")
    page.goto(f"/patches/{patch_id}")
    form = page.locator("#split-form")
    expect(form).to_be_visible()
    form.locator("input[name=parts]").set_input_files(
        {"name": "拆分.geojson", "mimeType": "application/geo+json", "buffer": parts}
    )
    form.get_by_role("button", name="拆分").click()
    expect(page.locator(".alert").first).to_contain_text("已拆分为 2 个子图斑")
    rows = page.locator("#split-parts tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("S0000-1")
    expect(page.locator("form.detform")).to_have_count(0)  # the parent is determined through its parts
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), (
        "page scrolls sideways"
    )
    shot(page, "split-parent")

    # The map draws the parts in their own colour inside the patch's red outline.
    page.locator("#map").scroll_into_view_if_needed()
    assert isinstance(page.evaluate("window.mapReady"), dict)
    page.wait_for_timeout(500)  # the parts arrive with the patches of the view
    px = np.asarray(Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB"), dtype=np.int16)
    cyan = np.all(np.abs(px - np.array(PARTS_RGB, dtype=np.int16)) <= 60, axis=-1) & (
        px[..., 2] - px[..., 0] > 120
    )
    w = px.shape[1]
    cyan[:, w // 2 - 25 : w // 2 + 25] = False  # the swipe line in the middle is not a part
    xs = np.nonzero(cyan.any(axis=0))[0]
    assert cyan.sum() > 100, f"only {cyan.sum()} pixels in the parts' colour"
    assert xs.max() < w // 2, "the cut line lies in the western part of the patch"

    # A part's own page: its own determination form and a link back.
    rows.nth(1).get_by_role("link", name="查看与判定").click()
    expect(page.locator("h1")).to_contain_text("S0000-2")
    expect(page.locator("form.detform")).to_have_count(1)
    expect(page.locator("#split")).to_contain_text("S0000 拆分出的子图斑")
    shot(page, "split-part")

    # Undo (nothing recorded on any part yet): back to one patch.
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="撤销拆分").click()
    expect(page.locator(".alert").first).to_contain_text("已撤销图斑 S0000 的拆分")
    expect(page.locator("#split-form")).to_be_visible()
    expect(page.locator("form.detform")).to_have_count(1)
