"""The patch page as a field tool on a phone (issue 12 item 2): a compact header, a tab bar that
stays in reach, 举证 before 判定, the camera input, a note per photo, upload progress, and a
warning naming the failed photos before submitting; photos deleted and replaced before submission."""

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

    # Two photos at once, each with its own note: one without a direction, one taken 2 km away.
    picker = page.locator("#evidence .evidence-files input[name=files]")
    picker.set_input_files([
        {"name": "全景.jpg", "mimeType": "image/jpeg", "buffer": field_photo(dx=-550, dy=-850, azimuth=None)},
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
    expect(photos.filter(has_text="全景.jpg").locator("input[name=note]")).to_have_value("东侧全景")
    expect(photos.filter(has_text="远处.jpg").locator("input[name=note]")).to_have_value("远景")
    expect(page.locator(".alert.ok")).to_contain_text("已上传 2 个文件")

    # Before any verdict the warning names both failed photos and why.
    warning = page.locator("#photo-warnings")
    expect(warning).to_contain_text("远处.jpg")
    expect(warning).to_contain_text("拍摄位置")
    expect(warning).to_contain_text("全景.jpg」核验未通过：拍摄方向")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    photos.filter(has_text="远处.jpg").scroll_into_view_if_needed()
    shot(page, "phone-photo-actions", full_page=False)

    # Delete the far one (the browser asks first; a "no" keeps it).
    far = photos.filter(has_text="远处.jpg")
    page.once("dialog", lambda dialog: dialog.dismiss())
    far.get_by_role("button", name="删除").click()
    expect(photos).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        far.get_by_role("button", name="删除").click()
    expect(photos).to_have_count(1)
    expect(page.locator(".alert.ok")).to_contain_text("已删除「远处.jpg」")
    expect(warning).not_to_contain_text("远处.jpg")

    # Replace the one without a direction by a retake: choosing the file sends it; the note stays.
    retake = field_photo(dx=-560, dy=-860, colour=(60, 150, 90))
    with page.expect_navigation():
        photos.first.locator("input[type=file]").set_input_files(
            {"name": "全景重拍.jpg", "mimeType": "image/jpeg", "buffer": retake}
        )
    expect(page.locator(".alert.ok")).to_contain_text("已将「全景.jpg」替换为「全景重拍.jpg」")
    expect(photos).to_have_count(1)
    expect(photos.first).to_contain_text("全景重拍.jpg")
    expect(photos.first.locator("input[name=note]")).to_have_value("东侧全景")
    expect(photos.first.locator("[data-passed=false]")).to_have_count(0)
    expect(warning).to_be_hidden()  # one good photo, no verdict yet: nothing to warn about

    # 违法 needs two photos (rule data): choosing it brings the warning back, with the count.
    form = page.locator("form.detform")
    form.get_by_role("button", name="采用预判结果").click()
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("现场照片 1 张，按当前判定结果至少需要 2 张")
    form.get_by_label("违法类型").select_option("违法占地")
    form.get_by_label("核实认定意见").fill("未批先建")
    asked: list[str] = []

    def dismiss(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.once("dialog", dismiss)
    form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".pagehead h1 .badge").first).to_have_text("核查中")
    assert asked and "至少需要 2 张" in asked[0], asked
    warning.scroll_into_view_if_needed()
    shot(page, "phone-warning", full_page=False)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".pagehead h1 .badge").first).to_have_text("已提交")
    # Submitted: nothing can be deleted or replaced any more.
    expect(page.locator("#evidence").get_by_role("button", name="删除")).to_have_count(0)
    expect(page.locator("#evidence input[type=file]")).to_have_count(0)  # nor uploaded
    expect(page.locator("#evidence [data-code='evidence.frozen']")).to_contain_text("联系市局退回")
    expect(page.locator("#events")).to_contain_text("删除举证材料")
    shot(page, "phone-submitted")
