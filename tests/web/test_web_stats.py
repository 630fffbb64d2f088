"""The statistics page and downloads: who sees what, Chinese file names, files that open."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import docx
import openpyxl
import pytest
from fastapi.testclient import TestClient
from web_helpers import HONGLAI, login


def test_bureau_sees_the_county_ranking_and_chart(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/stats?year=2022")
    assert page.status_code == 200
    assert "统计与考核" in page.text and "<svg" in page.text and "问责线 15%" in page.text
    assert "洪濑镇" in page.text and "洪梅镇" in page.text and "警示约谈名单" in page.text
    assert "/stats/documents/ledger/illegal.xlsx?year=2022" in page.text


def test_township_sees_only_its_own_unit(client: TestClient) -> None:
    login(client, "honglai")
    page = client.get("/stats?unit=350583114")  # another township's code is ignored
    assert page.status_code == 200
    table = page.text[page.text.index('id="unit-table"') :]
    assert "洪濑镇" in table and "洪梅镇" not in table
    assert "/stats/documents/" not in page.text
    assert client.get("/stats/documents/ledger/illegal.xlsx").status_code == 403
    assert client.get("/stats/documents/annual.docx?year=2022").status_code == 403


def test_department_is_refused(client: TestClient) -> None:
    login(client, "dept")
    assert client.get("/stats").status_code == 403


def test_downloads_have_chinese_names_and_open(client: TestClient) -> None:
    login(client, "leader")
    xlsx = client.get(f"/stats/documents/ledger/rectification.xlsx?year=2022&unit={HONGLAI}")
    assert xlsx.status_code == 200
    name = unquote(xlsx.headers["content-disposition"].split("filename*=UTF-8''")[1])
    assert name == "南安市洪濑镇2022年度整改统计表.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "整改统计表" in ws["A1"].value
    word = client.get("/stats/documents/monthly.docx?month=2022-11")
    assert word.status_code == 200
    assert unquote(word.headers["content-disposition"].split("''")[1]) == "南安市2022年11月月清月结报告.docx"
    assert "月清" in docx.Document(io.BytesIO(word.content)).paragraphs[0].text


def test_bad_month_and_unknown_kind_are_refused_and_no_military_route(client: TestClient) -> None:
    login(client, "admin")
    assert client.get("/stats?month=2022-13").status_code == 422
    assert client.get("/stats/documents/ledger/military.xlsx").status_code == 422
    assert client.get("/stats/documents/military.xlsx").status_code == 404


def test_patch_list_export_is_named_after_its_filter(client: TestClient) -> None:
    login(client, "admin")
    got = client.get(f"/patches/export.xlsx?township={HONGLAI}&state=issued")
    assert got.status_code == 200
    name = unquote(got.headers["content-disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith("卫片图斑清单_洪濑镇_已下发_") and name.endswith(".xlsx")


def test_patch_map_follows_the_scope(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/stats/map")
    assert page.status_code == 200 and "<svg" in page.text
    assert "P0002" in page.text  # the 市局 sees the military patch
    assert "按预判结果着色" in page.text and "P0000" in client.get("/stats/map?colour=suggestion").text
    client.cookies.clear()
    login(client, "honglai")
    own = client.get("/stats/map").text
    assert "P0000" in own and "P0001" not in own and "P0002" not in own
    client.cookies.clear()
    login(client, "dept")
    assert client.get("/stats/map").status_code == 403


def test_patch_map_draws_every_patch_when_they_are_many(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond MAP_POINTS_MAX the dots are merged per cell, none left out: the tally counts all."""
    from weipian.web.routes import stats as stats_route

    login(client, "admin")
    before = client.get("/stats/map").text
    assert "合并" not in before
    monkeypatch.setattr(stats_route, "MAP_POINTS_MAX", 1)
    monkeypatch.setattr(stats_route, "MAP_CELLS", 1)  # one cell: patches of a class become one dot
    page = client.get("/stats/map").text
    assert "共 3 个图斑" in page and "合并成一个点" in page
    tally = re.findall(r"</i>[^<]* (\d+)</span>", page)
    assert sum(int(n) for n in tally) == 3
    assert page.count("<circle") == 2 * len(tally)  # a dot per class, and its legend entry
