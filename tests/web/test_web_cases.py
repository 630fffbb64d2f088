"""立案查处 through the app: the 市局 files and fills a case on the patch page, the township reads
it and changes nothing, another township gets 404; the list page, its exports (Chinese file name,
formula-safe cells), markup in user text, CSRF and stale versions."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
from fastapi.testclient import TestClient
from web_helpers import login

from ledger_helpers import illegal, reported
from weipian.storage.store import Store

FORMULA = "=1+2"


def test_bureau_files_a_case_and_the_township_reads_it(client: TestClient, county: Store) -> None:
    pid = reported(county, "P0000", illegal(8000, 7000))  # 10.5 亩 耕地: the crime threshold
    csrf = login(client, "reviewer")
    page = client.get(f"/patches/{pid}").text
    assert 'id="case"' in page and "尚未立案" in page and "“移送司法”" in page
    assert (
        client.post(
            f"/patches/{pid}/case/open", data={"case_no": "立-1", "filed_on": "2022-11-25"}
        ).status_code
        == 403
    )
    bad = client.post(
        f"/patches/{pid}/case/open", data={"csrf_token": csrf, "case_no": "立-1", "filed_on": "2099-01-01"}
    )
    assert bad.status_code == 422 and "晚于今天" in bad.text
    r = client.post(f"/patches/{pid}/case/open",
                    data={"csrf_token": csrf, "case_no": f"<b>{FORMULA}</b>", "filed_on": "2022-11-25"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#case"
    page = client.get(f"/patches/{pid}").text
    assert f"&lt;b&gt;{FORMULA}&lt;/b&gt;" in page and f"<b>{FORMULA}</b>" not in page  # escaped
    assert "系统建议 · 待确认" in page and "保存案件信息" in page
    person_id = int(re.search(r'id="case-person-(\d+)"', page).group(1))  # type: ignore[union-attr]

    r = client.post(f"/patches/{pid}/case/update", data={
        "csrf_token": csrf, "version": "1", "case_no": "南自然资立〔2022〕1号", "filed_on": "2022-11-25",
        "decision_no": "南自然资罚〔2022〕2号", "decision_on": "2022-11-20", "fine_yuan": "100",
    })  # fmt: skip
    assert r.status_code == 422 and "早于立案日期" in r.text
    r = client.post(f"/patches/{pid}/case/update", data={
        "csrf_token": csrf, "version": "1", "case_no": "南自然资立〔2022〕1号", "filed_on": "2022-11-25",
        "decision_no": "南自然资罚〔2022〕2号", "decision_on": "2022-11-28", "fine_yuan": "52000",
        "confiscated_area_m2": "800",
    })  # fmt: skip
    assert r.status_code == 303
    stale = client.post(f"/patches/{pid}/case/update", data={
        "csrf_token": csrf, "version": "1", "case_no": "南自然资立〔2022〕1号", "filed_on": "2022-11-25", "fine_yuan": "1",
    })  # fmt: skip
    assert stale.status_code == 409 and "刷新" in stale.text

    # The township: reads its own case, no forms, and every write is refused.
    town = TestClient(client.app, follow_redirects=False)
    tcsrf = login(town, "honglai")
    page = town.get(f"/patches/{pid}").text
    assert "南自然资罚〔2022〕2号" in page and "保存案件信息" not in page and "确认追究" not in page
    assert town.post(f"/patches/{pid}/case/update", data={"csrf_token": tcsrf, "version": "2",
                     "case_no": "x", "filed_on": "2022-11-25"}).status_code == 403  # fmt: skip
    assert town.post(f"/patches/{pid}/case/person/{person_id}",
                     data={"csrf_token": tcsrf, "decision": "confirm", "name": "某"}).status_code == 403  # fmt: skip
    assert "P0000" in town.get("/cases").text
    other = TestClient(client.app, follow_redirects=False)
    ocsrf = login(other, "hongmei")
    assert (
        other.post(
            f"/patches/{pid}/case/close", data={"csrf_token": ocsrf, "closed_on": "2022-11-30"}
        ).status_code
        == 404
    )
    assert "P0000" not in other.get("/cases").text

    # Persons: confirm the suggestion, add one, close.
    r = client.post(f"/patches/{pid}/case/close", data={"csrf_token": csrf, "closed_on": "2022-11-30"})
    assert r.status_code == 422 and "未处理" in r.text
    r = client.post(f"/patches/{pid}/case/person/{person_id}",
                    data={"csrf_token": csrf, "decision": "confirm", "name": "张某", "position": "项目业主"})  # fmt: skip
    assert r.status_code == 303
    r = client.post(f"/patches/{pid}/case/person", data={
        "csrf_token": csrf, "name": "李某", "position": "村支书", "outcome": "discipline", "detail": "党内警告"})  # fmt: skip
    assert r.status_code == 303
    r = client.post(
        f"/patches/{pid}/case/close", data={"csrf_token": csrf, "closed_on": "2022-11-30", "version": "2"}
    )
    assert r.status_code == 303
    page = client.get(f"/patches/{pid}").text
    assert "已结案" in page and "保存案件信息" not in page
    assert "确认：张某 移送司法" in page and "罚款（元）：52000.0" in page  # the history says what changed

    listed = client.get("/cases").text
    assert "南自然资立〔2022〕1号" in listed and "张某：移送司法" in listed
    export = client.get("/cases/export.xlsx")
    assert export.status_code == 200
    disposition = export.headers["content-disposition"]
    assert "立案查处台账_" in unquote(disposition.split("filename*=UTF-8''")[1])
    ws = openpyxl.load_workbook(io.BytesIO(export.content)).active
    headers = [c.value for c in ws[2]]
    assert ws.cell(3, headers.index("罚款（元）") + 1).value == 52000
    mineral = client.get("/cases/export.xlsx?kind=mineral")
    assert "矿产执法台账_" in unquote(mineral.headers["content-disposition"].split("filename*=UTF-8''")[1])


def test_formula_case_number_stays_text_in_the_export(client: TestClient, county: Store) -> None:
    pid = reported(county, "P0000", illegal())
    csrf = login(client, "admin")
    r = client.post(
        f"/patches/{pid}/case/open", data={"csrf_token": csrf, "case_no": FORMULA, "filed_on": "2022-11-25"}
    )
    assert r.status_code == 303
    ws = openpyxl.load_workbook(io.BytesIO(client.get("/cases/export.xlsx").content)).active
    cell = ws.cell(3, [c.value for c in ws[2]].index("立案号") + 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)


def test_department_and_not_illegal(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "admin")
    # P0001 was never determined: no case section, and filing is refused.
    assert 'id="case"' not in client.get(f"/patches/{ids['P0001']}").text
    r = client.post(f"/patches/{ids['P0001']}/case/open", data={"csrf_token": csrf, "case_no": "立-9",
                                                                "filed_on": "2022-11-25"})  # fmt: skip
    assert r.status_code == 422 and "不是违法" in r.text
    dept = TestClient(client.app, follow_redirects=False)
    login(dept, "dept")
    assert "立案查处由市局办理" in dept.get("/cases").text
