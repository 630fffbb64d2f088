"""The statistics page in a real browser: tables, the SVG chart, the 约谈 list, downloads."""

from __future__ import annotations

import pytest
from browser_helpers import LoginFn, Shots, Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_stats_page_for_the_bureau_and_a_township(
    page: Page, site: Site, login: LoginFn, shot: Shots
) -> None:
    login(page, "admin")
    page.get_by_role("navigation").get_by_role("link", name="统计考核").click()
    expect(page.get_by_role("heading", name="统计与考核")).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("#unit-table tbody tr")).to_have_count(28)  # 27 units + the unassigned row
    expect(page.locator("#unit-table tfoot")).to_contain_text("合计")
    expect(page.locator("#interviews")).to_be_visible()
    shot(page, "stats-county")
    with page.expect_download() as got:
        page.get_by_role("link", name="整改统计表").click()
    assert got.value.suggested_filename.endswith("整改统计表.xlsx")
    page.get_by_role("link", name="图斑分布图").click()
    expect(page.locator("svg.map circle").first).to_be_attached()
    shot(page, "stats-map")
    page.goto("/stats")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "stats-phone")


def test_stats_page_for_a_township(page: Page, site: Site, login: LoginFn, shot: Shots) -> None:
    login(page, "honglai")
    page.goto("/stats")
    expect(page.locator("#unit-table tbody tr")).to_have_count(1)
    expect(page.locator("#unit-table")).to_contain_text("洪濑镇")
    expect(page.get_by_role("link", name="整改统计表")).to_have_count(0)
    shot(page, "stats-township")
