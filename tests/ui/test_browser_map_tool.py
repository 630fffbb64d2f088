"""The map as a field tool (issue 12 item 4): loading state, legend, a click inside the patch
selects the patch (not the 地类图斑 under it) and shows the point's coordinates, 「我的位置」."""

from __future__ import annotations

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_map_click_selects_the_patch_and_my_position(
    phone: bool, site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    context = new_context(phone=phone)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"longitude": 118.3995, "latitude": 24.8999, "accuracy": 8})
    page = login(context.new_page(), "reviewer")
    page.goto(f"/patches/{site.ids['P0000']}")
    assert isinstance(page.evaluate("window.mapReady"), dict)
    expect(page.locator("#map-loading")).to_have_count(0)
    legend = page.locator(".map-legend")
    expect(legend).to_contain_text("本图斑")
    expect(legend).to_contain_text("周边其他图斑")

    # 地类图斑 on: it lies under the whole patch; a click in the patch still means the patch.
    with page.expect_response(lambda r: "/api/map/layers/landuse" in r.url):
        page.locator('#map-layers input[data-kind="landuse"]').check()
    page.wait_for_timeout(300)  # the new source is drawn on the next frame
    box = page.locator("#map").bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.45)
    info = page.locator("#map-info")
    expect(info.locator("h3")).to_have_text("图斑 P0000")
    expect(info).to_contain_text("监测编号")
    expect(info.locator(".click-point")).to_contain_text("经度 118.")
    shot(page, "map-clicked", full_page=False)

    page.get_by_role("button", name="我的位置").click()
    expect(info).to_contain_text("我的位置：经度 118.399500，纬度 24.899900")
    expect(page.locator("#map .me-dot")).to_have_count(1)
    shot(page, "map-my-position", full_page=False)


def test_map_shows_field_photos_with_their_direction(
    site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    # R0004's photos were uploaded by test_browser_phone_patch (one inside, one 2 km away);
    # upload here one of our own on R0005 so the test stands alone.
    from photos import field_photo

    page = login(new_context().new_page(), "honglai")
    page.goto(f"/patches/{site.ids['R0005']}")
    page.locator("#evidence .evidence-files input[name=files]").set_input_files(
        [{"name": "北望.jpg", "mimeType": "image/jpeg", "buffer": field_photo(dx=-250, dy=-850, azimuth=0.0)}]
    )
    with page.expect_navigation():
        page.locator("#evidence").get_by_role("button", name="上传").click()
    answer = page.evaluate(f"fetch('/api/map/photos?patch_id={site.ids['R0005']}').then(r => r.json())")
    assert [f["properties"]["name"] for f in answer["features"]] == ["北望.jpg"]
    assert answer["features"][0]["properties"]["azimuth"] == 0.0
    assert isinstance(page.evaluate("window.mapReady"), dict)
    expect(page.locator(".map-legend")).to_contain_text("现场照片")
    page.locator("#map-section").scroll_into_view_if_needed()
    shot(page, "map-photo", full_page=False)
    # Another township's patch: no photos of it, 404.
    status = page.evaluate(f"fetch('/api/map/photos?patch_id={site.ids['P0001']}').then(r => r.status)")
    assert status == 404
