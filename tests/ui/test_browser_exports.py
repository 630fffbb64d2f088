"""A list page's export button in the browser: a township opens its 整改台账, clicks 导出 Excel and
gets a workbook named after the list, its township and the filter, holding its own record (the
责任人 typed like a formula kept as text) and nothing restricted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import expect

from factories import REGION, gk_square, patch_rows, write_vector
from formulas import assert_text_only
from ledger_helpers import HL, _open, illegal, reported
from weipian.domain.sources import Source
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store

pytestmark = pytest.mark.browser
EVIL = "=1+2"


def test_ledger_export_button(
    site: Site, login: LoginFn, shot: Shots, new_context: Contexts, tmp_path: Path
) -> None:
    # A 洪濑镇 patch of its own (batch B14, so the shared patches stay as the other tests expect),
    # reported 违法 and entered in the ledger through the services.
    store = Store(f"sqlite:///{site.files_dir.parent / 'weipian.db'}")
    try:
        pkg = write_vector(tmp_path / "x.gpkg", patch_rows(1, prefix="X"), [gk_square(-900, 300)])
        options = IntakeOptions(
            source=Source.ministry, batch="B14", issued=dt.date(2022, 11, 1), region=REGION
        )
        import_package(store, pkg, options)
        pid = reported(store, "X0000", illegal(600, 400))
        _open(store, pid, actor=HL, responsible=EVIL)
    finally:
        store.dispose()

    page = login(new_context().new_page(), "honglai")
    page.goto("/ledger?state=rectifying")
    expect(page.locator("table.ledger")).to_contain_text("X0000")
    button = page.get_by_role("link", name="导出 Excel")
    expect(button).to_have_attribute("href", "/ledger/export.xlsx?state=rectifying")
    shot(page, "ledger")
    with page.expect_download() as got:
        button.click()
    name = got.value.suggested_filename
    assert name.startswith("查处整改台账_洪濑镇_整改中_") and name.endswith(".xlsx")
    saved = tmp_path / name
    got.value.save_as(saved)
    assert EVIL in assert_text_only(saved)
    ws = openpyxl.load_workbook(saved).active
    codes = [r[1] for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert "X0000" in codes and "P0002" not in codes and "P0001" not in codes
    assert "洪濑镇，整改中" in ws["A1"].value
