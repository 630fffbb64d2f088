"""单位与账号 (``/units``) in Chromium, on a desktop and a phone: the 市局 sees every unit with its
townships and accounts; the table turns into cards on a phone without sideways scrolling; a
township account has no link to it. Reads only: no patch of the shared site is touched."""

from __future__ import annotations

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_units_page(phone: bool, site: Site, login: LoginFn, shot: Shots, new_context: Contexts) -> None:
    page = login(new_context(phone=phone).new_page(), "admin")
    page.goto("/units")
    row = page.locator("#units tbody tr", has_text="水头分局")
    expect(row).to_contain_text("水头镇")
    expect(row).to_contain_text("分局")
    expect(page.locator("#units tbody tr", has_text="洪濑镇").first).to_contain_text("乡镇（街道）")
    expect(page.locator("#accounts tbody tr", has_text="honglai")).to_contain_text("洪濑镇")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"
    if phone:
        expect(page.locator("#units thead")).to_be_hidden()
    shot(page, "units", full_page=False)

    town = login(new_context(phone=phone).new_page(), "honglai")
    expect(town.locator("nav.mainnav a[href='/units']")).to_have_count(0)
