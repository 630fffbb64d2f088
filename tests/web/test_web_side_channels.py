"""Side channels (issue 11, item 4): every figure and link within the viewer's scope — 月清
figures, a later patch at a military patch's place, the duplicate-photo check, referral
feedback ids. Out-of-scope ids answer 404. SQLite and PostGIS."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from web_helpers import REGION, login

from factories import gk_square, patch_rows, write_vector
from photos import field_photo
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.services.access import Scope
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.services.queries.dashboard import dashboard
from weipian.storage.referrals import insert_referral
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch


def test_closure_figures_leave_out_restricted_patches_for_other_roles(county: Store) -> None:
    today = dt.date(2022, 12, 20)
    with county.reading() as session:
        leader = sum(m.issued for m in dashboard(session, Scope(restricted=False), today).closure)
        bureau = sum(m.issued for m in dashboard(session, Scope(restricted=True), today).closure)
    assert (leader, bureau) == (2, 3)  # P0002 is restricted


def test_a_later_patch_at_the_place_of_a_military_patch_does_not_name_it(
    client: TestClient, county: Store, tmp_path: Path
) -> None:
    # Military land now only under P0002's east half; a 2023 patch over its west half is not.
    mil = write_vector(tmp_path / "m2.gpkg", [{"NAME": "某部"}], [gk_square(1060, 1000, 40)])
    import_layer(county, mil, LayerKind.military, region=REGION)
    rows = patch_rows(1, prefix="Q", NF=2023)
    pkg = write_vector(tmp_path / "q.gpkg", rows, [gk_square(990, 1000, 60)])
    import_package(county, pkg, IntakeOptions(source=Source.ministry, batch="B2023", region=REGION))
    with county.reading() as session:
        later = find_patch(session, "Q0000")
    assert "P0002" in (later.same_place_codes or "") and not later.restricted
    login(client, "leader")
    page = client.get(f"/patches/{later.id}")
    assert page.status_code == 200 and "P0002" not in page.text
    client.cookies.clear()
    login(client, "admin")
    assert "P0002" in client.get(f"/patches/{later.id}").text


def test_the_duplicate_photo_check_names_only_patches_in_scope(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    photo = field_photo()
    csrf = login(client, "admin")
    files = [("files", ("a.jpg", photo, "image/jpeg"))]
    assert client.post(f"/patches/{ids['P0002']}/evidence", data={"csrf_token": csrf, "kind": "photo"},
                       files=files).status_code == 303  # fmt: skip
    client.cookies.clear()
    csrf = login(client, "honglai")
    assert client.post(f"/patches/{ids['P0000']}/evidence", data={"csrf_token": csrf, "kind": "photo"},
                       files=files).status_code == 303  # fmt: skip
    page = client.get(f"/patches/{ids['P0000']}").text
    assert "P0002" not in page and "已用于其他图斑" in page
    client.cookies.clear()
    login(client, "admin")
    assert "P0002" in client.get(f"/patches/{ids['P0000']}").text


def test_feedback_on_a_referral_outside_the_scope_answers_404(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    with county.writing() as session:
        rid = {
            code: insert_referral(
                session,
                patch_id=ids[code],
                kind="referral",
                department="林业",
                matter="核查",
                referred_by="admin",
                referred_at=dt.datetime.now(dt.UTC),
                due_on=dt.date(2030, 1, 1),
            )
            for code in ("P0000", "P0001")
        }
    csrf = login(client, "honglai")
    r = client.post(f"/referrals/{rid['P0001']}/feedback", data={"text": "x", "csrf_token": csrf})
    assert r.status_code == 404 and "林业" not in r.text  # 洪梅镇's: unseen
    r = client.post(f"/referrals/{rid['P0000']}/feedback", data={"text": "x", "csrf_token": csrf})
    assert r.status_code == 403  # its own township's: seen, but not its to answer
    r = client.post("/referrals/999999/feedback", data={"text": "x", "csrf_token": csrf})
    assert r.status_code == 404
