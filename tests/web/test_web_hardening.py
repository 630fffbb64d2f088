"""Attacks on uploads and responses (issue 11): decompression bombs (item 2), a chunked upload
past the limit (item 11), ids no database holds and the 500 page (item 14), a fake PDF and the
cache of signed-in pages (item 15). Each runs on SQLite and PostGIS."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import login

from photos import field_photo, minimal_pdf
from weipian.config import files_dir
from weipian.io import exif
from weipian.storage.store import Store
from weipian.storage.tables import attachments
from weipian.web.security import HEADERS


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 13000, height: int = 13000) -> bytes:
    """A few hundred bytes declaring ``width``×``height`` RGB pixels (the tested 481 KB PNG's kind)."""
    rows = zlib.compress(b"\0" * (1 + 3 * width) * 8, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def _upload(
    client: TestClient, token: str, patch_id: int, name: str, data: bytes, mime: str, kind: str = "photo"
) -> Any:
    return client.post(
        f"/patches/{patch_id}/evidence",
        data={"csrf_token": token, "kind": kind},
        files=[("files", (name, data, mime))],
    )


def _count(store: Store) -> int:
    with store.reading() as session:
        return len(session.execute(attachments.select()).all())


def _files(app: FastAPI) -> list[Path]:
    root = files_dir(app.state.settings)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_png_declaring_169_million_pixels_is_refused_before_decoding(
    client: TestClient, county: Store, ids: dict[str, int], app: FastAPI
) -> None:
    token = login(client, "honglai")
    bomb = png_bomb()
    assert len(bomb) < 500_000
    r = _upload(client, token, ids["P0000"], "bomb.png", bomb, "image/png")
    assert r.status_code == 422
    assert "bomb.png：图片声明的尺寸过大" in r.text and "百万像素" in r.text
    r = _upload(client, token, ids["P0000"], "bomb2.png", png_bomb(9000, 9000), "image/png")
    assert r.status_code == 422 and "9000×9000" in r.text  # under Pillow's own guard, over ours
    assert _count(county) == 0 and _files(app) == []


def test_a_heic_declaring_too_many_pixels_is_refused(
    client: TestClient, county: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = login(client, "honglai")
    heic = field_photo(
        "HEIF"
    )  # real HEIC; the limit is lowered below its size to prove the check reads HEIC headers
    monkeypatch.setattr(exif, "MAX_PIXELS", 100)
    r = _upload(client, token, ids["P0000"], "a.heic", heic, "image/heic")
    assert r.status_code == 422 and "百万像素" in r.text
    assert _count(county) == 0


def test_padded_exif_is_not_parsed(client: TestClient, county: Store, ids: dict[str, int]) -> None:
    """A photo with megabytes of EXIF is stored, but its EXIF is not read (checks say so)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buf, "PNG", exif=b"Exif\0\0" + b"MM\0*\0\0\0\x08" + b"\0" * (2 * 2**20))
    token = login(client, "honglai")
    r = _upload(client, token, ids["P0000"], "pad.png", buf.getvalue(), "image/png")
    assert r.status_code == 303, r.text
    with county.reading() as session:
        row = session.execute(attachments.select()).one()
    assert row.lon is None and row.taken_at is None


def test_previews_are_made_once_at_upload(
    client: TestClient, county: Store, ids: dict[str, int], app: FastAPI
) -> None:
    token = login(client, "honglai")
    assert _upload(client, token, ids["P0000"], "a.jpg", field_photo(), "image/jpeg").status_code == 303
    previews = [p for p in _files(app) if p.parent.name == "previews"]
    assert len(previews) == 1  # before any preview request
    with county.reading() as session:
        att_id = session.execute(attachments.select()).one().id
    r = client.get(f"/evidence/{att_id}/preview.jpg")
    assert r.status_code == 200 and r.content == previews[0].read_bytes()
    assert "no-store" in r.headers["cache-control"]


def test_a_file_that_only_starts_like_a_pdf_is_refused(
    client: TestClient, county: Store, ids: dict[str, int]
) -> None:
    token = login(client, "honglai")
    fake = b"%PDF-1.7\n<html><script>alert(1)</script></html>"
    r = _upload(client, token, ids["P0000"], "批文.pdf", fake, "application/pdf", kind="document")
    assert r.status_code == 422 and "不是有效的 PDF" in r.text
    scripted = minimal_pdf().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>"
    )
    r = _upload(client, token, ids["P0000"], "批文2.pdf", scripted, "application/pdf", kind="document")
    assert r.status_code == 422
    assert _count(county) == 0
    ok = _upload(client, token, ids["P0000"], "批文3.pdf", minimal_pdf(), "application/pdf", kind="document")
    assert ok.status_code == 303


def _asgi_post(app: FastAPI, path: str, chunks: Callable[[], bytes | None], cookie: str) -> tuple[int, int]:
    """POST a chunked body (no Content-Length) straight through ASGI; returns (status, bytes the app pulled)."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        chunk = chunks()
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=xyz"),
                    (b"transfer-encoding", b"chunked"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip

    async def main() -> None:
        await app(scope, receive, send)  # type: ignore[arg-type]

    # In a thread of its own: the browser tests' Playwright keeps an event loop in the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, main).result()
    return status, pulled


def test_a_chunked_upload_is_cut_off_at_the_limit(county: Store, ids: dict[str, int], tmp_path: Path) -> None:
    from weipian.web.app import create_app
    from weipian.web.settings import WebSettings

    app = create_app(
        WebSettings(database_url=county.url, secret_key="k" * 40, files_dir=tmp_path / "f", request_max_mb=2)
    )
    head = b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    sent = [0]

    def chunks() -> bytes:  # an endless upload, 64 KiB at a time (the attack sent 384 MB)
        sent[0] += 1
        return head if sent[0] == 1 else b"\xff" * 65536

    with TestClient(app, follow_redirects=False) as c:
        login(c, "honglai")
        cookie = f"weipian_session={c.cookies['weipian_session']}"
    try:
        status, pulled = _asgi_post(app, f"/patches/{ids['P0000']}/evidence", chunks, cookie)
    finally:
        app.state.store.dispose()
    assert status == 413
    assert pulled <= 2 * 2**20 + 65536 + len(head)


@pytest.mark.parametrize(
    "path",
    [
        "/patches/9223372036854775808",
        "/evidence/99999999999999999999999/preview.jpg",
        "/api/patches/18446744073709551616",
        "/patches/9223372036854775807",
    ],
)
def test_ids_no_database_holds_answer_404_with_the_headers(client: TestClient, path: str) -> None:
    login(client, "admin")
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    for name, value in HEADERS:
        assert r.headers[name.decode()] == value.decode()


def test_query_and_form_ids_past_2_63_do_not_fail(client: TestClient) -> None:
    login(client, "admin")
    assert (
        client.get("/patches?batch=99999999999999999999999&page=99999999999999999999999").status_code == 200
    )


def test_an_unexpected_error_answers_500_with_the_security_headers(county: Store, tmp_path: Path) -> None:
    from weipian.web.app import create_app
    from weipian.web.settings import WebSettings

    app = create_app(WebSettings(database_url=county.url, secret_key="k" * 40, files_dir=tmp_path / "f"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and "系统内部错误" in r.text and "boom" not in r.text
    for name, value in HEADERS:
        assert r.headers[name.decode()] == value.decode()


def test_signed_in_pages_are_not_cached(client: TestClient, ids: dict[str, int]) -> None:
    login(client, "admin")
    for path in ("/", "/patches", f"/patches/{ids['P0000']}", "/login"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


def test_the_web_list_export_writes_formula_like_text_as_text(
    client: TestClient, county: Store, tmp_path: Path
) -> None:
    from formulas import EVIL, assert_text_only, evil_package

    evil_package(county, tmp_path)
    login(client, "admin")
    r = client.get("/patches/export.xlsx")
    assert r.status_code == 200
    (tmp_path / "w.xlsx").write_bytes(r.content)
    assert set(EVIL) <= assert_text_only(tmp_path / "w.xlsx")
