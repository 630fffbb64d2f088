"""Sign-in, sign-out, sessions of deactivated accounts, and CSRF refusals that write nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import VALID_ILLEGAL, login, token

from weipian.services.users import set_active
from weipian.storage.store import Store
from weipian.storage.tables import events


def _events(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(events)) or 0)


def test_pages_need_a_session(client: TestClient) -> None:
    r = client.get("/patches?state=issued")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fpatches%3Fstate%3Dissued"
    r = client.get("/api/patches")
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.required"
    r = client.get("/patches", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login?next=")
    assert client.get("/healthz").text == "ok"
    assert client.get("/login").status_code == 200


def test_login_logout(client: TestClient) -> None:
    csrf = token(client)
    r = client.post("/login", data={"username": "admin", "password": "wrong-password", "csrf_token": csrf})
    assert r.status_code == 401 and 'data-code="auth.failed"' in r.text
    r = client.post("/login", data={"username": "nobody", "password": "whatever-1", "csrf_token": csrf})
    assert r.status_code == 401
    csrf = login(client, "admin")
    page = client.get("/")
    assert page.status_code == 200 and "admin-姓名" in page.text
    r = client.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_login_follows_only_local_next(client: TestClient) -> None:
    for target, expected in [
        ("/patches?q=P", "/patches?q=P"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
    ]:
        client.cookies.clear()
        r = client.post(
            "/login",
            data={
                "username": "leader",
                "password": "correct-horse-9",
                "next": target,
                "csrf_token": token(client),
            },
        )
        assert r.headers["location"] == expected


def test_deactivated_account_loses_its_session(client: TestClient, county: Store) -> None:
    login(client, "honglai")
    with county.writing() as session:
        set_active(session, "honglai", False)
    assert client.get("/").status_code == 303
    r = client.post(
        "/login", data={"username": "honglai", "password": "correct-horse-9", "csrf_token": token(client)}
    )
    assert r.status_code == 401


def test_csrf_refusals_write_nothing(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    # Signing in needs the page's token too (login CSRF).
    assert client.post("/login", data={"username": "admin", "password": "correct-horse-9"}).status_code == 403
    csrf = login(client, "admin")
    url = f"/patches/{ids['P0000']}/determination"
    before = _events(county)
    for data, headers in [
        ({**VALID_ILLEGAL}, {}),  # no token
        ({**VALID_ILLEGAL, "csrf_token": "forged"}, {}),  # wrong token
        ({**VALID_ILLEGAL}, {"X-CSRF-Token": "forged"}),
    ]:
        r = client.post(url, data=data, headers=headers)
        assert r.status_code == 403 and 'data-code="csrf.invalid"' in r.text
    # HTMX posts need both the HX-Request header and the token.
    review = {"patch_id": str(ids["P0000"]), "outcome": "pass", "csrf_token": csrf}
    r = client.post("/review", data=review)
    assert r.status_code == 403 and 'data-code="htmx.required"' in r.text
    r = client.post("/review", data={**review, "csrf_token": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 403 and 'data-code="csrf.invalid"' in r.text
    assert client.post("/logout").status_code == 403
    assert _events(county) == before
    # The header form of the token (what HTMX sends) is accepted.
    r = client.post(url, data={**VALID_ILLEGAL, "action": "save"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 303 and _events(county) == before + 1


def test_session_cookie_flags(client: TestClient) -> None:
    r = client.get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "weipian_session=" in cookie and "samesite=lax" in cookie and "httponly" in cookie
