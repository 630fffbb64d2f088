"""Signing in, the dashboard, the patch list's filters, the patch page, and what each role may
see and do — in a real browser."""

from __future__ import annotations

import re

import pytest
from browser_helpers import PASSWORD, LoginFn, Shots, Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_login_dashboard_list_and_patch(page: Page, site: Site, login: LoginFn, shot: Shots) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()
    shot(page, "login")

    page.get_by_label("登录名").fill("reviewer")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_role("button", name="登 录").click()
    expect(page.get_by_role("alert")).to_have_text("登录名或密码不正确，或账号已停用。")
    expect(page.get_by_label("登录名")).to_have_value("reviewer")
    shot(page, "login-wrong-password")

    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(site.base_url + "/")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("市局审核员")
    expect(page.locator(".card").first).to_contain_text("图斑总数")
    shot(page, "dashboard")

    page.get_by_role("navigation").get_by_role("link", name="图斑列表").click()
    expect(page.get_by_role("heading", name="图斑列表")).to_be_visible()
    table = page.locator("#patch-table")
    # Other browser tests add patches of their own (C…, S…, ZZ-…) to the shared site: count ours.
    ours = table.locator("tbody tr").filter(has_text=re.compile(r"\b[PQR]000\d\b"))
    expect(ours).to_have_count(11)  # the reviewer sees the restricted one too
    expect(table.locator(".badge.s-restricted")).to_have_count(1)
    shot(page, "list-all")

    # The township filter swaps the table by HTMX and pushes the URL.
    with page.expect_response(lambda r: "/patches?" in r.url and "township=" in r.url):
        page.get_by_label("乡镇（街道）").select_option(label="洪梅镇")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody")).to_contain_text("P0001")
    expect(page).to_have_url(re.compile(r"township=350583114"))
    shot(page, "list-hongmei")

    # The JCBH search narrows further; the filters stay in the URL.
    page.get_by_label("乡镇（街道）").select_option(label="全部")
    expect(ours).to_have_count(11)
    with page.expect_response(lambda r: "q=Q000" in r.url):
        page.get_by_label("监测编号").fill("Q000")
    expect(table.locator("tbody tr")).to_have_count(2)
    shot(page, "list-search")

    with page.expect_navigation():
        table.get_by_role("link", name="Q0001").click()
    expect(page).to_have_url(f"{site.base_url}/patches/{site.ids['Q0001']}")
    expect(page.get_by_role("heading", name=re.compile("图斑 Q0001"))).to_be_visible()
    for heading in ("基本信息", "合法性判定", "操作记录"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#map")).to_be_attached()
    shot(page, "patch")

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("status")).to_be_visible()
    shot(page, "logged-out")


def test_township_inspector_gets_404_on_another_township(
    page: Page, site: Site, login: LoginFn, shot: Shots
) -> None:
    login(page, "honglai")
    expect(page.locator(".who")).to_contain_text("洪濑镇")
    shot(page, "dashboard-honglai")
    page.goto("/patches")
    rows = page.locator("#patch-table tbody tr").filter(has_text=re.compile(r"\b[PQR]000\d\b"))
    expect(rows).to_have_count(9)  # P0000, Q0000, Q0001, R0000-R0005: only 洪濑镇, never the restricted one
    expect(page.locator("#patch-table")).not_to_contain_text("P0001")
    shot(page, "list-honglai")

    for code in ("P0001", "P0002"):  # 洪梅镇, and the military-restricted patch
        response = page.goto(f"/patches/{site.ids[code]}")
        assert response is not None and response.status == 404, code
        expect(page.get_by_role("heading", name="找不到页面或图斑")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text(code)
        shot(page, f"404-{code}")
    response = page.goto(f"/api/patches/{site.ids['P0001']}")
    assert response is not None and response.status == 404
    assert page.locator("#review-queue").count() == 0
    response = page.goto("/review")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="没有权限")).to_be_visible()
    shot(page, "403-review")


def test_leader_sees_no_forms(page: Page, site: Site, login: LoginFn, shot: Shots) -> None:
    login(page, "leader")
    expect(page.get_by_role("navigation").get_by_role("link", name="审核队列")).to_have_count(0)
    page.goto("/patches")
    ours = page.locator("#patch-table tbody tr").filter(has_text=re.compile(r"\b[PQR]000\d\b"))
    expect(ours).to_have_count(10)  # all but the restricted one
    page.goto(f"/patches/{site.ids['P0001']}")
    expect(page.get_by_role("heading", name=re.compile("图斑 P0001"))).to_be_visible()
    # The only form on the page is the sign-out button's.
    expect(page.locator("main form")).to_have_count(0)
    # Inputs only in the map panel (layer toggles): nothing that writes.
    expect(page.locator("main :is(input, select, textarea, button):not(#map-section *)")).to_have_count(0)
    # (other browser tests may have filed P0001 already: the section is read-only either way)
    expect(page.locator("#determination")).to_be_visible()
    shot(page, "patch-leader")
    response = page.goto(f"/patches/{site.ids['P0002']}")
    assert response is not None and response.status == 404
    shot(page, "404-restricted")


def test_pages_fit_a_phone(page: Page, site: Site, login: LoginFn, shot: Shots) -> None:
    """Township staff open pages on a phone in the field: nothing widens the page sideways (wide
    tables scroll inside their panel) and the map still draws."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "honglai")
    for path in ("/", "/patches", f"/patches/{site.ids['P0000']}", "/referrals"):
        page.goto(path)
        if path.startswith("/patches/"):
            assert page.evaluate("window.mapReady")["patch"] is True
        width = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
        assert width[1] <= width[0], (path, width)
        shot(page, "phone-" + (path.strip("/").replace("/", "-") or "dashboard"))
