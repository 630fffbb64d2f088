"""A unit account on the web (issue 13 item 6): a 资源管理所 covering 洪濑镇 sees 洪濑镇's patches
and nothing of 洪梅镇's (404 by page and by API, like a patch that does not exist); widened to
both townships it sees both, never the military-restricted one; its dashboard names the unit."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from web_helpers import HONGLAI, HONGMEI, VALID_ILLEGAL, login, password_hash

from weipian.domain.organisation import UnitKind
from weipian.services.units import add_unit, update_unit_record
from weipian.storage.store import Store
from weipian.storage.users import insert_user


def _unit_account(county: Store) -> None:
    with county.writing() as s:
        add_unit(s, code="ZYS01", name="洪濑资源管理所", kind=UnitKind.resource_office, covers=[HONGLAI])
        insert_user(s, username="zys", display_name="资源所", password_hash=password_hash(), role="township",
                    township_code=None, unit_code="ZYS01", department=None, at=dt.datetime.now(dt.UTC))  # fmt: skip


def test_a_unit_account_sees_its_townships_only(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    _unit_account(county)
    csrf = login(client, "zys")
    home = client.get("/")
    assert home.status_code == 200 and "洪濑资源管理所" in home.text
    assert client.get(f"/patches/{ids['P0000']}").status_code == 200
    for code in ("P0001", "P0002"):
        assert client.get(f"/patches/{ids[code]}").status_code == 404
        assert client.get(f"/api/patches/{ids[code]}").status_code == 404
        form = {**VALID_ILLEGAL, "csrf_token": csrf}
        assert client.post(f"/patches/{ids[code]}/determination", data=form).status_code == 404
    api = client.get("/api/patches").json()
    assert {p["JCBH"] for p in api["patches"]} == {"P0000"}
    assert "P0001" not in client.get("/patches").text
    assert client.get(f"/patches?township={HONGMEI}").status_code == 200
    assert "P0001" not in client.get(f"/patches?township={HONGMEI}").text  # a filter cannot widen it
    stats = client.get(f"/stats?unit={HONGMEI}")  # asks for another unit: gets its own figures
    assert stats.status_code == 200 and "洪梅镇" not in stats.text.split("<main", 1)[-1].split("</main>")[0]

    with county.writing() as s:
        update_unit_record(s, "ZYS01", covers=[HONGLAI, HONGMEI])
    api = client.get("/api/patches").json()  # the next request follows the data
    assert {p["JCBH"] for p in api["patches"]} == {"P0000", "P0001"}
    assert client.get(f"/patches/{ids['P0001']}").status_code == 200
    assert client.get(f"/patches/{ids['P0002']}").status_code == 404

    with county.writing() as s:
        update_unit_record(s, "ZYS01", active=False)
    assert client.get(f"/patches/{ids['P0000']}").status_code == 404
    assert client.get("/api/patches").json()["patches"] == []


def test_the_units_page_is_the_bureaus(client: TestClient, county: Store) -> None:
    _unit_account(county)
    login(client, "honglai")
    assert client.get("/units").status_code == 403  # a township account: not its business
    client.cookies.clear()
    login(client, "admin")
    page = client.get("/units")
    assert page.status_code == 200
    body = page.text
    assert "水头分局" in body and "洪濑资源管理所" in body and "资源所" in body  # the unit, its account
    row = body.split("洪濑资源管理所", 1)[1].split("</tr>", 1)[0]
    assert "洪濑镇" in row and "启用" in row
    assert 'href="/units"' in body
