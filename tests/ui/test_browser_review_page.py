"""Review on the patch page (issue 12): the reviewer passes one patch and returns another with
reasons and a free-text 审核意见; the township sees the returned patch's banner on its phone."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import Page, expect

from weipian.domain.clock import BEIJING
from weipian.rules import load_rules

pytestmark = pytest.mark.browser


def _township_submits(page: Page, url: str) -> None:
    page.goto(url)
    form = page.locator("form.detform")
    form.get_by_role("button", name="采用预判结果").click()
    form.get_by_label("违法类型").select_option("违法占地")
    form.get_by_label("核实认定意见").fill("未批先建")
    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".pagehead h1 .badge").first).to_have_text("已提交")


def test_reviewer_passes_and_returns_from_the_patch_page(
    site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    passing, returning = (f"/patches/{site.ids[c]}" for c in ("R0002", "R0003"))
    town = login(new_context(phone=True).new_page(), "honglai")
    town.on("dialog", lambda dialog: dialog.accept())  # "no field photo yet: submit anyway?"
    for url in (passing, returning):
        _township_submits(town, url)
    # The township cannot review its own filing: no review form for it.
    expect(town.locator("#review")).to_have_count(0)

    rev = login(new_context().new_page(), "reviewer")
    rev.goto(passing)
    review = rev.locator("#review")
    expect(review).to_be_visible()
    review.get_by_label("有实地照片").check()
    review.get_by_label("审核通过").check()
    review.get_by_label("审核意见").fill("照片清楚，判定无误。")
    shot(rev, "review-pass-filled", full_page=False)
    with rev.expect_navigation():
        review.get_by_role("button", name="提交审核结论").click()
    expect(rev.locator(".pagehead h1 .badge").first).to_have_text("审核通过")
    expect(rev.locator(".alert.ok")).to_contain_text("已审核通过 1 个图斑")
    expect(rev.locator("#events")).to_contain_text("照片清楚，判定无误。")

    # Returning without a reason is refused, and what was typed stays.
    rev.goto(returning)
    review = rev.locator("#review")
    review.get_by_label("退回乡镇补正").check()
    review.get_by_label("审核意见").fill("请补拍东侧厂房内部<b>照片</b>")
    with rev.expect_navigation():
        review.get_by_role("button", name="提交审核结论").click()
    expect(rev.locator("#review .alert.error")).to_contain_text("至少选择一个退回原因")
    expect(rev.locator("#review-note")).to_have_value("请补拍东侧厂房内部<b>照片</b>")
    expect(rev.locator(".pagehead h1 .badge").first).to_have_text("已提交")
    rev.locator("#review").get_by_label("需补充内部照片").check()
    rev.locator("#review").get_by_label("需补充实地照片").check()
    shot(rev, "review-return-filled", full_page=False)
    with rev.expect_navigation():
        rev.locator("#review").get_by_role("button", name="提交审核结论").click()
    expect(rev.locator(".pagehead h1 .badge").first).to_have_text("审核退回")

    # The township's phone: the banner says why, who, and until when.
    town.goto(returning)
    banner = town.locator("#returned")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("已被市局退回")
    expect(banner).to_contain_text("需补充内部照片")
    expect(banner).to_contain_text("需补充实地照片")
    expect(banner).to_contain_text("请补拍东侧厂房内部<b>照片</b>")  # shown as text, not markup
    expect(banner).to_contain_text("reviewer-姓名")
    expect(banner).to_contain_text("补正期限")
    today = dt.datetime.now(BEIJING).date()
    days = load_rules().whole("county_correction_days", today)  # the 补正期限 of the rule data
    expect(banner).to_contain_text(f"剩余 {days} 天")
    shot(town, "returned-banner-phone", full_page=False)
    # The returned patch's form is open again for the correction.
    expect(town.locator("form.detform")).to_be_visible()
