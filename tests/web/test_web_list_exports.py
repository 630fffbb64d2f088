"""The special lists' downloads: every list but 涉军 has one, named after the list, the account's
scope and the day; the workbook holds what the page shows, never a military-restricted patch."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
from fastapi.testclient import TestClient
from web_helpers import login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _name(response: object) -> str:
    header = response.headers["content-disposition"]  # type: ignore[attr-defined]
    return unquote(header.split("filename*=UTF-8''")[1])


def _codes(content: bytes) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return [str(r[1]) for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]


def _page_codes(html: str) -> list[str]:
    return re.findall(r'<td><a href="/patches[^"]*">(P\d{4})</a></td>', html)


def test_every_list_page_has_its_export_button_but_the_military_one(client: TestClient) -> None:
    login(client, "admin")
    for name in ("housing", "overdue", "returned"):
        assert f'href="/lists/{name}/export.xlsx"' in client.get(f"/lists/{name}").text
    military = client.get("/lists/military").text
    assert "/lists/military/export.xlsx" not in military and "weipian document military" in military


def test_bureau_download_names_the_list_and_holds_the_page_minus_restricted(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/lists/overdue").text
    shown = _page_codes(page)
    assert "P0002" in shown  # the 市局 sees the military patch on the page …
    assert "导出的表格比清单少 1 个" in page
    got = client.get("/lists/overdue/export.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert re.fullmatch(r"逾期未完成核查图斑清单_全市_\d{8}\.xlsx", _name(got))
    codes = _codes(got.content)
    assert codes == [c for c in shown if c != "P0002"] and codes  # … never in the download
    ws = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert "（全市）" in ws["A1"].value and ws.freeze_panes == "B5"
    total = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "合计")
    assert total[1] == f"{len(codes)} 个"


def test_township_download_is_its_own_township_only(client: TestClient) -> None:
    login(client, "honglai")
    got = client.get("/lists/overdue/export.xlsx")
    assert got.status_code == 200
    assert re.fullmatch(r"逾期未完成核查图斑清单_洪濑镇_\d{8}\.xlsx", _name(got))
    assert _codes(got.content) == ["P0000"]  # P0001 is 洪梅镇's, P0002 military
    assert client.get("/lists/housing/export.xlsx").status_code == 200
    assert client.get("/lists/military/export.xlsx").status_code == 403


def test_military_list_is_never_downloadable(client: TestClient) -> None:
    for account in ("admin", "reviewer", "leader", "dept"):
        client.cookies.clear()
        login(client, account)
        got = client.get("/lists/military/export.xlsx")
        assert got.status_code == 403, account
        assert "P0002" not in got.text
        if account == "admin":
            assert "离线报送包" in got.text  # says what to do instead
    assert client.get("/lists/nope/export.xlsx").status_code == 404


def test_signed_out_download_is_refused(client: TestClient) -> None:
    got = client.get("/lists/overdue/export.xlsx", follow_redirects=False)
    assert got.status_code in (303, 401)
