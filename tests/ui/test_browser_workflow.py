"""The daily loop in a browser: the township inspector fills in and submits the determination,
the city reviewer passes it in the review queue, and the history shows both."""

from __future__ import annotations

import re

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_determination_submitted_then_passed_in_review(
    page: Page, site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    patch_url = f"/patches/{site.ids['P0000']}"
    login(page, "honglai")
    page.on("dialog", lambda dialog: dialog.accept())  # "no field photo yet: submit anyway?"
    page.goto(patch_url)
    badge = page.locator(".pagehead h1 .badge").first
    expect(badge).to_have_text("已下发")
    form = page.locator("form.detform")

    # A 违法 verdict without its type and area: the rules object, field by field, nothing saved.
    form.get_by_label("判定结果").select_option("违法")
    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator("#determination .alert.error")).to_contain_text("判定未保存")
    expect(form.locator(".field.invalid").first).to_be_visible()
    expect(badge).to_have_text("已下发")
    shot(page, "determination-objections")

    form.get_by_label("判定结果").select_option("违法")
    form.get_by_label("新增/存量").select_option("新增")
    form.get_by_label("核实认定意见").fill("未批先建，现场为砖混厂房")
    form.get_by_label("违法类型").select_option("违法占地")
    form.get_by_label("违法面积").fill("500")
    form.get_by_label("占用耕地面积").fill("500")
    form.get_by_label("占用永久基本农田面积").fill("0")
    form.get_by_label("项目主体").fill("张某")
    form.get_by_label("建设时间").fill("2022-06-01")
    form.get_by_label("实地情况描述").fill("已实地核查，厂房已建成。")
    shot(page, "determination-filled")
    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交审核").click()
    expect(page).to_have_url(re.compile(re.escape(patch_url) + r"(\?.*|#.*)?$"))
    expect(badge).to_have_text("已提交")
    expect(page.locator("form.detform")).to_have_count(0)  # submitted: read-only for the township
    expect(page.locator("#determination")).to_contain_text("违法")
    expect(page.locator("#determination")).to_contain_text("违法占地")
    expect(page.locator("#events")).to_contain_text("提交判定")
    shot(page, "determination-submitted")

    # The reviewer, in a fresh context of its own.
    rpage = new_context().new_page()
    login(rpage, "reviewer")
    rpage.get_by_role("navigation").get_by_role("link", name="审核队列").click()
    queue = rpage.locator("#review-queue")
    row = queue.locator("tbody tr", has=rpage.get_by_role("link", name="P0000"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("违法占地")
    row.locator("input[name=patch_id]").check()
    passing = queue.locator("fieldset.reasons-box").filter(has_text="通过原因")
    passing.locator("input[name=reason]").first.check()
    queue.get_by_label("审核通过").check()
    shot(rpage, "review-ticked")
    with rpage.expect_response(lambda r: r.url.endswith("/review") and r.request.method == "POST"):
        queue.get_by_role("button", name="对勾选的图斑执行").click()
    done = rpage.locator("#review-queue .alert.ok")
    expect(done).to_have_text("已审核通过 1 个图斑。")
    expect(rpage.locator("#review-queue").get_by_role("link", name="P0000")).to_have_count(0)
    shot(rpage, "review-passed")

    rpage.goto(patch_url)
    expect(rpage.locator(".pagehead h1 .badge").first).to_have_text("审核通过")
    events = rpage.locator("#events tbody tr")
    expect(events.filter(has_text="提交判定")).to_have_count(1)
    expect(events.filter(has_text="审核通过")).to_have_count(1)
    expect(events.filter(has_text="提交判定")).to_contain_text("honglai-姓名")
    expect(events.filter(has_text="审核通过")).to_contain_text("reviewer-姓名")
    shot(rpage, "history")

    page.reload()
    expect(badge).to_have_text("审核通过")
    shot(page, "township-after-review")
