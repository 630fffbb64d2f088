"""Sessions and sign-in attacked (issue 11, items 5 and 6): a cookie copied before logout, a
password change or disabling; idle and absolute timeouts; the Secure flag; guessing passwords
per account and per address; many parallel sign-ins; weak passwords. SQLite and PostGIS."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, login, token

from weipian.domain.roles import Role
from weipian.errors import InputError, PermissionDenied
from weipian.services import users as users_service
from weipian.services.users import add_user, authenticate, set_active, set_password
from weipian.storage.store import Store
from weipian.web import auth as web_auth
from weipian.web.app import create_app
from weipian.web.settings import WebSettings


@pytest.fixture(autouse=True)
def _fresh_address_counts() -> Iterator[None]:
    users_service._ADDRESS_FAILURES.clear()
    yield
    users_service._ADDRESS_FAILURES.clear()


def _copy(client: TestClient, app: FastAPI) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    other = TestClient(app, follow_redirects=False)
    other.cookies.set("weipian_session", client.cookies["weipian_session"])
    return other


def test_a_cookie_copied_before_logout_is_dead_after_it(client: TestClient, app: FastAPI) -> None:
    csrf = login(client, "admin")
    stolen = _copy(client, app)
    assert stolen.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    r = stolen.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_password_change_or_disabling_ends_sessions(
    client: TestClient, app: FastAPI, county: Store
) -> None:
    login(client, "admin")
    with county.writing() as session:
        set_password(session, "admin", "a-new-password-7")
    assert client.get("/").status_code == 303
    other = TestClient(app, follow_redirects=False)
    login(other, "leader")
    with county.writing() as session:
        set_active(session, "leader", False)
    assert other.get("/").status_code == 303


def test_idle_and_absolute_timeouts(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    start = web_auth._clock()
    login(client, "admin")
    now = [start]
    monkeypatch.setattr(web_auth, "_clock", lambda: now[0])
    for _ in range(25):  # active every 25 minutes for 10 h 25 min: never idle, yet ends at 10 h
        now[0] += 25 * 60
        if client.get("/").status_code != 200:
            break
    assert now[0] - start > 10 * 3600 - 25 * 60 and client.get("/").status_code == 303
    login(client, "admin")
    now[0] += 31 * 60  # 31 minutes without a request
    assert client.get("/").status_code == 303


def test_secure_flag_setting(county: Store, tmp_path: Path) -> None:
    app = create_app(
        WebSettings(
            database_url=county.url, secret_key="s" * 40, files_dir=tmp_path / "f", session_secure=True
        )
    )
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/login")
    assert "secure" in r.headers["set-cookie"].lower()


def test_five_wrong_passwords_lock_the_account(client: TestClient) -> None:
    for _ in range(5):
        r = client.post(
            "/login", data={"username": "admin", "password": "guess-000", "csrf_token": token(client)}
        )
        assert r.status_code == 401
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token(client)})
    assert r.status_code == 429 and "已暂时锁定" in r.text and "分钟后再试" in r.text


def test_one_address_guessing_many_accounts_is_locked_out(client: TestClient) -> None:
    for i in range(20):
        r = client.post(
            "/login", data={"username": f"nobody{i}", "password": "guess-000", "csrf_token": token(client)}
        )
        assert r.status_code == 401
    r = client.post(
        "/login", data={"username": "reviewer", "password": PASSWORD, "csrf_token": token(client)}
    )
    assert r.status_code == 429


def test_argon2_work_is_bounded_under_parallel_guessing(
    county: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, peak = [0], [0]
    lock = threading.Lock()
    real = users_service._HASHER.verify_and_update

    def counted(password: str, hashed: str) -> tuple[bool, str | None]:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real(password, hashed)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(users_service._HASHER, "verify_and_update", counted)
    threads = [
        threading.Thread(
            target=authenticate, args=(county, f"u{i}", "guess-000"), kwargs={"address": f"10.0.0.{i}"}
        )
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] <= users_service.HASHING_SLOTS


def test_locked_account_costs_no_hashing(county: Store) -> None:
    for _ in range(5):
        assert authenticate(county, "admin", "guess-000") is None
    with pytest.raises(PermissionDenied) as locked:
        authenticate(county, "admin", PASSWORD)
    assert locked.value.code == "auth.locked"


@pytest.mark.parametrize(
    ("password", "code"),
    [("short-1", "user.password_short"), ("zhangsan-2024", "user.password_is_name"),
     ("weipian-demo", "user.password_demo")],
)  # fmt: skip
def test_password_policy(store: Store, password: str, code: str) -> None:
    with store.writing() as session, pytest.raises(InputError) as refused:
        add_user(session, username="zhangsan", role=Role.leader, password=password)
    assert refused.value.code == code


def test_the_demo_password_is_allowed_in_the_demo(store: Store) -> None:
    with store.writing() as session:
        add_user(session, username="admin", role=Role.bureau_admin, password="weipian-demo", demo=True)
