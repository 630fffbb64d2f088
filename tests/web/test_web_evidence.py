"""Field evidence through the browser's routes: upload, the checks on the patch page, downloads,
previews, scope (404 across townships), roles (403 for the leader), limits and refusals."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from web_helpers import VALID_ILLEGAL, login

from photos import field_photo, minimal_pdf, photo
from weipian.config import files_dir
from weipian.storage.store import Store
from weipian.storage.tables import attachments

JPEG, HEIC, PDF = "image/jpeg", "image/heic", "application/pdf"


def _upload(
    client: TestClient, token: str, patch_id: int, files: list[tuple[str, bytes, str]], kind: str = "photo"
) -> object:
    return client.post(
        f"/patches/{patch_id}/evidence",
        data={"csrf_token": token, "kind": kind, "note": "现场"},
        files=[("files", f) for f in files],
    )


def _ids(store: Store) -> list[int]:
    with store.reading() as session:
        return [r.id for r in session.execute(attachments.select().order_by(attachments.c.id)).all()]


def test_township_uploads_photos_and_the_checks_show(
    client: TestClient, county: Store, ids: dict[str, int], app: FastAPI
) -> None:
    token = login(client, "honglai")
    good = field_photo()
    far_and_early = field_photo("HEIF", dx=50, dy=400, taken=dt.datetime(2022, 8, 1, 9, 0), azimuth=None)
    r = _upload(
        client, token, ids["P0000"], [("东侧.jpg", good, JPEG), ("IMG_0001.HEIC", far_and_early, HEIC)]
    )
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    assert r.headers["location"] == f"/patches/{ids['P0000']}#evidence"  # type: ignore[attr-defined]
    page = client.get(f"/patches/{ids['P0000']}")
    assert page.status_code == 200
    html = page.text
    assert "已上传 2 个文件。" in html
    assert 'data-check="position" data-passed="true"' in html
    assert "拍摄位置在图斑范围内。" in html
    assert 'data-check="position" data-passed="false"' in html and "超出允许的 100 米" in html
    assert "早于后时相 2022-09-01" in html
    assert "照片没有记录拍摄方向" in html
    assert "✓" in html and "✗" in html
    assert "2022-10-08 10:30" in html  # EXIF time shown in Beijing time
    assert "135°（东南）" in html
    first, second = _ids(county)
    assert f'src="/evidence/{first}/preview.jpg"' in html and f'href="/evidence/{second}"' in html
    # Files live under files_dir with generated names, never under the web's static folder.
    stored = sorted((files_dir(app.state.settings) / "evidence").glob("*.*"))
    assert {p.suffix for p in stored} == {".jpg", ".heic"}
    static = Path(__file__).parents[2] / "src" / "weipian" / "web" / "static"
    assert not any(static.rglob("*.heic")) and all(static not in p.parents for p in stored)


def test_download_returns_the_bytes_with_the_original_name(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    token = login(client, "honglai")
    pdf = minimal_pdf()
    r = _upload(
        client, token, ids["P0000"], [("用地批复 2022.pdf", pdf, "application/octet-stream")], "document"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    (att,) = _ids(county)
    got = client.get(f"/evidence/{att}")
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == PDF
    assert f"filename*=utf-8''{quote('用地批复 2022.pdf')}" in got.headers["content-disposition"]
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"
    page = client.get(f"/patches/{ids['P0000']}").text
    assert "用地批复 2022.pdf" in page and f'href="/evidence/{att}"' in page
    assert client.get(f"/evidence/{att}/preview.jpg").status_code == 404  # no preview of a PDF


def test_heic_preview_is_a_jpeg(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    token = login(client, "honglai")
    _upload(client, token, ids["P0000"], [("a.heic", field_photo("HEIF", size=(320, 240)), HEIC)])
    (att,) = _ids(county)
    r = client.get(f"/evidence/{att}/preview.jpg")
    assert r.status_code == 200 and r.headers["content-type"] == JPEG
    assert Image.open(io.BytesIO(r.content)).format == "JPEG"
    assert client.get(f"/evidence/{att}/preview.jpg").content == r.content  # cached


def test_other_township_gets_404_for_patch_and_files(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    token = login(client, "honglai")
    _upload(client, token, ids["P0000"], [("a.jpg", field_photo(), JPEG)])
    (att,) = _ids(county)
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    other = login(client, "hongmei")
    assert client.get(f"/patches/{ids['P0000']}").status_code == 404
    assert client.get(f"/evidence/{att}").status_code == 404
    assert client.get(f"/evidence/{att}/preview.jpg").status_code == 404
    assert (
        _upload(client, other, ids["P0000"], [("b.jpg", field_photo(colour=(9, 9, 9)), JPEG)]).status_code
        == 404
    )  # type: ignore[attr-defined]
    assert client.get("/evidence/999999").status_code == 404
    assert _ids(county) == [att]


def test_restricted_patch_evidence_is_for_bureau_roles_only(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    token = login(client, "admin")
    assert _upload(client, token, ids["P0002"], [("m.jpg", field_photo(), JPEG)]).status_code == 303  # type: ignore[attr-defined]
    (att,) = _ids(county)
    assert client.get(f"/evidence/{att}").status_code == 200
    client.cookies.clear()
    login(client, "leader")
    assert client.get(f"/evidence/{att}").status_code == 404


def test_leader_may_look_but_not_upload(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    token = login(client, "leader")
    page = client.get(f"/patches/{ids['P0000']}").text
    assert 'action="/patches/' not in page.split('id="evidence"')[1].split("</section>")[0]
    r = _upload(client, token, ids["P0000"], [("a.jpg", field_photo(), JPEG)])
    assert r.status_code == 403  # type: ignore[attr-defined]
    assert _ids(county) == []


def test_wrong_types_are_explained_on_the_page(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    token = login(client, "honglai")
    r = _upload(
        client, token, ids["P0000"],
        [("说明.jpg", b"plain text, renamed to .jpg\n", JPEG), ("好.jpg", field_photo(), JPEG)],
    )  # fmt: skip
    assert r.status_code == 422  # type: ignore[attr-defined]
    html = r.text  # type: ignore[attr-defined]
    assert "已上传 1 个文件；以下文件未保存：" in html
    assert "文件 说明.jpg 不是 JPEG、PNG 或 HEIC 格式的照片" in html
    assert 'data-check="position"' in html  # the page around it is the full patch page
    assert len(_ids(county)) == 1
    r2 = _upload(client, token, ids["P0000"], [("批文.heic", photo("HEIF"), HEIC)], "document")
    assert r2.status_code == 422 and "不是 PDF、JPEG 或 PNG 文件" in r2.text  # type: ignore[attr-defined]


def test_no_files_and_bad_kind(client: TestClient, ids: dict[str, int]) -> None:
    token = login(client, "honglai")
    r = client.post(f"/patches/{ids['P0000']}/evidence", data={"csrf_token": token, "kind": "photo"})
    assert r.status_code == 422 and "没有选择文件" in r.text
    r = _upload(client, token, ids["P0000"], [("a.jpg", field_photo(), JPEG)], kind="video")
    assert r.status_code == 422 and "未知的举证类别" in r.text  # type: ignore[attr-defined]


def test_oversize_file_is_413_and_nothing_is_stored(
    store: Store, county: Store, ids: dict[str, int], tmp_path: Path
) -> None:
    from weipian.web.app import create_app
    from weipian.web.settings import WebSettings

    settings = WebSettings(
        database_url=county.url,
        secret_key="test-secret-key-" + "x" * 32,
        files_dir=tmp_path / "f",
        upload_max_mb=1,
    )
    big = field_photo(size=(1200, 900)) + b"\x00" * (2**20)  # a valid JPEG start, over 1 MB
    with TestClient(create_app(settings), follow_redirects=False) as client:
        token = login(client, "honglai")
        r = _upload(client, token, ids["P0000"], [("small.jpg", field_photo(), JPEG), ("big.jpg", big, JPEG)])
        assert r.status_code == 413  # type: ignore[attr-defined]
        assert "超过单个文件 1 MB 的上限" in r.text  # type: ignore[attr-defined]
        huge = b"\xff\xd8\xff" + b"\x00" * (13 * 2**20)  # more than 12 files' worth in one request
        r = _upload(client, token, ids["P0000"], [("huge.jpg", huge, JPEG)])
        assert r.status_code == 413 and "分批上传" in r.text  # type: ignore[attr-defined]
    assert _ids(county) == []
    assert not (tmp_path / "f" / "evidence").exists() or not any((tmp_path / "f" / "evidence").iterdir())


def test_upload_needs_the_csrf_token(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    login(client, "honglai")
    r = client.post(
        f"/patches/{ids['P0000']}/evidence",
        data={"kind": "photo"},
        files=[("files", ("a.jpg", field_photo(), JPEG))],
    )
    assert r.status_code == 403
    assert _ids(county) == []


@pytest.mark.parametrize("who", ["reviewer"])
def test_review_queue_counts_failed_photo_checks(client: TestClient, ids: dict[str, int], who: str) -> None:
    token = login(client, "honglai")
    no_exif = photo(colour=(5, 6, 7))  # position, time and direction fail: 3
    _upload(client, token, ids["P0000"], [("a.jpg", no_exif, JPEG), ("b.jpg", field_photo(), JPEG)])
    r = client.post(
        f"/patches/{ids['P0000']}/determination",
        data={**VALID_ILLEGAL, "csrf_token": token, "action": "submit", "evidence_ack": "1"},
    )
    assert r.status_code == 303, r.text
    client.cookies.clear()
    login(client, who)
    queue = client.get("/review").text
    assert f'href="/patches/{ids["P0000"]}#evidence"' in queue and "照片核验 ✗3" in queue


def test_delete_replace_and_note_before_submission(
    client: TestClient, county: Store, ids: dict[str, int], app: FastAPI
) -> None:
    token = login(client, "honglai")
    pid = ids["P0000"]
    far = field_photo(dx=50, dy=1500, colour=(140, 40, 40))
    _upload(client, token, pid, [("全景.jpg", field_photo(), JPEG), ("远处.jpg", far, JPEG)])
    first, second = _ids(county)
    page = client.get(f"/patches/{pid}").text
    assert f'action="/evidence/{second}/delete"' in page and f'action="/evidence/{second}/replace"' in page
    # Opened directly, these addresses show the patch page at the photo (not a bare 405).
    r = client.get(f"/evidence/{second}/delete")
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#evidence-{second}"
    assert client.post(f"/evidence/{second}/delete", data={}).status_code == 403  # no CSRF token
    r = client.post(f"/evidence/{first}/note", data={"csrf_token": token, "note": "<script>x</script>东侧"})
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#evidence-{first}"
    page = client.get(f"/patches/{pid}").text
    assert "已保存「全景.jpg」的说明。" in page and "&lt;script&gt;x&lt;/script&gt;东侧" in page
    r = client.post(
        f"/evidence/{second}/replace",
        data={"csrf_token": token},
        files=[("files", ("重拍.jpg", field_photo(colour=(20, 150, 20)), JPEG))],
    )
    assert r.status_code == 303, r.text[:300]
    page = client.get(f"/patches/{pid}").text
    assert "已将「远处.jpg」替换为「重拍.jpg」。" in page
    photos = page.split('id="evidence"')[1].split('id="events"')[0]
    assert "重拍.jpg" in photos and "远处.jpg" not in photos
    (_, replaced) = _ids(county)
    r = client.post(f"/evidence/{replaced}/delete", data={"csrf_token": token})
    assert r.status_code == 303 and _ids(county) == [first]
    assert len(list((files_dir(app.state.settings) / "evidence").glob("*.*"))) == 1
    page = client.get(f"/patches/{pid}").text
    assert "已删除「重拍.jpg」。" in page and "删除举证材料" in page  # in the 操作记录


@pytest.mark.parametrize(("who", "status"), [("hongmei", 404), ("leader", 403)])
def test_others_may_not_change_evidence(
    client: TestClient, county: Store, ids: dict[str, int], who: str, status: int
) -> None:
    token = login(client, "honglai")
    _upload(client, token, ids["P0000"], [("全景.jpg", field_photo(), JPEG)])
    (pid,) = _ids(county)
    client.cookies.clear()
    token = login(client, who)
    assert f'action="/evidence/{pid}/delete"' not in client.get(f"/patches/{ids['P0000']}").text
    assert client.post(f"/evidence/{pid}/delete", data={"csrf_token": token}).status_code == status
    assert client.post(f"/evidence/{pid}/note", data={"csrf_token": token, "note": "x"}).status_code == status
    assert _ids(county) == [pid]


def test_submit_asks_to_confirm_missing_photos_then_records_them(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    from weipian.storage.workflow import find_patch, patch_events

    token = login(client, "honglai")
    pid = ids["P0000"]
    _upload(client, token, pid, [("全景.jpg", field_photo(), JPEG)])  # 违法 needs 2 (rule data)
    r = client.post(
        f"/patches/{pid}/determination", data={**VALID_ILLEGAL, "csrf_token": token, "action": "submit"}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}?ack=photos#determination"
    with county.reading() as session:
        assert find_patch(session, "P0000").state == "verifying"  # saved as a draft, not submitted
    page = client.get(r.headers["location"]).text
    assert "判定已保存（第 1 版）" in page and "尚未提交" in page
    assert "现场照片 1 张，按当前判定结果至少需要 2 张" in page and 'name="evidence_ack"' in page
    r = client.post(
        f"/patches/{pid}/submit", data={"csrf_token": token, "version": "1"}
    )  # still not confirmed
    assert r.status_code == 303 and r.headers["location"].endswith("?ack=photos#determination")
    r = client.post(f"/patches/{pid}/submit", data={"csrf_token": token, "version": "1", "evidence_ack": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/patches/{pid}#determination"
    with county.reading() as session:
        assert find_patch(session, "P0000").state == "submitted"
        submit = patch_events(session, pid)[-1]
    assert submit.payload["evidence_gaps"] == [
        {"code": "evidence.gap.missing", "params": {"count": 1, "required": 2}}
    ]
    # Submitted: the photo can no longer be deleted, and the page no longer offers it.
    (photo_id,) = _ids(county)
    assert f'action="/evidence/{photo_id}/delete"' not in client.get(f"/patches/{pid}").text
    r = client.post(f"/evidence/{photo_id}/delete", data={"csrf_token": token})
    assert r.status_code == 422 and "判定已提交" in r.text and _ids(county) == [photo_id]
