"""移送与抄告 in the browser: the bureau refers from the patch page, a department liaison sees
only what was referred to its department (list, page, API) and answers it once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import login

from weipian.domain import clock
from weipian.domain.referrals import feedback_due
from weipian.storage.referrals import insert_referral
from weipian.storage.store import Store
from weipian.storage.tables import referrals


def _rows(store: Store) -> list[tuple[str, str, str | None]]:
    with store.reading() as session:
        q = select(referrals.c.department, referrals.c.matter, referrals.c.feedback).order_by(referrals.c.id)
        return [tuple(r) for r in session.execute(q)]  # type: ignore[misc]


def _refer(client: TestClient, csrf: str, patch_id: int, department: str, **kw: str) -> int:
    data = {
        "kind": "referral",
        "department": department,
        "matter": "占用林地，请核查",
        "csrf_token": csrf,
        **kw,
    }
    return client.post(f"/patches/{patch_id}/referrals", data=data).status_code


def test_bureau_refers_and_liaison_answers(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "reviewer")
    page = client.get(f"/patches/{ids['P0001']}").text
    assert f'action="/patches/{ids["P0001"]}/referrals"' in page and "南安市林业局" in page
    assert _refer(client, csrf, ids["P0001"], "林业") == 303
    page = client.get(f"/patches/{ids['P0001']}").text
    due = feedback_due(clock.today()).isoformat()
    assert f"已抄告至南安市林业局，反馈期限 {due}" in page  # the notice, with the due date
    assert _refer(client, csrf, ids["P0000"], "水利", matter="侵占河道") == 303
    assert "占用林地，请核查" in page and "待反馈" in page
    assert "提交反馈" not in page  # a reviewer refers but does not answer for a department
    assert _rows(county) == [("林业", "占用林地，请核查", None), ("水利", "侵占河道", None)]
    listed = client.get("/referrals").text
    assert "P0000" in listed and "P0001" in listed
    assert "P0001" not in client.get("/referrals?department=水利").text

    client.post("/logout", data={"csrf_token": csrf})
    r = client.post(
        "/login",
        data={"username": "dept", "password": "correct-horse-9", "next": "/", "csrf_token": _token(client)},
    )
    assert r.headers["location"] == "/referrals"  # a liaison lands on its referrals
    csrf = login(client, "dept")
    listed = client.get("/referrals").text
    assert "P0001" in listed and "P0000" not in listed and "侵占河道" not in listed
    assert f'href="/patches/{ids["P0001"]}#referrals"' in listed
    page = client.get(f"/patches/{ids['P0001']}").text
    assert "提交反馈" in page and f'action="/patches/{ids["P0001"]}/referrals"' not in page
    rid = int(re.search(r'action="/referrals/(\d+)/feedback"', page).group(1))  # type: ignore[union-attr]

    r = client.post(f"/referrals/{rid}/feedback", data={"text": "已立案", "next": "/referrals"})
    assert r.status_code == 403  # no CSRF token: refused, nothing written
    assert _rows(county)[0][2] is None
    r = client.post(
        f"/referrals/{rid}/feedback",
        data={"text": "已立案查处", "next": f"/patches/{ids['P0001']}#referrals", "csrf_token": csrf},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{ids['P0001']}#referrals"
    assert _rows(county)[0][2] == "已立案查处"
    page = client.get(f"/patches/{ids['P0001']}").text
    assert "已立案查处" in page and "已反馈" in page and "提交反馈" not in page
    again = client.post(f"/referrals/{rid}/feedback", data={"text": "更正", "csrf_token": csrf})
    assert again.status_code == 409 and "办结后不能再填写" in again.text
    other = _rid(county, "水利")
    assert (
        client.post(f"/referrals/{other}/feedback", data={"text": "x", "csrf_token": csrf}).status_code == 404
    )
    assert _rows(county)[1][2] is None


def _token(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def _rid(store: Store, department: str) -> int:
    with store.reading() as session:
        return int(session.scalar(select(referrals.c.id).where(referrals.c.department == department)) or 0)


def test_liaison_sees_only_its_referred_patches(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    at = dt.datetime(2022, 11, 21, tzinfo=dt.UTC)
    with county.writing() as session:  # P0002 is restricted: written straight, the service refuses it
        for code, dept in (("P0001", "林业"), ("P0002", "林业"), ("P0000", "水利")):
            insert_referral(
                session, patch_id=ids[code], kind="referral", department=dept, matter=f"事项{code}",
                referred_by="admin", referred_at=at, due_on=dt.date(2023, 1, 21),
            )  # fmt: skip
    login(client, "dept")
    assert {p["JCBH"] for p in client.get("/api/patches").json()["patches"]} == {"P0001"}
    assert client.get(f"/api/patches/{ids['P0001']}").status_code == 200
    for code in ("P0000", "P0002"):
        assert client.get(f"/patches/{ids[code]}").status_code == 404
        assert client.get(f"/api/patches/{ids[code]}").json()["error"]["code"] == "patch.no_such_id"
    listed = client.get("/referrals").text
    assert "事项P0001" in listed and "事项P0002" not in listed and "事项P0000" not in listed
    assert "已逾期" in listed  # due 2023-01-21, no feedback: stays listed as overdue
    # A department filter in the URL cannot widen a liaison's list.
    assert "事项P0000" not in client.get("/referrals?department=水利").text
    assert "事项P0001" in client.get("/referrals?status=overdue").text
    assert "事项P0002" not in client.get(f"/patches/{ids['P0001']}").text
    # The bureau sees all, the restricted one marked, and the dashboard counts the overdue ones.
    client.post("/logout", data={"csrf_token": login(client, "admin")})
    login(client, "admin")
    listed = client.get("/referrals?status=overdue").text
    assert all(f"事项{c}" in listed for c in ("P0000", "P0001", "P0002")) and "涉军" in listed
    assert re.search(r"<b>3</b><span>抄告移交逾期未反馈", client.get("/").text)


@pytest.mark.parametrize("username", ["honglai", "leader", "dept"])
def test_only_the_bureau_refers(
    username: str, client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    with county.writing() as session:
        insert_referral(
            session, patch_id=ids["P0001"], kind="referral", department="林业", matter="已有",
            referred_by="admin", referred_at=dt.datetime.now(dt.UTC), due_on=dt.date(2030, 1, 1),
        )  # fmt: skip
    csrf = login(client, username)
    expected = {"honglai": 404, "leader": 403, "dept": 403}[username]  # 404: not in its scope
    assert _refer(client, csrf, ids["P0001"], "林业") == expected
    assert len(_rows(county)) == 1


def test_refusals_explain_and_write_nothing(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "admin")
    assert _refer(client, "", ids["P0000"], "林业") == 403  # no CSRF token
    r = client.post(
        f"/patches/{ids['P0002']}/referrals",
        data={"kind": "referral", "department": "林业", "matter": "军事用地", "csrf_token": csrf},
    )
    assert r.status_code == 403 and "机要渠道线下办理" in r.text
    page = client.get(f"/patches/{ids['P0002']}").text
    assert "只能移送局内科室" in page and "南安市林业局" not in page  # only internal sections offered
    r = client.post(
        f"/patches/{ids['P0000']}/referrals",
        data={"kind": "referral", "department": "教育局", "matter": "x", "csrf_token": csrf},
    )
    assert r.status_code == 422 and "不在接收部门名录中" in r.text
    assert _refer(client, csrf, 999999, "林业") == 404
    with county.reading() as session:
        assert session.scalar(select(func.count()).select_from(referrals)) == 0
