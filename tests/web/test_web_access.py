"""Every route × every role: what each account may see and do, by page and by API.

A township account gets 404 for another township's patch (by URL and by API), exactly as for a
patch that does not exist; military-restricted patches are 404 for every non-bureau role.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import VALID_ILLEGAL, login

from weipian.storage.store import Store
from weipian.storage.tables import events

# own = P0000 (洪濑镇), other = P0001 (洪梅镇), secret = P0002 (military, restricted)
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
    "dept": [OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, OK, NO, OK, NO, OK, OK, OK, HIDDEN, HIDDEN, HIDDEN],
}
# Which patches the API list shows each role.
LISTED = {
    "admin": {"P0000", "P0001", "P0002"},
    "reviewer": {"P0000", "P0001", "P0002"},
    "honglai": {"P0000"},
    "leader": {"P0000", "P0001"},
    "dept": set(),
}
# Saving a valid determination on own / other / secret: who may write.
WRITE = {
    "admin": (303, 303, 303),
    "reviewer": (303, 303, 303),
    "honglai": (303, HIDDEN, HIDDEN),
    "leader": (NO, NO, HIDDEN),
    "dept": (HIDDEN, HIDDEN, HIDDEN),
}


def _events(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(events)) or 0)


@pytest.mark.parametrize("username", sorted(EXPECTED))
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


def test_department_sees_a_notice(client: TestClient) -> None:
    login(client, "dept")
    for path in ("/", "/patches"):
        assert "移交" in client.get(path).text
    assert client.get("/api/patches").json()["total"] == 0


def test_township_list_is_locked_to_its_township(client: TestClient) -> None:
    login(client, "honglai")
    # Asking for another township by filter shows nothing of it.
    body = client.get("/api/patches?township=350583114").json()
    assert body["total"] == 0
    html = client.get("/patches").text
    assert "洪梅镇" not in html and "P0001" not in html
