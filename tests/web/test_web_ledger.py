"""整改台账 pages through the app: township fills the ledger, the 市局 decides 销号; scope, CSRF,
roles and markup in user text; the upper level's answer on the patch page; dashboard reminders."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from web_helpers import login

from ledger_helpers import illegal, reported
from photos import field_photo, minimal_pdf
from weipian.domain import clock
from weipian.services.evidence import list_evidence
from weipian.storage.store import Store


def _deadline() -> str:
    return (clock.today() + dt.timedelta(days=30)).isoformat()


def test_township_fills_ledger_and_bureau_closes_out(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    pid = reported(county, "P0000", illegal())
    csrf = login(client, "honglai")
    page = client.get(f"/ledger/{pid}").text
    assert "建立整改台账" in page and "拆除复耕" in page
    no_csrf = client.post(
        f"/ledger/{pid}/open", data={"responsible": "张三", "measures": "罚款", "deadline": _deadline()}
    )
    assert no_csrf.status_code == 403
    r = client.post(f"/ledger/{pid}/open", data={
        "csrf_token": csrf, "responsible": "<b>张三</b>", "measures": ["拆除复耕", "罚款"], "deadline": _deadline(),
    })  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/ledger/{pid}"
    page = client.get(f"/ledger/{pid}").text
    assert "&lt;b&gt;张三&lt;/b&gt;" in page and "<b>张三</b>" not in page  # user text is escaped
    assert "填写整改进展" in page and "申请销号" in page

    bad = client.post(f"/ledger/{pid}/progress", data={"csrf_token": csrf, "demolished": "600"})
    assert bad.status_code == 422 and "超过违法面积" in bad.text
    bad = client.post(f"/ledger/{pid}/progress", data={"csrf_token": csrf, "demolished": "=1+2"})
    assert bad.status_code == 422 and "面积必须是数字" in bad.text
    ok = client.post(
        f"/ledger/{pid}/progress", data={"csrf_token": csrf, "demolished": "500", "demolished_farmland": "300",
                                         "note": "已全部拆除"},
        files=[("photos", ("现场.jpg", field_photo(), "image/jpeg"))],
    )  # fmt: skip
    assert ok.status_code == 303, ok.text
    page = client.get(f"/ledger/{pid}").text
    assert "已全部拆除" in page and "/preview.jpg" in page
    # the photo's note is stored as a code and worded where it is shown
    with county.reading() as s:
        assert {e.note for e in list_evidence(s, pid)} == {"ledger.progress_photo"}
    assert "整改进展照片" in client.get(f"/patches/{pid}").text
    photos = client.get("/api/map/photos", params={"patch_id": pid}).json()["features"]
    assert [f["properties"]["note"] for f in photos] == ["整改进展照片"]
    ok = client.post(f"/ledger/{pid}/close", data={"csrf_token": csrf, "note": "请验收"},
                     files=[("evidence", ("验收.pdf", minimal_pdf(), "application/pdf"))])  # fmt: skip
    assert ok.status_code == 303
    denied = client.post(f"/ledger/{pid}/decide", data={"csrf_token": csrf, "decision": "approve"})
    assert denied.status_code == 403  # a township never approves 销号

    other = TestClient(client.app, follow_redirects=False)
    csrf2 = login(other, "hongmei")
    assert other.get(f"/ledger/{pid}").status_code == 404  # another township's record does not exist
    assert other.post(f"/ledger/{pid}/progress", data={"csrf_token": csrf2, "note": "x"}).status_code == 404

    boss = TestClient(client.app, follow_redirects=False)
    csrf3 = login(boss, "reviewer")
    listed = boss.get("/ledger").text
    assert "P0000" in listed and "待审核销号" in listed
    home = boss.get("/").text
    assert "销号待审核" in home  # the dashboard reminder
    r = boss.post(f"/ledger/{pid}/decide",
                  data={"csrf_token": csrf3, "decision": "approve", "reason": "pass.rectified_verified"})  # fmt: skip
    assert r.status_code == 303
    page = boss.get(f"/ledger/{pid}").text
    assert "已销号" in page and "经核查已整改到位" in page and "重新打开" in page
    assert (
        client.get(f"/ledger/{pid}").status_code == 200
        and "重新打开" not in client.get(f"/ledger/{pid}").text
    )


def test_upper_level_answer_from_the_patch_page(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    pid = reported(county, "P0001", illegal(200, 0))
    csrf = login(client, "admin")
    page = client.get(f"/patches/{pid}").text
    assert "上级通过" in page and "查处整改台账" in page
    r = client.post(f"/patches/{pid}/upper", data={"csrf_token": csrf, "decision": "return"})
    assert r.status_code == 422 and "退回原因" in r.text
    r = client.post(f"/patches/{pid}/upper",
                    data={"csrf_token": csrf, "decision": "return", "reasons": "return.need_field_photos"})  # fmt: skip
    assert r.status_code == 303
    assert "上级退回" in client.get(f"/patches/{pid}").text
    town = TestClient(client.app, follow_redirects=False)
    csrf2 = login(town, "hongmei")
    assert "上级通过" not in town.get(f"/patches/{pid}").text
    r = town.post(f"/patches/{pid}/upper", data={"csrf_token": csrf2, "decision": "accept"})
    assert r.status_code in (403, 409)
