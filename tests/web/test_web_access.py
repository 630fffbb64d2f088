"""Every route × every role: what each account may see and do, by page and by API.

A township account gets 404 for another township's patch (by URL and by API), exactly as for a
patch that does not exist; a department account sees exactly the patches referred to its
department; military-restricted patches are 404 for every non-bureau role, even when referred.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import PASSWORD, VALID_ILLEGAL, login, password_hash

from weipian.storage.referrals import insert_referral
from weipian.storage.store import Store
from weipian.storage.tables import events
from weipian.storage.users import insert_user

# own = P0000 (洪濑镇), other = P0001 (洪梅镇), secret = P0002 (military, restricted)
# Referred (``referred`` fixture): P0001 and P0002 to 林业 (dept's department), P0000 to 水利.
PAGES = [
    "/", "/patches", "/patches?state=issued&q=P00", "/patches/{own}", "/patches/{other}", "/patches/{secret}",
    "/patches/export.xlsx", "/review", "/lists/housing", "/lists/military", "/lists/overdue", "/lists/returned",
    "/api/patches", "/api/patches/{own}", "/api/patches/{other}", "/api/patches/{secret}",
]  # fmt: skip
OK, NO, HIDDEN = 200, 403, 404
EXPECTED = {
    "admin": [OK] * 16,
    "reviewer": [OK] * 16,
    "honglai": [OK, OK, OK, OK, HIDDEN, HIDDEN, OK, NO, OK, NO, OK, OK, OK, OK, HIDDEN, HIDDEN],
    "leader": [OK, OK, OK, OK, OK, HIDDEN, OK, NO, OK, NO, OK, OK, OK, OK, OK, HIDDEN],
    "dept": [OK, OK, OK, HIDDEN, OK, HIDDEN, OK, NO, OK, NO, OK, OK, OK, HIDDEN, OK, HIDDEN],
}
# Which patches the API list shows each role.
LISTED = {
    "admin": {"P0000", "P0001", "P0002"},
    "reviewer": {"P0000", "P0001", "P0002"},
    "honglai": {"P0000"},
    "leader": {"P0000", "P0001"},
    "dept": {"P0001"},
}
# Saving a valid determination on own / other / secret: who may write.
WRITE = {
    "admin": (303, 303, 303),
    "reviewer": (303, 303, 303),
    "honglai": (303, HIDDEN, HIDDEN),
    "leader": (NO, NO, HIDDEN),
    "dept": (HIDDEN, NO, HIDDEN),
}


def _events(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(events)) or 0)


@pytest.fixture
def referred(county: Store, ids: dict[str, int]) -> None:
    """P0001 and the restricted P0002 referred to 林业, P0000 to 水利 (the restricted one written
    straight to the table: the service refuses it, the scope must hide it all the same)."""
    at = dt.datetime.now(dt.UTC)
    with county.writing() as session:
        for code, dept in (("P0001", "林业"), ("P0002", "林业"), ("P0000", "水利")):
            insert_referral(
                session, patch_id=ids[code], kind="referral", department=dept, matter="事项",
                referred_by="admin", referred_at=at, due_on=dt.date(2023, 1, 20),
            )  # fmt: skip


@pytest.mark.parametrize("username", sorted(EXPECTED))
@pytest.mark.usefixtures("referred")
def test_routes_by_role(username: str, client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, username)
    where = {"own": ids["P0000"], "other": ids["P0001"], "secret": ids["P0002"]}
    got = [client.get(path.format(**where)).status_code for path in PAGES]
    assert dict(zip(PAGES, got, strict=True)) == dict(zip(PAGES, EXPECTED[username], strict=True))

    listed = {p["JCBH"] for p in client.get("/api/patches").json()["patches"]}
    assert listed == LISTED[username]
    body = client.get(f"/api/patches/{ids['P0001']}").json()
    if EXPECTED[username][14] == HIDDEN:
        assert body["error"]["code"] == "patch.no_such_id"

    for target, expected in zip(("own", "other", "secret"), WRITE[username], strict=True):
        before = _events(county)
        r = client.post(
            f"/patches/{where[target]}/determination",
            data={**VALID_ILLEGAL, "action": "save", "csrf_token": csrf},
        )
        assert r.status_code == expected, (target, r.text[:300])
        assert _events(county) == before + (1 if expected == 303 else 0)
        # Unreadable input is explained only to someone who may write there.
        r = client.post(
            f"/patches/{where[target]}/determination", data={"illegal_area_m2": "x", "csrf_token": csrf}
        )
        assert r.status_code == (422 if expected == 303 else expected)


def test_unknown_patch_and_page(client: TestClient) -> None:
    login(client, "admin")
    assert client.get("/patches/999999").status_code == 404
    assert client.get("/api/patches/999999").json()["error"]["code"] == "patch.no_such_id"
    assert client.get("/lists/nope").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/patches/not-a-number").status_code == 422


def test_department_sees_nothing_until_something_is_referred(client: TestClient, county: Store) -> None:
    login(client, "dept")
    assert client.get("/api/patches").json()["total"] == 0
    assert "P000" not in client.get("/patches").text
    # An account whose department is not on the list sees nothing, and a notice says why.
    with county.writing() as session:
        insert_user(
            session, username="nodept", display_name="无部门", password_hash=password_hash(),
            role="department", township_code=None, department="教育局", at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
    client.post("/logout", data={"csrf_token": login(client, "nodept", PASSWORD)})
    login(client, "nodept")
    for path in ("/", "/patches", "/referrals"):
        assert "移送抄告" in client.get(path).text and "联系市局管理员" in client.get(path).text
    assert client.get("/api/patches").json()["total"] == 0


def test_township_list_is_locked_to_its_township(client: TestClient) -> None:
    login(client, "honglai")
    # Asking for another township by filter shows nothing of it.
    body = client.get("/api/patches?township=350583114").json()
    assert body["total"] == 0
    html = client.get("/patches").text
    assert "洪梅镇" not in html and "P0001" not in html


# The map, imagery and referral routes of the same roles (the tile route needs an image: see
# tests/web/test_web_imagery.py).
BOX = "117.8,24.4,118.9,25.5"
MORE = [
    "/referrals", "/api/map/layers", f"/api/map/patches?bbox={BOX}", f"/api/map/layers/landuse?bbox={BOX}",
    f"/api/map/layers/military?bbox={BOX}", "/api/imagery?patch_id={own}", "/api/imagery?patch_id={other}",
    "/api/imagery?patch_id={secret}",
]  # fmt: skip
MORE_EXPECTED = {
    "admin": [OK] * 8,
    "reviewer": [OK] * 8,
    "honglai": [OK, OK, OK, OK, HIDDEN, OK, HIDDEN, HIDDEN],
    "leader": [OK, OK, OK, OK, HIDDEN, OK, OK, HIDDEN],
    "dept": [OK, OK, OK, OK, HIDDEN, HIDDEN, OK, HIDDEN],
}


@pytest.mark.parametrize("username", sorted(MORE_EXPECTED))
@pytest.mark.usefixtures("referred")
def test_map_imagery_and_referral_routes_by_role(
    username: str, client: TestClient, ids: dict[str, int]
) -> None:
    login(client, username)
    where = {"own": ids["P0000"], "other": ids["P0001"], "secret": ids["P0002"]}
    got = [client.get(path.format(**where)).status_code for path in MORE]
    assert dict(zip(MORE, got, strict=True)) == dict(zip(MORE, MORE_EXPECTED[username], strict=True))
    drawn = {f["properties"]["code"] for f in client.get(MORE[2]).json()["features"]}
    assert drawn == LISTED[username]  # the map shows exactly what the list shows
