"""图斑拆分 on the patch page (both backends): upload a parts GeoJSON, the parts list with links to
their own determination forms, the parent without a form of its own, undo, refusals."""

from __future__ import annotations

import re

import shapely
from fastapi.testclient import TestClient
from web_helpers import VALID_ILLEGAL, login

from split_helpers import collection, halves
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch


def _upload(client: TestClient, patch_id: int, token: str, data: bytes) -> object:
    return client.post(
        f"/patches/{patch_id}/split",
        data={"csrf_token": token},
        files={"parts": ("拆分.geojson", data, "application/geo+json")},
    )


def _parts(county: Store) -> bytes:
    with county.reading() as s:
        return collection(halves(shapely.from_wkb(find_patch(s, "P0000").wkb)))


def _part_ids(county: Store) -> dict[str, int]:
    with county.reading() as s:
        return {c: find_patch(s, c).id for c in ("P0000-1", "P0000-2")}


def test_split_on_the_page_and_undo(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    token = login(client, "honglai")
    page = client.get(f"/patches/{ids['P0000']}").text
    assert 'id="split-form"' in page and 'name="parts"' in page
    r = _upload(client, ids["P0000"], token, _parts(county))
    assert r.status_code == 303 and r.headers["location"].endswith("#split")  # type: ignore[attr-defined]
    parts = _part_ids(county)
    page = client.get(f"/patches/{ids['P0000']}").text
    assert "已拆分为 2 个子图斑" in page  # the flash, then the section
    assert f'href="/patches/{parts["P0000-1"]}#determination"' in page
    assert f'href="/patches/{parts["P0000-2"]}#determination"' in page
    assert re.search(r"data-parts='\[\d+, \d+\]'", page)  # the map draws the parts
    assert 'name="verdict"' not in page  # the parent has no determination form of its own
    assert "撤销拆分" in page
    # A part's page: its own form, a link back to the parent, its sibling on the map.
    part = client.get(f"/patches/{parts['P0000-1']}").text
    assert 'name="verdict"' in part and f'href="/patches/{ids["P0000"]}"' in part
    r = client.post(f"/patches/{parts['P0000-1']}/determination", data={**VALID_ILLEGAL, "csrf_token": token,
                    "illegal_area_m2": "100", "farmland_area_m2": "100", "action": "save"})  # fmt: skip
    assert r.status_code in (200, 303), r.text  # type: ignore[attr-defined]
    # Now a part is worked on: no undo on the page, and the service refuses it.
    assert "撤销拆分" not in client.get(f"/patches/{ids['P0000']}").text
    r = client.post(f"/patches/{ids['P0000']}/split/undo", data={"csrf_token": token})
    assert r.status_code == 409 and "不能再撤销" in r.text  # type: ignore[attr-defined]


def test_undo_from_a_part_returns_to_the_parent(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    token = login(client, "honglai")
    _upload(client, ids["P0000"], token, _parts(county))
    r = client.post(f"/patches/{_part_ids(county)['P0000-2']}/split/undo", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{ids['P0000']}"  # type: ignore[attr-defined]
    assert 'id="split-form"' in client.get(f"/patches/{ids['P0000']}").text


def test_refusals(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    token = login(client, "hongmei")  # another township: the patch is not even visible
    assert _upload(client, ids["P0000"], token, _parts(county)).status_code == 404  # type: ignore[attr-defined]
    token = login(client, "leader")
    assert 'id="split-form"' not in client.get(f"/patches/{ids['P0000']}").text
    assert _upload(client, ids["P0000"], token, _parts(county)).status_code == 403  # type: ignore[attr-defined]
    token = login(client, "honglai")
    r = _upload(client, ids["P0000"], "wrong-token", _parts(county))
    assert r.status_code == 403  # type: ignore[attr-defined]
    with county.reading() as s:
        one = collection([shapely.from_wkb(find_patch(s, "P0000").wkb)])
    r = _upload(client, ids["P0000"], token, one)
    assert r.status_code == 422 and "至少需要 2 个子图斑" in r.text  # type: ignore[attr-defined]
    r = _upload(client, ids["P0000"], token, b'{"type": "FeatureCollection", "features": [<script>]}')
    assert r.status_code == 422 and "<script>" not in r.text  # type: ignore[attr-defined]
    r = client.post(f"/patches/{ids['P0000']}/split", data={"csrf_token": token})
    assert r.status_code == 422 and "请选择子图斑" in r.text  # type: ignore[attr-defined]
    with county.reading() as s:
        assert find_patch(s, "P0000").state == "issued"
