"""The determination form and the review queue drive the workflow services and write events."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import VALID_ILLEGAL, login

from weipian.domain import clock
from weipian.rules import load_rules
from weipian.storage.store import Store
from weipian.storage.workflow import current_determination, find_patch, patch_events

HTMX = {"HX-Request": "true"}


def _history(store: Store, code: str) -> tuple[str, list[str]]:
    with store.reading() as session:
        patch = find_patch(session, code)
        return patch.state, [e.action for e in patch_events(session, patch.id)]


def _submit_through_form(client: TestClient, csrf: str, patch_id: int) -> None:
    r = client.post(
        f"/patches/{patch_id}/determination",
        data={**VALID_ILLEGAL, "action": "submit", "csrf_token": csrf, "evidence_ack": "1"},
    )
    assert r.status_code == 303, r.text[:500]


def test_invalid_determination_is_explained_inline(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    csrf = login(client, "honglai")
    url = f"/patches/{ids['P0000']}/determination"
    bad = {
        **VALID_ILLEGAL,
        "violation_type": "",
        "is_new": "",
        "illegal_area_m2": "20000000",
        "csrf_token": csrf,
    }
    r = client.post(url, data={**bad, "action": "save"})
    assert r.status_code == 422
    fields = set(re.findall(r'class="field-error" data-field="([a-z_0-9]+)"', r.text))
    assert {"violation_type", "is_new", "illegal_area_m2"} <= fields
    assert 'value="20000000"' in r.text  # what was typed comes back
    r = client.post(
        url, data={**VALID_ILLEGAL, "farmland_area_m2": "abc", "csrf_token": csrf, "action": "save"}
    )
    assert r.status_code == 422 and 'data-field="farmland_area_m2"' in r.text
    assert _history(county, "P0000") == ("issued", [])


def test_save_then_submit_through_the_form(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "honglai")
    pid = ids["P0000"]
    approval = {"approval_route": ["", ""], "approval_doc": ["", ""], "approval_ratio": ["", ""]}
    r = client.post(
        f"/patches/{pid}/determination",
        data={
            **VALID_ILLEGAL,
            **approval,
            "farmland_housing_class": "住宅类（单户）",
            "action": "save",
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#determination"
    page = client.get(f"/patches/{pid}")
    assert "第 1 版" in page.text and "判定已保存" in page.text
    assert _history(county, "P0000") == ("verifying", ["determination.save"])
    with county.reading() as session:
        det = current_determination(session, pid)
    assert det is not None and det.data["illegal_area_m2"] == 500.0 and det.data["is_new"] is True
    assert det.data["farmland_housing"] is True and det.data["build_date"] == "2022-06-01"
    ack = {"csrf_token": csrf, "evidence_ack": "1"}  # no field photo yet: the submitter confirms
    assert client.post(f"/patches/{pid}/submit", data=ack).status_code == 303
    assert _history(county, "P0000") == ("submitted", ["determination.save", "determination.submit"])
    # Submitted: the township's form is gone and a second submit is refused.
    assert f'action="/patches/{pid}/determination"' not in client.get(f"/patches/{pid}").text
    r = client.post(f"/patches/{pid}/submit", data={"csrf_token": csrf})
    assert r.status_code == 409 and 'data-code="workflow.refused"' in r.text


def test_legal_determination_with_approvals(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "admin")
    data = {
        "verdict": "合法", "subtype": "用地审批", "opinion": "已办理农转用",
        "approval_route": ["用地审批", ""], "approval_doc": ["闽政地〔2021〕1号", ""], "approval_ratio": ["100", ""],
        "action": "submit", "csrf_token": csrf, "evidence_ack": "1",
    }  # fmt: skip
    assert client.post(f"/patches/{ids['P0001']}/determination", data=data).status_code == 303
    with county.reading() as session:
        det = current_determination(session, ids["P0001"])
    assert det is not None and det.data["approvals"] == [
        {"route": "用地审批", "doc_no": "闽政地〔2021〕1号", "ratio_pct": 100.0}
    ]
    assert _history(county, "P0001")[0] == "submitted"


def test_batch_pass_and_return_in_the_review_queue(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    csrf = login(client, "admin")
    for code in ("P0000", "P0001", "P0002"):
        _submit_through_form(client, csrf, ids[code])
    csrf = login(client, "reviewer")
    queue = client.get("/review").text
    assert all(f'name="patch_id" value="{ids[c]}"' in queue for c in ("P0000", "P0001", "P0002"))

    # A return without a reason is refused and writes nothing; the ticks are kept.
    r = client.post(
        "/review",
        data={"patch_id": [ids["P0000"], ids["P0001"]], "outcome": "return", "csrf_token": csrf},
        headers=HTMX,
    )
    assert r.status_code == 422 and 'data-code="review.reason_needed"' in r.text
    assert f'value="{ids["P0000"]}" checked' in r.text
    assert _history(county, "P0000")[0] == "submitted"

    r = client.post(
        "/review",
        data={"patch_id": [ids["P0000"], ids["P0001"]], "outcome": "pass", "csrf_token": csrf,
              "reason": ["pass.field_photos", "return.need_field_photos"]},
        headers=HTMX,
    )  # fmt: skip
    assert r.status_code == 200 and 'data-code="review.passed"' in r.text
    with county.reading() as session:
        for code in ("P0000", "P0001"):
            patch = find_patch(session, code)
            last = patch_events(session, patch.id)[-1]
            assert (patch.state, last.action, last.actor) == ("county_passed", "review.pass", "reviewer")
            assert last.payload["reasons"] == ["pass.field_photos"]  # the other outcome's reason is ignored

    r = client.post(
        "/review",
        data={
            "patch_id": [ids["P0002"]],
            "outcome": "return",
            "reason": ["return.need_field_photos"],
            "csrf_token": csrf,
        },
        headers=HTMX,
    )
    assert r.status_code == 200 and 'data-code="review.returned"' in r.text
    with county.reading() as session:
        last = patch_events(session, ids["P0002"])[-1]
    assert last.action == "review.return" and last.payload["reasons"] == ["return.need_field_photos"]
    days = load_rules().whole("county_correction_days", clock.today())  # 补正期限 from the rules
    assert last.payload["due_on"] == (clock.today() + dt.timedelta(days=days)).isoformat()
    assert "没有待审核的图斑" in r.text

    # A batch holding a patch that is no longer submitted is refused whole.
    r = client.post(
        "/review", data={"patch_id": [ids["P0000"]], "outcome": "pass", "csrf_token": csrf}, headers=HTMX
    )
    assert r.status_code == 409 and 'data-code="workflow.refused"' in r.text
    returned = client.get("/lists/returned").text
    assert "P0002" in returned and "需补充实地照片" in returned


def test_review_refused_for_township_and_leader(client: TestClient, ids: dict[str, int]) -> None:
    for username in ("honglai", "leader"):
        client.cookies.clear()
        csrf = login(client, username)
        r = client.post(
            "/review", data={"patch_id": [ids["P0000"]], "outcome": "pass", "csrf_token": csrf}, headers=HTMX
        )
        assert r.status_code == 403 and 'data-code="review.forbidden"' in r.text


def test_frozen_patch_refuses_the_form(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    from weipian.domain.roles import Actor, Role
    from weipian.rules import load_rules
    from weipian.services import workflow

    csrf = login(client, "admin")
    _submit_through_form(client, csrf, ids["P0000"])
    reviewer = Actor("reviewer", Role.bureau_reviewer)
    with county.writing() as session:
        workflow.review(
            session, find_patch(session, "P0000"), passed=True, reasons=[], actor=reviewer, rules=load_rules(),
            on=clock.today(),
        )  # fmt: skip
        workflow.report(session, find_patch(session, "P0000"), actor=reviewer)
    r = client.post(f"/patches/{ids['P0000']}/determination", data={**VALID_ILLEGAL, "csrf_token": csrf})
    assert r.status_code == 422 and 'data-code="patch.frozen"' in r.text
    page = client.get(f"/patches/{ids['P0000']}").text
    assert "上报" in page and "/determination" not in page


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # SQLite's single writer lock
def test_a_locked_database_is_explained_and_nothing_is_saved(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    """Another process (a large import) holds SQLite's write lock past the busy timeout."""
    import sqlite3

    from sqlalchemy.engine import make_url

    csrf = login(client, "honglai")
    other = sqlite3.connect(make_url(county.url).database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        r = client.post(
            f"/patches/{ids['P0000']}/determination",
            data={**VALID_ILLEGAL, "action": "save", "csrf_token": csrf},
        )
        assert r.status_code == 503 and r.headers["Retry-After"] == "10"
        assert "数据库正忙" in r.text and "没有保存" in r.text
    finally:
        other.execute("ROLLBACK")
        other.close()
    with county.reading() as session:
        assert not patch_events(session, ids["P0000"])


def test_a_made_up_approval_number_is_flagged_to_the_reviewer(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    from weipian.domain.roles import Actor, Role
    from weipian.rules import ApprovalClaim, Determination
    from weipian.services import workflow

    town = Actor("洪濑镇核查员", Role.township, "350583113")
    legal = Determination("合法", "用地审批", approvals=(ApprovalClaim("用地审批", "随便写的文号", 100.0),))
    with county.writing() as s:  # a filing the rules accept: the number is not checked against a layer there
        workflow.save_determination(
            s, find_patch(s, "P0000"), legal, actor=town, rules=load_rules(), on=clock.today()
        )
        workflow.submit(s, find_patch(s, "P0000"), actor=town)
    login(client, "reviewer")
    queue = client.get("/review").text
    row = next(line for line in queue.splitlines() if f'value="{ids["P0000"]}"' in line)
    assert "文号存疑" in queue[queue.index(row) :].split("</tr>")[0]
    page = client.get(f"/patches/{ids['P0000']}").text
    assert 'id="claims"' in page and "“随便写的文号”在审批类图层中找不到" in page
    assert "补正期限" in queue and "整改期限" not in queue


def test_priority_patches_come_first_in_the_review_queue(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    from weipian.storage.tables import suggestions

    csrf = login(client, "admin")
    for code in ("P0000", "P0001"):  # P0000 is submitted first
        _submit_through_form(client, csrf, ids[code])
    with county.writing() as s:  # as `weipian judge` marks a patch on the riverside (江河沿岸)
        s.execute(
            suggestions.update().where(suggestions.c.patch_id == ids["P0001"]).values(flags=["riverside"])
        )
    login(client, "reviewer")
    queue = client.get("/review").text
    first, second = (queue.index(f'name="patch_id" value="{ids[c]}"') for c in ("P0001", "P0000"))
    assert first < second and "重点·江河沿岸" in queue
