"""Accounts, form data and sign-in helpers shared by the web tests."""

from __future__ import annotations

import re
from functools import cache

from fastapi.testclient import TestClient
from pwdlib import PasswordHash

from factories import HONGLAI, HONGMEI, REGION  # noqa: F401 - re-exported for the web tests
from weipian.domain.roles import Role

PASSWORD = "correct-horse-9"
# username → (role, township, department)
ACCOUNTS: dict[str, tuple[Role, str | None, str | None]] = {
    "admin": (Role.bureau_admin, None, None),
    "reviewer": (Role.bureau_reviewer, None, None),
    "honglai": (Role.township, HONGLAI, None),
    "hongmei": (Role.township, HONGMEI, None),
    "leader": (Role.leader, None, None),
    "dept": (Role.department, None, "林业局"),
}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def password_hash() -> str:
    """One argon2id hash for every test account (hashing is deliberately slow)."""
    return PasswordHash.recommended().hash(PASSWORD)


def token(client: TestClient, path: str = "/login") -> str:
    """The session's CSRF token, read from a page's hidden input."""
    found = TOKEN.search(client.get(path).text)
    assert found, path
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in; returns the new session's CSRF token."""
    r = client.post(
        "/login", data={"username": username, "password": password, "next": "/", "csrf_token": token(client)}
    )
    assert r.status_code == 303, r.text
    return token(client, "/")


VALID_ILLEGAL = {
    "verdict": "违法",
    "violation_type": "违法占地",
    "illegal_area_m2": "500",
    "farmland_area_m2": "500",
    "basic_farmland_area_m2": "0",
    "is_new": "新增",
    "opinion": "未批先建",
    "project_owner": "张某",
    "build_date": "2022-06-01",
}
