"""Drawing a self-found case on the map (issue 10, item 17): a 市局 reviewer clicks the corners,
takes one back with 撤销, finishes, numbers the case and registers it; the patch page then shows
it in the township the outline lies in, with the ellipsoidal area of exactly the drawn ring."""

from __future__ import annotations

import re

import numpy as np
import pytest
import shapely
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

from factories import gk_square, to_4490
from weipian.analysis.area import AreaMethod, areas

pytestmark = pytest.mark.browser


def test_draw_undo_finish_and_register(
    site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    page = login(new_context().new_page(), "reviewer")
    tiles: list[int] = []
    page.on("response", lambda r: tiles.append(r.status) if "/tiles/" in r.url else None)
    page.goto("/patches")
    page.get_by_role("link", name="登记自主发现图斑").click()
    expect(page).to_have_url(re.compile(r"/intake/manual$"))
    page.wait_for_load_state()  # the module script has run by the load event
    assert page.evaluate("window.drawReady") is True
    (centre,) = to_4490([gk_square(-750, -150, 1).centroid])  # inside 洪濑镇, clear of its patches
    page.evaluate(
        "([x, y]) => new Promise((resolve) => {"
        " window.drawMap.once('idle', resolve); window.drawMap.jumpTo({center: [x, y], zoom: 17}); })",
        [centre.x, centre.y],
    )
    # the county's imagery under the drawing, as on the patch map (its tiles came from this server)
    assert page.evaluate("Boolean(window.drawMap.getLayer('imagery'))") is True
    assert tiles and all(status == 200 for status in tiles), tiles
    expect(page.locator("#map-imagery-note")).to_be_hidden()
    expect(page.locator("#map-imagery-date")).to_contain_text("底图为卫星影像")

    page.get_by_role("button", name="开始绘制").click()
    box = page.locator("#map").bounding_box()
    assert box
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-80, -60), (90, -50), (100, 70), (-70, 80), (0, 150)):  # the last one is a slip
        page.mouse.click(cx + dx, cy + dy)
    status = page.locator("#draw-status")
    expect(status).to_contain_text("已点 5 个拐点")
    page.get_by_role("button", name="撤销上一点").click()
    expect(status).to_contain_text("已点 4 个拐点")
    page.get_by_role("button", name="完成").click()
    text = page.locator("#geometry").input_value()
    pairs = [tuple(float(v) for v in p.split()) for p in text.split(", ")]
    assert len(pairs) == 4 and all(118 < x < 119 and 24 < y < 26 for x, y in pairs)
    shot(page, "drawn", full_page=False)

    page.locator("#jcbh").fill("ZZ-DRAWN-1")
    page.locator("select[name=change_type]").select_option("20")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page).to_have_url(re.compile(r"/patches/\d+$"))
    notice = page.locator(".alert.ok")
    expect(notice).to_contain_text("自主发现图斑 ZZ-DRAWN-1 已登记")
    expect(notice).to_contain_text("洪濑镇")
    drawn = shapely.Polygon([*pairs, pairs[0]])
    expected = float(areas(np.array([drawn], dtype=object), AreaMethod())[0])
    shown = float(re.search(r"（([\d.]+) 平方米", notice.inner_text()).group(1))  # type: ignore[union-attr]
    assert shown == pytest.approx(expected, abs=0.01)
    assert 1000 < shown < 100_000  # a building-sized outline at zoom 17
    shot(page, "registered")
