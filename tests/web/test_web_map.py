"""The patch map's data (/api/map/…): GeoJSON for a box, the same scope rules as the list,
military land for 市局 roles only, and the map module on the patch page."""

from __future__ import annotations

import json

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import login

from weipian.storage.store import Store
from weipian.storage.tables import patches
from weipian.web.routes import maps

COUNTY = "117.8,24.4,118.9,25.5"


def _codes(client: TestClient, bbox: str = COUNTY) -> set[str]:
    r = client.get("/api/map/patches", params={"bbox": bbox})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    return {f["properties"]["code"] for f in r.json()["features"]}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"P0000", "P0001", "P0002"}),
        ("reviewer", {"P0000", "P0001", "P0002"}),
        ("leader", {"P0000", "P0001"}),  # the military-restricted patch stays with 市局
        ("honglai", {"P0000"}),
        ("hongmei", {"P0001"}),
    ],
)
def test_patch_layer_follows_the_scope(client: TestClient, username: str, expected: set[str]) -> None:
    login(client, username)
    assert _codes(client) == expected


def test_patch_geometry_is_the_stored_one(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    login(client, "admin")
    body = client.get("/api/map/patches", params={"bbox": COUNTY}).json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    by_id = {f["id"]: f for f in body["features"]}
    with county.reading() as session:
        for row in session.execute(select(patches.c.id, patches.c.wkb, patches.c.state)):
            drawn = shapely.geometry.shape(by_id[row.id]["geometry"])
            assert drawn.equals_exact(shapely.from_wkb(row.wkb), 1e-7)  # drawn to 1 cm
            assert by_id[row.id]["properties"]["state"] == row.state


def test_box_outside_and_box_around_one_patch(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    login(client, "admin")
    assert _codes(client, "100,30,100.1,30.1") == set()
    with county.reading() as session:
        box = session.execute(
            select(patches.c.minx, patches.c.miny, patches.c.maxx, patches.c.maxy).where(
                patches.c.id == ids["P0000"]
            )
        ).one()
    assert _codes(client, ",".join(str(v) for v in box)) == {"P0000"}


def test_the_limit_is_reported(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(maps, "PATCH_LIMIT", 2)
    login(client, "admin")
    body = client.get("/api/map/patches", params={"bbox": COUNTY}).json()
    assert body["truncated"] is True and len(body["features"]) == 2


@pytest.mark.parametrize(
    "bbox", ["", "1,2,3", "a,b,c,d", "118,25,117,26", "118,25,119,24", "0,0,200,1", "nan,0,1,1"]
)
def test_bad_boxes_are_refused_in_chinese(client: TestClient, bbox: str) -> None:
    login(client, "admin")
    r = client.get("/api/map/patches", params={"bbox": bbox})
    assert r.status_code in (400, 422)
    assert "地图范围" in json.dumps(r.json(), ensure_ascii=False) or r.status_code == 422


def test_login_required(client: TestClient) -> None:
    for url in (
        "/api/map/patches?bbox=" + COUNTY,
        "/api/map/layers",
        "/api/map/layers/landuse?bbox=" + COUNTY,
    ):
        assert client.get(url).status_code == 401


def test_reference_layers_and_military(client: TestClient) -> None:
    login(client, "admin")
    kinds = {layer["kind"]: layer for layer in client.get("/api/map/layers").json()}
    assert set(kinds) == {"townships", "landuse", "military"}
    assert kinds["landuse"]["label"] == "国土调查地类图斑" and kinds["landuse"]["features"] == 1
    land = client.get("/api/map/layers/landuse", params={"bbox": COUNTY}).json()
    assert [f["properties"]["code"] for f in land["features"]] == ["0101"]
    towns = client.get("/api/map/layers/townships", params={"bbox": COUNTY}).json()
    assert len(towns["features"]) == 2
    assert len(client.get("/api/map/layers/military", params={"bbox": COUNTY}).json()["features"]) == 1
    assert client.get("/api/map/layers/nonsense", params={"bbox": COUNTY}).status_code == 404
    assert client.get("/api/map/layers/eco_redline", params={"bbox": COUNTY}).status_code == 404


@pytest.mark.parametrize("username", ["honglai", "leader"])
def test_military_layer_hidden_outside_the_bureau(client: TestClient, username: str) -> None:
    login(client, username)
    assert "military" not in {layer["kind"] for layer in client.get("/api/map/layers").json()}
    r = client.get("/api/map/layers/military", params={"bbox": COUNTY})
    assert r.status_code == 404 and "军事" not in r.text.replace("军事用地", "")


def test_patch_page_loads_the_map_module(client: TestClient, ids: dict[str, int]) -> None:
    login(client, "honglai")
    page = client.get(f"/patches/{ids['P0000']}").text
    assert 'id="map"' in page and 'data-outline="#ff2d2d"' in page
    assert '<script type="module" src="/static/map.js"></script>' in page
    for module in ("map.js", "map-common.js", "map-leaflet.js"):
        assert client.get(f"/static/{module}").status_code == 200, module
    for asset in ("maplibre-gl-6.17.0/maplibre-gl.mjs", "maplibre-gl-6.17.0/maplibre-gl-worker.mjs",
                  "maplibre-gl-compare-0.5.0/maplibre-gl-compare.js", "leaflet-1.9.4/leaflet-src.esm.js",
                  "leaflet-1.9.4/leaflet.css"):  # fmt: skip
        assert client.get(f"/static/vendor/{asset}").status_code == 200, asset
