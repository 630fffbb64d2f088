"""/intake/manual (issue 10, item 17): the page to register a self-found case, on both backends.
Only 市局 accounts see and use it; a refusal keeps what was entered, says why in Chinese and
writes nothing; markup in what was entered comes back as text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import HONGLAI, login

from factories import gk_square, to_4490
from weipian.storage.store import Store
from weipian.storage.tables import events, patches


def _ring(dx: float, dy: float = 0.0) -> str:
    (square,) = to_4490([gk_square(dx, dy)])
    return ", ".join(f"{x:.9f} {y:.9f}" for x, y in list(square.exterior.coords)[:-1])


def _post(client: TestClient, csrf: str, **data: str) -> object:
    return client.post("/intake/manual", data={"csrf_token": csrf, **data})


def _count(store: Store) -> tuple[int, int]:
    with store.reading() as session:
        return (
            int(session.scalar(select(func.count()).select_from(patches)) or 0),
            int(session.scalar(select(func.count()).select_from(events)) or 0),
        )


def test_a_reviewer_registers_a_case_and_lands_on_its_page(client: TestClient, county: Store) -> None:
    csrf = login(client, "reviewer")
    page = client.get("/intake/manual")
    assert page.status_code == 200 and "登记自主发现图斑" in page.text and "/static/draw.js" in page.text
    r = _post(client, csrf, jcbh="ZZ-WEB-1", geometry=_ring(-900, -600), change_type="20", note="群众举报")
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    shown = client.get(r.headers["location"])  # type: ignore[attr-defined]
    assert "ZZ-WEB-1" in shown.text and "已登记" in shown.text and "洪濑镇" in shown.text
    with county.reading() as session:
        p = session.execute(select(patches).where(patches.c.patch_code == "ZZ-WEB-1")).one()
        ev = session.execute(select(events).where(events.c.patch_id == p.id)).one()
    assert (p.source, p.township_code, p.change_type) == ("self", HONGLAI, "20")
    assert (ev.action, ev.actor, ev.role, ev.payload["note"]) == (
        "patch.register",
        "reviewer",
        "bureau_reviewer",
        "群众举报",
    )
    listed = client.get("/patches?source=self")
    assert "ZZ-WEB-1" in listed.text


@pytest.mark.parametrize("who", ["honglai", "leader", "dept"])
def test_other_roles_cannot_open_or_post(client: TestClient, county: Store, who: str) -> None:
    csrf = login(client, who)
    assert client.get("/intake/manual").status_code == 403
    assert "登记自主发现图斑" not in client.get("/patches").text
    before = _count(county)
    r = _post(client, csrf, jcbh="ZZ-T", geometry=_ring(-900, -600))
    assert r.status_code == 403  # type: ignore[attr-defined]
    assert _count(county) == before


def test_without_the_csrf_token_nothing_is_written(client: TestClient, county: Store) -> None:
    login(client, "admin")
    before = _count(county)
    r = client.post("/intake/manual", data={"jcbh": "ZZ-C", "geometry": _ring(-900, -600)})
    assert r.status_code == 403 and _count(county) == before


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        ({"jcbh": "ZZ-BOW", "geometry": "118.40 25.00, 118.401 25.001, 118.401 25.00, 118.40 25.001"},
         "manual.geometry_invalid", 422),
        ({"jcbh": "ZZ-FAR", "geometry": "5.0 20.0, 5.01 20.0, 5.01 20.01"}, "manual.outside_county", 422),
        ({"jcbh": "ZZ-BIG", "geometry": "118.0 24.5, 118.8 24.5, 118.8 25.4, 118.0 25.4"}, "manual.too_large", 422),
        ({"jcbh": "<img src=x onerror=alert(1)>", "geometry": "118.40 25.00, 118.401 25.00, 118.401 25.001"},
         "manual.jcbh_invalid", 422),
        ({"jcbh": "P0000", "geometry": "118.40 25.00, 118.401 25.00, 118.401 25.001", "crs": "EPSG:9999"},
         "manual.crs_unknown", 422),
        ({"jcbh": "ZZ-J", "geometry": '{"type": "LineString", "coordinates": [[118.4, 25], [118.5, 25]]}'},
         "manual.geometry_not_polygon", 422),
    ],
)  # fmt: skip
def test_refusals_keep_the_form_and_write_nothing(
    client: TestClient, county: Store, data: dict[str, str], code: str, status: int
) -> None:
    csrf = login(client, "admin")
    before = _count(county)
    r = _post(client, csrf, note="<script>alert('x')</script>", **data)
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert f'data-code="{code}"' in text
    assert "<script>alert(" not in text and "&lt;script&gt;alert(" in text  # the note, kept as text
    assert "<img src=x" not in text
    assert _count(county) == before


def test_a_second_case_with_the_same_jcbh_is_refused(client: TestClient, county: Store) -> None:
    csrf = login(client, "admin")
    assert _post(client, csrf, jcbh="ZZ-D", geometry=_ring(-900, -600)).status_code == 303  # type: ignore[attr-defined]
    before = _count(county)
    r = _post(client, csrf, jcbh="ZZ-D", geometry=_ring(600, -600))
    assert r.status_code == 409 and 'data-code="manual.exists"' in r.text  # type: ignore[attr-defined]
    assert _count(county) == before
