"""Web fixtures: a tiny county (two townships, a military-restricted patch) with one account per
role, and the application built by ``create_app`` on the ``store`` fixture (SQLite and PostGIS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import ACCOUNTS, password_hash

from factories import small_county
from weipian.storage.store import Store
from weipian.storage.users import insert_user
from weipian.storage.workflow import find_patch
from weipian.web.app import create_app
from weipian.web.settings import WebSettings


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    """P0000 in 洪濑镇, P0001 in 洪梅镇, P0002 on military land (restricted, no township)."""
    small_county(store, tmp_path)
    with store.writing() as session:
        for name, (role, town, dept) in ACCOUNTS.items():
            insert_user(
                session, username=name, display_name=f"{name}-姓名", password_hash=password_hash(),
                role=role.value, township_code=town, department=dept, at=dt.datetime.now(dt.UTC),
            )  # fmt: skip
    return store


@pytest.fixture
def ids(county: Store) -> dict[str, int]:
    """JCBH → patch id."""
    with county.reading() as session:
        return {code: find_patch(session, code).id for code in ("P0000", "P0001", "P0002")}


@pytest.fixture
def app(county: Store, tmp_path: Path) -> FastAPI:
    return create_app(
        WebSettings(
            database_url=county.url, secret_key="test-secret-key-" + "x" * 32, files_dir=tmp_path / "files"
        )
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c
