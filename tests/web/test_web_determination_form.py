"""The determination form (issue 12 item 1) and its optimistic concurrency (issue 11 item 10):
decimals and 亩, 细类 by verdict, addresses that answer GET, no version for an unchanged draft,
and two users saving at once (the later gets 409 with the form kept)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import VALID_ILLEGAL, login

from weipian.domain.units import M2_PER_MU
from weipian.storage.store import Store
from weipian.storage.workflow import current_determination, find_patch, patch_events


def _post(client: TestClient, pid: int, csrf: str, **data: str) -> object:
    # evidence_ack: these patches have no field photo; the submitter confirms it (a test below checks the ask)
    return client.post(
        f"/patches/{pid}/determination",
        data={**VALID_ILLEGAL, "csrf_token": csrf, "evidence_ack": "1", **data},
    )


def test_area_inputs_accept_decimals_and_mu(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "honglai")
    pid = ids["P0000"]
    page = client.get(f"/patches/{pid}").text
    area = re.search(r'<input type="text" name="illegal_area_m2"[^>]*>', page)
    assert area and 'inputmode="decimal"' in area.group(0) and "&#34;" not in area.group(0)
    r = _post(client, pid, csrf, action="save", area_unit="mu", illegal_area_m2="0.75",
              farmland_area_m2="０．５", basic_farmland_area_m2="0", based_on="0")  # fmt: skip
    assert r.status_code == 303, r.text[:400]  # type: ignore[attr-defined]
    with county.reading() as s:
        data = current_determination(s, pid).data
    assert abs(data["illegal_area_m2"] - 0.75 * M2_PER_MU) < 1e-9
    assert abs(data["farmland_area_m2"] - 0.5 * M2_PER_MU) < 1e-9
    r = _post(
        client, pid, csrf, action="save", illegal_area_m2="1,234.56", farmland_area_m2="-1", based_on="1"
    )
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert 'data-field="farmland_area_m2"' in r.text and "面积不能为负数" in r.text  # type: ignore[attr-defined]
    assert 'value="1,234.56"' in r.text  # type: ignore[attr-defined]


def test_subtypes_are_grouped_by_verdict_from_the_rule_data(client: TestClient, ids: dict[str, int]) -> None:
    login(client, "honglai")
    page = client.get(f"/patches/{ids['P0000']}").text
    groups = dict(re.findall(r'<optgroup label="([^"]+)" data-verdict="[^"]+">(.*?)</optgroup>', page, re.S))
    assert set(groups) == {"合法", "违法", "其他"}
    assert "农村宅基地" in groups["其他"] and "农村宅基地" not in groups["违法"]
    assert "光伏" in groups["违法"] and "光伏" not in groups["其他"]


def test_form_addresses_answer_get_with_the_patch_page(client: TestClient, ids: dict[str, int]) -> None:
    login(client, "honglai")
    pid = ids["P0000"]
    for part, anchor in (
        ("determination", "determination"),
        ("submit", "determination"),
        ("evidence", "evidence"),
    ):
        r = client.get(f"/patches/{pid}/{part}")
        assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#{anchor}"
    assert client.get(f"/patches/{ids['P0001']}/determination").status_code in (303, 404)


def test_unchanged_draft_makes_no_new_version(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    csrf = login(client, "honglai")
    pid = ids["P0000"]
    assert _post(client, pid, csrf, action="save", based_on="0").status_code == 303  # type: ignore[attr-defined]
    assert _post(client, pid, csrf, action="save", based_on="1").status_code == 303  # type: ignore[attr-defined]
    assert "判定内容没有变化" in client.get(f"/patches/{pid}").text
    with county.reading() as s:
        assert [e.action for e in patch_events(s, pid)] == ["determination.save"]


def test_two_users_save_at_once_the_later_gets_409_with_the_form_kept(
    app: FastAPI, county: Store, ids: dict[str, int]
) -> None:
    pid = ids["P0000"]
    with TestClient(app, follow_redirects=False) as a, TestClient(app, follow_redirects=False) as b:
        csrf_a, csrf_b = login(a, "honglai"), login(b, "admin")
        # Both open the empty form: it carries based_on=0.
        for c in (a, b):
            assert 'name="based_on" value="0"' in c.get(f"/patches/{pid}").text
        assert _post(a, pid, csrf_a, action="save", based_on="0").status_code == 303  # type: ignore[attr-defined]
        r = _post(b, pid, csrf_b, action="submit", based_on="0", opinion="管理员的意见")
        assert r.status_code == 409  # type: ignore[attr-defined]
        text = r.text  # type: ignore[attr-defined]
        assert (
            'data-code="determination.stale"' in text
            and "已被honglai-姓名于" in text
            and "请刷新后再提交" in text
        )
        assert 'value="管理员的意见"' in text  # the form is kept
        with county.reading() as s:
            assert find_patch(s, "P0000").state == "verifying"
            assert current_determination(s, pid).data["opinion"] == "未批先建"
        # The submit button of a page showing version 1 after someone saved version 2: refused.
        assert _post(a, pid, csrf_a, action="save", based_on="1", opinion="第二版").status_code == 303  # type: ignore[attr-defined]
        r = b.post(f"/patches/{pid}/submit", data={"csrf_token": csrf_b, "version": "1"})
        assert r.status_code == 409 and "请刷新后再提交" in r.text
        with county.reading() as s:
            assert find_patch(s, "P0000").state == "verifying"


def test_review_from_the_patch_page_and_the_returned_banner(
    app: FastAPI, county: Store, ids: dict[str, int]
) -> None:
    pid = ids["P0000"]
    with TestClient(app, follow_redirects=False) as town, TestClient(app, follow_redirects=False) as rev:
        csrf_t, csrf_r = login(town, "honglai"), login(rev, "reviewer")
        assert _post(town, pid, csrf_t, action="submit", based_on="0").status_code == 303  # type: ignore[attr-defined]
        assert 'id="review"' not in town.get(f"/patches/{pid}").text
        # The township may not review, not even by posting the form by hand.
        r = town.post(f"/patches/{pid}/review", data={"csrf_token": csrf_t, "outcome": "pass"})
        assert r.status_code == 403
        page = rev.get(f"/patches/{pid}").text
        assert f'action="/patches/{pid}/review#review"' in page
        r = rev.post(
            f"/patches/{pid}/review",
            data={"csrf_token": csrf_r, "outcome": "return", "reason": ["pass.field_photos"], "note": "=1+1"},
        )
        assert r.status_code == 422 and "至少选择一个退回原因" in r.text and "=1+1" in r.text
        r = rev.post(
            f"/patches/{pid}/review",
            data={"csrf_token": csrf_r, "outcome": "return", "reason": ["return.need_field_photos"],
                  "note": "<script>x</script>"},
        )  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#review"
        with county.reading() as s:
            last = patch_events(s, pid)[-1]
        assert last.action == "review.return" and last.payload["note"] == "<script>x</script>"
        banner = town.get(f"/patches/{pid}").text.split('id="returned"')[1].split("</div>")[0]
        assert "需补充实地照片" in banner and "reviewer-姓名" in banner and "补正期限" in banner
        assert "&lt;script&gt;x&lt;/script&gt;" in banner and "<script>x" not in banner
        # Another township's patch: 404 to the reviewer's form posted by that township's user.
        r = town.post(f"/patches/{ids['P0001']}/review", data={"csrf_token": csrf_t, "outcome": "pass"})
        assert r.status_code == 404


def test_inputs_and_rule_sentences_name_a_field_alike(client: TestClient, ids: dict[str, int]) -> None:
    """One label a determination field: the form's input and the rules' sentence use the same words."""
    from weipian.messages.rules import FIELD_LABELS

    csrf = login(client, "honglai")
    pid = ids["P0000"]
    page = client.get(f"/patches/{pid}").text
    for name in ("verdict", "illegal_area_m2", "farmland_area_m2", "mineral_verdict", "field_description"):
        label = re.search(rf'<label class="label-text" for="f-{name}">([^<]+)', page)
        assert label and label.group(1) == FIELD_LABELS[name], name
    r = _post(client, pid, csrf, action="save", illegal_area_m2="400", farmland_area_m2="450", based_on="0")
    assert r.status_code == 422  # type: ignore[attr-defined]
    text: str = r.text  # type: ignore[attr-defined]
    assert "违法占用耕地面积 450.0 平方米超过违法面积 400.0 平方米" in text
    assert 'data-field="farmland_area_m2"' in text
    r = _post(client, pid, csrf, action="save", verdict="合法", violation_type="", based_on="0")
    text = r.text  # type: ignore[attr-defined]
    assert r.status_code == 422 and "判定为合法时不能填写违法面积" in text  # type: ignore[attr-defined]
    assert "违法用地面积" not in text and "{field_label}" not in text
