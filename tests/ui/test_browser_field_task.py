"""The township's field task (issue 12), on a desktop and on a phone: find the overdue patch,
open it, add a field photo, fill the determination with decimals in 亩, submit."""

from __future__ import annotations

import re

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

from photos import field_photo

pytestmark = pytest.mark.browser

# R0000 and R0001 are 100 m squares in 洪濑镇 (tests/ui/conftest.py), issued 2022-11-01: overdue.
CASES = [("desktop", "R0000", (-850, -250)), ("phone", "R0001", (-550, -250))]


@pytest.mark.parametrize(("width", "code", "spot"), CASES, ids=[c[0] for c in CASES])
def test_township_finds_overdue_photographs_and_submits_decimals(
    width: str, code: str, spot: tuple[int, int], site: Site, login: LoginFn, shot: Shots,
    new_context: Contexts,
) -> None:  # fmt: skip
    page = new_context(phone=width == "phone").new_page()
    login(page, "honglai")
    page.get_by_role("link", name="逾期未完成").click()
    expect(page).to_have_url(re.compile(r"overdue=1"))
    shot(page, "overdue-list")
    with page.expect_navigation():
        page.get_by_role("link", name=code, exact=True).first.click()
    expect(page.locator(".pagehead")).to_contain_text("已逾期")
    shot(page, "patch-opened", full_page=False)

    # Two field photos taken inside the patch (a 违法 determination needs two: rule data).
    upload = page.locator("#evidence form.evidence-upload")
    near = field_photo(dx=spot[0] + 10, dy=spot[1] + 10, colour=(40, 120, 160))
    upload.locator(".evidence-files input[name=files]").set_input_files([
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": field_photo(dx=spot[0], dy=spot[1])},
        {"name": "近景.jpg", "mimeType": "image/jpeg", "buffer": near},
    ])  # fmt: skip
    with page.expect_navigation():
        upload.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence li.photo").filter(has_text="现场.jpg")).to_have_count(1)
    expect(page.locator("#evidence li.photo")).to_have_count(2)

    form = page.locator("form.detform")
    verdict = form.get_by_label("判定结果")
    # Nothing chosen yet: the sections that do not apply are hidden.
    expect(form.locator("fieldset[data-section=violation]")).to_be_hidden()
    # 「采用预判结果」 fills the verdict and the desk figures.
    form.get_by_role("button", name="采用预判结果").click()
    expect(verdict).to_have_value("违法")
    expect(form.get_by_label("违法面积")).not_to_have_value("")
    expect(form.locator("fieldset[data-section=approvals]")).to_be_hidden()
    # 细类 offers only 违法's values from the rule data.
    subtype = form.get_by_label("细类")
    options = subtype.locator("option:not([disabled])").evaluate_all(
        "os => os.filter(o => !o.closest('optgroup')?.hidden).map(o => o.value)"
    )
    assert "光伏" in options and "农村宅基地" not in options, options
    subtype.select_option("厂房类")
    form.get_by_role("radio", name="亩").check()
    form.get_by_label("违法类型").select_option("违法占地")
    form.get_by_label("新增/存量").select_option("新增")
    form.get_by_label("违法面积").fill("0.75")
    form.get_by_label("占用耕地面积").fill("0.6")
    form.get_by_label("占用永久基本农田面积").fill("0")
    form.get_by_label("核实认定意见").fill("未批先建，实地为钢构厂房")
    expect(page.locator("#photo-warnings")).to_be_hidden()  # nothing missing, nothing failed
    shot(page, "determination-filled")
    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".pagehead h1 .badge").first).to_have_text("已提交")
    det = page.locator("#determination")
    expect(det).to_contain_text("500.00 ㎡（0.75 亩）")  # 0.75 亩 stored as 500 ㎡
    expect(det).to_contain_text("400.00 ㎡（0.60 亩）")
    shot(page, "submitted")
