"""Web fixtures: a tiny county (two townships, a military-restricted patch) with one account per
role, and the application built by ``create_app`` on the ``store`` fixture (SQLite and PostGIS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import ACCOUNTS, HONGLAI, HONGMEI, REGION, password_hash

from factories import gk_square, patch_rows, write_vector
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.rules import load_rules
from weipian.services.analyze import analyze
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.judge import judge_patches
from weipian.services.layers import import_layer
from weipian.storage.store import Store
from weipian.storage.users import insert_user
from weipian.storage.workflow import find_patch
from weipian.web.app import create_app
from weipian.web.settings import WebSettings


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    """P0000 in 洪濑镇, P0001 in 洪梅镇, P0002 on military land (restricted, no township)."""
    towns = write_vector(
        tmp_path / "t.gpkg",
        [{"XZQDM": HONGLAI, "XZQMC": "洪濑镇"}, {"XZQDM": HONGMEI, "XZQMC": "洪梅镇"}],
        [gk_square(-1000, -1000, 1500), gk_square(500, -1000, 1500)],
    )
    import_layer(store, towns, LayerKind.townships, region=REGION)
    land = write_vector(tmp_path / "l.gpkg", [{"DLBM": "0101"}], [gk_square(-1000, -1000, 3000)])
    import_layer(store, land, LayerKind.landuse, region=REGION)
    mil = write_vector(tmp_path / "m.gpkg", [{"NAME": "某部"}], [gk_square(1000, 1000, 100)])
    import_layer(store, mil, LayerKind.military, region=REGION)
    pkg = write_vector(
        tmp_path / "p.gpkg", patch_rows(3), [gk_square(0), gk_square(700), gk_square(1000, 1000)]
    )
    options = IntakeOptions(source=Source.ministry, batch="B1", issued=dt.date(2022, 11, 1), region=REGION)
    import_package(store, pkg, options)
    analyze(store, workers=1)
    judge_patches(store, load_rules(), on=dt.date(2022, 11, 20))
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
def app(county: Store) -> FastAPI:
    return create_app(WebSettings(database_url=county.url, secret_key="test-secret-key"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c
