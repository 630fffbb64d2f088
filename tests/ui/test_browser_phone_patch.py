"""The patch page as a field tool on a phone (issue 12 item 2): a compact header, a tab bar that
stays in reach, 举证 before 判定, the camera input, a note per photo, upload progress, and a
warning naming the failed photos before submitting."""

from __future__ import annotations

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

from photos import field_photo

pytestmark = pytest.mark.browser


def test_phone_patch_page_photos_with_notes_and_warning(
    site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    page = login(new_context(phone=True).new_page(), "honglai")
    page.goto(f"/patches/{site.ids['R0004']}")  # 100 m square at (-600, -900) in 洪濑镇
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] <= 0.13 * 844, header  # was 18 % of the screen
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), (
        "page scrolls sideways"
    )
    tabs = page.locator("nav.patch-tabs")
    for name in ("概况", "影像", "拍照举证", "判定", "记录"):
        expect(tabs.get_by_role("link", name=name)).to_be_visible()
    evidence_y = page.locator("#evidence").bounding_box()["y"]  # type: ignore[index]
    assert evidence_y < page.locator("#determination").bounding_box()["y"]  # type: ignore[index]
    shot(page, "phone-top", full_page=False)

    camera = page.locator("#evidence input[capture]")
    expect(camera).to_have_attribute("capture", "environment")
    expect(page.get_by_text("拍照", exact=True)).to_be_visible()

    # Two photos at once, each with its own note; one taken 2 km away fails the position check.
    picker = page.locator("#evidence .evidence-files input[name=files]")
    picker.set_input_files([
        {"name": "全景.jpg", "mimeType": "image/jpeg", "buffer": field_photo(dx=-550, dy=-850)},
        {"name": "远处.jpg", "mimeType": "image/jpeg", "buffer": field_photo(dx=-550, dy=1500, colour=(120, 90, 60))},
    ])  # fmt: skip
    notes = page.locator("#evidence input[name=file_note]")
    expect(notes).to_have_count(2)
    notes.nth(0).fill("东侧全景")
    notes.nth(1).fill("远景")
    # The tab bar stays at the top while scrolling.
    page.locator("#evidence").scroll_into_view_if_needed()
    box = tabs.bounding_box()
    assert box is not None and abs(box["y"]) < 2, box
    shot(page, "phone-photos-chosen", full_page=False)
    with page.expect_navigation():
        page.locator("#evidence").get_by_role("button", name="上传").click()
    photos = page.locator("#evidence li.photo")
    expect(photos).to_have_count(2)
    expect(photos.filter(has_text="全景.jpg")).to_contain_text("东侧全景")
    expect(photos.filter(has_text="远处.jpg")).to_contain_text("远景")
    expect(page.locator(".alert.ok")).to_contain_text("已上传 2 个文件")

    # Before submitting: the failed photo is named, and the browser asks.
    warning = page.locator("#photo-warnings")
    expect(warning).to_contain_text("远处.jpg")
    expect(warning).to_contain_text("拍摄位置")
    expect(warning).not_to_contain_text("全景.jpg」")
    form = page.locator("form.detform")
    form.get_by_role("button", name="采用预判结果").click()
    form.get_by_label("违法类型").select_option("违法占地")
    form.get_by_label("核实认定意见").fill("未批先建")
    asked: list[str] = []

    def dismiss(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.once("dialog", dismiss)
    form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".pagehead h1 .badge").first).to_have_text("核查中")
    assert asked and "远处.jpg" in asked[0], asked
    shot(page, "phone-warning", full_page=False)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".pagehead h1 .badge").first).to_have_text("已提交")
