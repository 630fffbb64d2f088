"""The ledger on a phone (390×844): a township opens the record, enters progress with a photo and
asks for 销号; the 市局 approves. Screenshots under artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_helpers import Shots, Site, log_in
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ledger_helpers import illegal, reported
from photos import field_photo, minimal_pdf
from weipian.storage.store import Store

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=site.base_url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE,  # type: ignore[arg-type]
        is_mobile=True, has_touch=True, device_scale_factor=2,
    )  # fmt: skip
    ctx.set_default_timeout(15_000)
    requests: list[str] = []
    ctx.on("request", lambda req: requests.append(req.url))
    yield ctx
    ctx.close()
    assert site.foreign(requests) == []  # nothing asked of another host


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page is {width}px wide on a {PHONE['width']}px phone"


def test_ledger_on_a_phone(phone: BrowserContext, site: Site, shot: Shots) -> None:
    # P0001 (洪梅镇) reported as 违法 through the services; the pages do the rest.
    store = Store(f"sqlite:///{site.files_dir.parent / 'weipian.db'}")
    try:
        pid = reported(store, "P0001", illegal(200, 120))
    finally:
        store.dispose()

    page = log_in(phone.new_page(), "hongmei")
    page.goto(f"/ledger/{pid}")
    form = page.locator("#open form")
    form.get_by_label("整改责任人").fill("李四")
    form.get_by_label("拆除复耕").check()
    form.get_by_label("罚款").check()
    form.get_by_label("整改时限").fill("2099-12-31")
    _no_sideways_scroll(page)
    shot(page, "open")
    with page.expect_navigation():
        form.get_by_role("button", name="建立台账").click()
    expect(page.locator("h1")).to_contain_text("整改中")
    expect(page.locator("#summary")).to_contain_text("拆除复耕、罚款")

    # Progress: areas to date and a field photo taken inside P0001 (700 m east of ORIGIN).
    progress = page.locator("#progress form")
    progress.get_by_label("拆除面积").fill("200")
    progress.locator("input[name=demolished_farmland]").fill("120")
    progress.get_by_label("进展情况").fill("已拆除全部违法建筑，恢复耕作层")
    progress.locator("input[name=photos]").set_input_files(
        [
            {
                "name": "拆除后.jpg",
                "mimeType": "image/jpeg",
                "buffer": field_photo(dx=750, dy=50, colour=(60, 60, 200)),
            }
        ]
    )
    _no_sideways_scroll(page)
    shot(page, "progress-filled")
    with page.expect_navigation():
        progress.get_by_role("button", name="保存进展").click()
    expect(page.locator("#remaining")).to_contain_text("0.00")
    thumb = page.locator(".ledger-photos img").first
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo preview did not load"
    expect(page.locator(".ledger-photos")).not_to_contain_text("核验未通过")  # inside, after HSX, azimuth

    # Request 销号 with a document.
    close = page.locator("#close form")
    close.locator("input[name=evidence]").set_input_files(
        [{"name": "复垦验收.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}]
    )
    close.get_by_label("销号说明").fill("已整改到位，请市局验收")
    with page.expect_navigation():
        close.get_by_role("button", name="申请销号").click()
    expect(page.locator("h1")).to_contain_text("待审核销号")
    expect(page.locator("#decide")).to_have_count(0)  # a township cannot decide
    _no_sideways_scroll(page)
    shot(page, "requested")

    # The 市局 approves on its phone.
    boss = log_in(phone.browser.new_context(base_url=site.base_url, viewport=PHONE, locale="zh-CN",  # type: ignore[arg-type]
                                            is_mobile=True).new_page(), "reviewer")  # fmt: skip
    boss.goto("/ledger?state=requested")
    with boss.expect_navigation():
        boss.get_by_role("link", name="P0001").click()
    decide = boss.locator("#decide form")
    decide.get_by_label("原因").select_option("pass.rectified_verified")
    shot(boss, "decide")
    with boss.expect_navigation():
        decide.get_by_role("button", name="同意销号").click()
    expect(boss.locator("h1")).to_contain_text("已销号")
    expect(boss.locator("#history")).to_contain_text("经核查已整改到位")
    _no_sideways_scroll(boss)
    shot(boss, "closed")
    boss.context.close()
