"""Property-based test of the HTTP routes (issue 11, item 16): every route of the app, as every
role and signed out, with random ids (huge, negative, text), query strings and form fields —
never a 500. Hypothesis over the TestClient (schemathesis is not in the lock); a bounded budget
for CI. SQLite and PostGIS."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import hypothesis.strategies as st
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from web_helpers import ACCOUNTS, login

from weipian.web.security import HEADERS

PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
FIELDS = ["batch", "township", "state", "page", "q", "next", "status", "kind", "department", "matter", "text",
          "verdict", "illegal_area_m2", "is_new", "action", "note", "phase", "z", "x", "y", "bbox", "id"]  # fmt: skip
value = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
    st.sampled_from(
        ["", "0", "1", "-1", "9223372036854775808", "../../etc/passwd", "<script>", "=1+1", "[/]", "%00"]
    ),
)


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route, through the included routers."""
    out = []
    stack: list[Any] = list(app.routes)
    while stack:
        r = stack.pop()
        if isinstance(r, APIRoute):
            out += [(m, r.path) for m in sorted(r.methods or []) if m in ("GET", "POST")]
        elif hasattr(r, "original_router"):
            stack += list(r.original_router.routes)
    assert len(out) > 20
    return sorted(set(out))


@pytest.fixture
def clients(app: FastAPI) -> Any:
    made: dict[str, TestClient] = {}

    def get(role: str) -> TestClient:
        if role not in made:
            c = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
            c.__enter__()
            made[role] = c
            if role != "anonymous":
                c.headers["X-CSRF-Token"] = login(c, role)
        return made[role]

    yield get
    for c in made.values():
        c.__exit__(None, None, None)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_route_answers_500(app: FastAPI, clients: Any, data: st.DataObject) -> None:
    method, path = data.draw(st.sampled_from(_routes(app)), label="route")
    role = data.draw(st.sampled_from(["anonymous", *ACCOUNTS]), label="role")
    url = PARAM.sub(lambda m: data.draw(value.map(lambda v: quote(v, safe="") or "0")), path)
    params = data.draw(st.dictionaries(st.sampled_from(FIELDS), value, max_size=4), label="params")
    client = clients(role)
    headers = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
    if method == "GET":
        r = client.get(url, params=params, headers=headers)
    else:
        r = client.post(url, data=params, headers=headers)
    assert r.status_code < 500, (method, url, params, role, r.status_code, r.text[:300])
    for name, v in HEADERS:
        assert r.headers.get(name.decode()) == v.decode()
