"""Field photos uploaded through the patch page's form, and their automatic checks on the page."""

from __future__ import annotations

import pytest
from browser_helpers import LoginFn, Shots, Site
from playwright.sync_api import Page, expect

from photos import field_photo

pytestmark = pytest.mark.browser

CHECKS = ("position", "time", "direction", "not_reused")


def test_photo_upload_shows_its_checks(page: Page, site: Site, login: LoginFn, shot: Shots) -> None:
    # Q0000 is the 100 m square 600 m south-west of ORIGIN, in 洪濑镇; after 后时相 2022-09-01.
    login(page, "honglai")
    page.goto(f"/patches/{site.ids['Q0000']}")
    section = page.locator("#evidence")
    expect(section).to_contain_text("还没有举证材料")
    form = section.locator("form.evidence-upload")
    inside = field_photo(dx=-550, dy=-550)  # the middle of Q0000, 2022-10-08, facing 135°
    form.locator(".evidence-files input[name=files]").set_input_files(
        [{"name": "东侧全景.jpg", "mimeType": "image/jpeg", "buffer": inside}]
    )
    form.get_by_label("说明（可不填）").fill("东侧全景")
    shot(page, "evidence-chosen")
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()

    photo = section.locator("li.photo").filter(has_text="东侧全景.jpg")
    expect(photo).to_have_count(1)
    for code in CHECKS:
        check = photo.locator(f'[data-check="{code}"]')
        expect(check).to_have_attribute("data-passed", "true")
        expect(check.locator(".mark")).to_have_text("✓")
    expect(photo).to_contain_text("135°")
    preview = photo.locator("img")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0"), "the preview did not load"
    shot(page, "evidence-inside")

    # A photo taken 2.5 km away: the position check fails, the rest still pass.
    far = field_photo(dx=-550, dy=2000, colour=(120, 90, 60))
    form.locator(".evidence-files input[name=files]").set_input_files(
        [{"name": "远处.jpg", "mimeType": "image/jpeg", "buffer": far}]
    )
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()
    away = section.locator("li.photo").filter(has_text="远处.jpg")
    expect(away).to_have_count(1)
    position = away.locator('[data-check="position"]')
    expect(position).to_have_attribute("data-passed", "false")
    expect(position.locator(".mark")).to_have_text("✗")
    expect(away.locator('[data-check="time"] .mark')).to_have_text("✓")
    expect(section.locator("h2")).to_contain_text("现场照片 2 张")
    shot(page, "evidence-far")

    # The same picture again, on another patch, is caught as reused.
    page.goto(f"/patches/{site.ids['Q0001']}")
    form = page.locator("#evidence form.evidence-upload")
    form.locator(".evidence-files input[name=files]").set_input_files(
        [{"name": "again.jpg", "mimeType": "image/jpeg", "buffer": inside}]
    )
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()
    reused = page.locator("#evidence li.photo").filter(has_text="again.jpg")
    expect(reused.locator('[data-check="not_reused"]')).to_have_attribute("data-passed", "false")
    shot(page, "evidence-reused")


def test_leader_sees_photos_but_no_upload_form(page: Page, site: Site, login: LoginFn, shot: Shots) -> None:
    login(page, "leader")
    page.goto(f"/patches/{site.ids['Q0001']}")
    expect(page.locator("#evidence")).to_be_visible()
    expect(page.locator("#evidence form")).to_have_count(0)
    shot(page, "evidence-leader")
