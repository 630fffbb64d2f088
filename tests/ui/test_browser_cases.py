"""The case section on the patch page (立案查处): the 市局 files a case, enters the 处罚决定书,
confirms the crime flag's suggestion with a name and closes the case; the township reads it on a
phone without any form; the 立案查处 list downloads its workbook under a Chinese name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

from factories import REGION, gk_square, patch_rows, write_vector
from ledger_helpers import illegal, reported
from weipian.domain.sources import Source
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store

pytestmark = pytest.mark.browser


def test_case_section(site: Site, login: LoginFn, shot: Shots, new_context: Contexts, tmp_path: Path) -> None:
    # A 洪濑镇 patch of its own (batch B10: the other browser tests expect the shared ones still
    # issued): 12 亩 determined 违法 with 10.5 亩 of 耕地, reported through the services.
    store = Store(f"sqlite:///{site.files_dir.parent / 'weipian.db'}")
    try:
        pkg = write_vector(tmp_path / "c.gpkg", patch_rows(1, prefix="C"), [gk_square(-600, 200)])
        options = IntakeOptions(
            source=Source.ministry, batch="B10", issued=dt.date(2022, 11, 1), region=REGION
        )
        import_package(store, pkg, options)
        pid = reported(store, "C0000", illegal(8000, 7000))
    finally:
        store.dispose()

    rev = login(new_context().new_page(), "reviewer")
    rev.goto(f"/patches/{pid}#case")
    section = rev.locator("#case")
    expect(section).to_contain_text("尚未立案")
    expect(section.locator(".alert")).to_contain_text("移送司法")
    form = section.locator("form.case-open")
    form.get_by_label("立案号").fill("南自然资立〔2022〕18号")
    form.get_by_label("立案日期").fill("2022-11-25")
    shot(rev, "open")
    with rev.expect_navigation():
        form.get_by_role("button", name="立案").click()
    expect(section.locator("h2 .badge")).to_have_text("已立案")
    expect(section.locator(".case-persons")).to_contain_text("系统建议 · 待确认")

    update = section.locator("form.case-update")
    update.get_by_label("处罚决定书文号").fill("南自然资罚〔2022〕9号")
    update.get_by_label("处罚决定日期").fill("2022-11-20")  # before filing: refused
    with rev.expect_navigation():
        update.get_by_role("button", name="保存案件信息").click()
    expect(rev.locator("body")).to_contain_text("早于立案日期")
    rev.goto(f"/patches/{pid}#case")
    update.get_by_label("处罚决定书文号").fill("南自然资罚〔2022〕9号")
    update.get_by_label("处罚决定日期").fill("2022-11-28")
    update.get_by_label("罚款（元）").fill("52000")
    update.get_by_label("没收面积（㎡）").fill("800")
    with rev.expect_navigation():
        update.get_by_role("button", name="保存案件信息").click()
    expect(section.locator("h2 .badge")).to_have_text("已处罚")
    expect(section).to_contain_text("52000.00 元")

    suggestion = section.locator("form.suggestion-form")
    suggestion.get_by_label("姓名").fill("张某")
    suggestion.get_by_label("单位及职务").fill("项目业主")
    with rev.expect_navigation():
        suggestion.get_by_role("button", name="确认追究").click()
    expect(section.locator(".case-persons")).to_contain_text("已确认")
    expect(section.locator(".case-persons")).not_to_contain_text("待确认")
    close = section.locator("form.case-close")
    close.get_by_label("结案日期").fill("2022-11-30")
    with rev.expect_navigation():
        close.get_by_role("button", name="结案").click()
    expect(section.locator("h2 .badge")).to_have_text("已结案")
    expect(section.locator("form.case-update")).to_have_count(0)
    shot(rev, "closed")

    rev.goto("/cases")
    expect(rev.locator("table.cases")).to_contain_text("张某：移送司法")
    with rev.expect_download() as got:
        rev.get_by_role("link", name="导出矿产执法台账").click()
    assert got.value.suggested_filename.startswith("矿产执法台账_")

    town = login(new_context(phone=True).new_page(), "honglai")
    town.goto(f"/patches/{pid}#case")
    expect(town.locator("#case")).to_contain_text("南自然资罚〔2022〕9号")
    expect(town.locator("#case form")).to_have_count(0)  # read-only for the township
    shot(town, "township")
