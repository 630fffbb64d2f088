"""Shared fixtures: a real store on SQLite and, when a server is configured, on PostGIS.

PostGIS tests read ``WEIPIAN_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres:pw@localhost/weipian_test``). Without it they skip, unless
``--require-postgis`` is given (CI), when a skip fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from weipian.domain import clock
from weipian.services.admin import init_store
from weipian.storage.store import Store

PG_URL_ENV = "WEIPIAN_TEST_POSTGRES_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-postgis", action="store_true", help="fail instead of skipping when PostGIS is unavailable"
    )


def _pg_url(request: pytest.FixtureRequest) -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if request.config.getoption("--require-postgis"):
            pytest.fail(f"--require-postgis given but {PG_URL_ENV} is not set")
        pytest.skip(f"{PG_URL_ENV} not set")
    return url


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """Every test starts and ends on the real clock (WEIPIAN_NOW fixes it process-wide)."""
    clock.set_now(None)
    yield
    clock.set_now(None)


@pytest.fixture
def pg_schema_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL whose connections work in a fresh schema (PostGIS stays in ``public``)."""
    base = _pg_url(request)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema},public"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for an empty, uninitialised store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'weipian.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An initialised store on each backend."""
    s = Store(store_url)
    init_store(s)
    yield s
    s.dispose()
