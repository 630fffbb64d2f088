"""The list pages' downloads: 整改台账, 移送抄告 and 审核队列 as .xlsx, each named after the list, the
filter and the day; what the page lists, never a military-restricted patch, only the account's
township for a township account, and text that looks like a formula kept as text."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from web_helpers import login

from formulas import assert_text_only
from ledger_helpers import ADMIN, HL, RULES, TODAY, _open, illegal, reported
from weipian.services.referrals import refer
from weipian.services.users import account_by_name
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIL = '=HYPERLINK("http://evil/","点我")'


def _name(response: object) -> str:
    header = response.headers["content-disposition"]  # type: ignore[attr-defined]
    return unquote(header.split("filename*=UTF-8''")[1])


def _sheet(content: bytes, tmp: Path) -> tuple[list[tuple[Any, ...]], Any]:
    """The numbered rows (序号 an int) and the worksheet; the file holds no formula."""
    path = tmp / "got.xlsx"
    path.write_bytes(content)
    assert_text_only(path)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    return rows, ws


def _file(store: Store, code: str) -> None:
    with store.writing() as s:
        from weipian.services import workflow

        workflow.save_determination(s, find_patch(s, code), illegal(), actor=ADMIN, rules=RULES, on=TODAY)
        workflow.submit(s, find_patch(s, code), actor=ADMIN)


@pytest.fixture
def ledger_county(county: Store, ids: dict[str, int]) -> Store:
    """Ledger records for 洪濑镇 (P0000, its 责任人 typed like a formula), 洪梅镇 (P0001) and the
    military patch (P0002, 洪梅镇 responsible)."""
    from ledger_helpers import HM

    for code, actor in (("P0000", HL), ("P0001", HM), ("P0002", ADMIN)):
        reported(county, code, illegal())
        extra = {"unit": "350583114"} if code == "P0002" else {}  # it lies in no township
        _open(county, ids[code], actor=actor, responsible=EVIL if code == "P0000" else "李四", **extra)
    return county


def test_ledger_export_is_the_page_without_restricted(
    client: TestClient, ledger_county: Store, tmp_path: Path
) -> None:
    login(client, "admin")
    page = client.get("/ledger").text
    assert 'href="/ledger/export.xlsx"' in page and "导出的表格比台账少 1 件" in page
    assert all(code in page for code in ("P0000", "P0001", "P0002"))  # the 市局 sees all three …
    got = client.get("/ledger/export.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert re.fullmatch(r"查处整改台账_全市_全部_\d{8}\.xlsx", _name(got))
    rows, ws = _sheet(got.content, tmp_path)
    assert sorted(r[1] for r in rows) == ["P0000", "P0001"]  # … the download never the military one
    assert EVIL in {r[4] for r in rows}  # a formula-looking 责任人 stays text
    assert "（全市，全部）" in ws["A1"].value
    total = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "合计")
    assert total[1] == "2 条" and total[7] == pytest.approx(2 * round(500 / 666.6666666666666, 2), abs=0.011)
    # The state filter names itself in the file and narrows the rows.
    got = client.get("/ledger/export.xlsx?state=closed")
    assert re.fullmatch(r"查处整改台账_全市_已销号_\d{8}\.xlsx", _name(got))
    assert _sheet(got.content, tmp_path)[0] == []
    page = client.get("/ledger?state=rectifying").text
    assert 'href="/ledger/export.xlsx?state=rectifying"' in page
    page = client.get("/referrals?status=overdue&department=林业").text
    assert 'href="/referrals/export.xlsx?status=overdue&amp;department=%E6%9E%97%E4%B8%9A"' in page


def test_ledger_export_for_a_township_is_its_own(
    client: TestClient, ledger_county: Store, tmp_path: Path
) -> None:
    login(client, "honglai")
    got = client.get("/ledger/export.xlsx?unit=350583114")  # asks for 洪梅镇: gets its own
    assert got.status_code == 200
    assert re.fullmatch(r"查处整改台账_洪濑镇_全部_\d{8}\.xlsx", _name(got))
    assert [r[1] for r in _sheet(got.content, tmp_path)[0]] == ["P0000"]
    client.cookies.clear()
    login(client, "dept")
    refused = client.get("/ledger/export.xlsx")
    assert refused.status_code == 403 and "不能导出整改台账" in refused.text


@pytest.fixture
def referral_county(county: Store, ids: dict[str, int]) -> Store:
    with county.reading() as s:
        admin = account_by_name(s, "admin")

    def to(pid: int, department: str, matter: str, **at: dt.datetime) -> None:
        refer(
            county, pid, kind="referral", department=department, matter=matter, actor=admin, today=TODAY, **at
        )

    to(ids["P0000"], "林业", EVIL, now=dt.datetime(2022, 12, 1, tzinfo=dt.UTC))
    to(ids["P0001"], "水利", "侵占河道")
    to(ids["P0002"], "执法监察大队", "涉军图斑核查")  # internal only
    return county


def test_referral_export_scope_filter_and_restricted(
    client: TestClient, referral_county: Store, tmp_path: Path
) -> None:
    login(client, "admin")
    page = client.get("/referrals").text
    assert 'href="/referrals/export.xlsx"' in page and "导出的表格比清单少 1 件" in page
    got = client.get("/referrals/export.xlsx")
    assert got.status_code == 200 and re.fullmatch(r"移送抄告清单_全市_全部_\d{8}\.xlsx", _name(got))
    rows, ws = _sheet(got.content, tmp_path)
    assert sorted(r[2] for r in rows) == ["P0000", "P0001"] and "（全市，全部）" in ws["A1"].value
    assert EVIL in {r[6] for r in rows} and "2022-12-01 08:00" in {r[8] for r in rows}  # Beijing time
    got = client.get("/referrals/export.xlsx?department=林业&status=open")
    assert re.fullmatch(r"移送抄告清单_全市_南安市林业局_未反馈_\d{8}\.xlsx", _name(got))
    assert [r[2] for r in _sheet(got.content, tmp_path)[0]] == ["P0000"]
    client.cookies.clear()
    login(client, "honglai")
    got = client.get("/referrals/export.xlsx")
    assert re.fullmatch(r"移送抄告清单_洪濑镇_全部_\d{8}\.xlsx", _name(got))
    assert [r[2] for r in _sheet(got.content, tmp_path)[0]] == ["P0000"]
    client.cookies.clear()
    login(client, "dept")  # 林业局's liaison: its own referrals only, whatever it asks for
    got = client.get("/referrals/export.xlsx?department=水利")
    assert got.status_code == 200 and [r[2] for r in _sheet(got.content, tmp_path)[0]] == ["P0000"]


def test_review_queue_export(client: TestClient, county: Store, tmp_path: Path) -> None:
    for code in ("P0000", "P0001", "P0002"):
        _file(county, code)
    login(client, "reviewer")
    page = client.get("/review").text
    assert 'href="/review/export.xlsx"' in page and "导出的表格比队列少 1 个" in page
    got = client.get("/review/export.xlsx")
    assert got.status_code == 200 and re.fullmatch(r"审核队列_全市_\d{8}\.xlsx", _name(got))
    rows, ws = _sheet(got.content, tmp_path)
    assert sorted(r[1] for r in rows) == ["P0000", "P0001"] and {r[6] for r in rows} == {"违法"}
    assert ws["A1"].value == "审核队列（全市）"
    got = client.get("/review/export.xlsx?township=350583113")
    assert re.fullmatch(r"审核队列_洪濑镇_\d{8}\.xlsx", _name(got))
    assert [r[1] for r in _sheet(got.content, tmp_path)[0]] == ["P0000"]
    assert 'href="/review/export.xlsx?township=350583113"' in client.get("/review?township=350583113").text
    for account in ("honglai", "leader", "dept"):
        client.cookies.clear()
        login(client, account)
        assert client.get("/review/export.xlsx").status_code == 403, account


def test_every_list_page_offers_a_download(client: TestClient, county: Store) -> None:
    """Every list page of the web app has its export button (the 涉军 list goes offline only)."""
    login(client, "admin")
    buttons = {
        "/patches": "/patches/export.xlsx", "/ledger": "/ledger/export.xlsx", "/referrals": "/referrals/export.xlsx",
        "/review": "/review/export.xlsx", "/cases": "/cases/export.xlsx", "/lists/housing": "/lists/housing/export.xlsx",
        "/lists/overdue": "/lists/overdue/export.xlsx", "/lists/returned": "/lists/returned/export.xlsx",
        "/stats": "/stats/documents/ledger/",
    }  # fmt: skip
    for page, href in buttons.items():
        html = client.get(page).text
        assert f'href="{href}' in html, page
