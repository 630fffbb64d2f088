"""A county without imagery (issue 12 item 4): the patch map switches 地类图斑 on by itself and
says why, on a desktop and on a phone. Its own server on a store that has no imagery at all."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import PASSWORD, Contexts, Shots, Site, log_in
from playwright.sync_api import Browser, expect
from pwdlib import PasswordHash

from conftest import ACCOUNTS, _free_port, _wait_until_up, _weipian
from factories import small_county
from weipian.services.admin import init_store
from weipian.storage.store import Store
from weipian.storage.users import insert_user
from weipian.storage.workflow import find_patch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory: pytest.TempPathFactory, shots_root: Path) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("no-imagery")
    url = f"sqlite:///{tmp / 'weipian.db'}"
    store = Store(url)
    try:
        init_store(store)
        small_county(store, tmp)  # layers (地类图斑 included) and patches, no imagery
        hashed = PasswordHash.recommended().hash(PASSWORD)
        with store.writing() as session:
            for name in ("reviewer", "honglai"):
                role, town, dept = ACCOUNTS[name]
                insert_user(
                    session, username=name, display_name=f"{name}-姓名", password_hash=hashed, role=role.value,
                    township_code=town, department=dept, at=dt.datetime.now(dt.UTC),
                )  # fmt: skip
        with store.reading() as session:
            ids = {"P0000": find_patch(session, "P0000").id}
    finally:
        store.dispose()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "WEIPIAN_DATABASE_URL": url, "WEIPIAN_FILES_DIR": str(tmp / "files"),
        "WEIPIAN_SECRET_KEY": "browser-test-secret-key-of-32-bytes-or-more",
    }  # fmt: skip
    log = shots_root / "server-no-imagery.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [_weipian(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_up(proc, base_url, log)
        yield Site(base_url=base_url, ids=ids, files_dir=tmp / "files", log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_without_imagery_the_landuse_layer_switches_on_and_the_map_says_so(
    phone: bool, bare_site: Site, browser: Browser, shot: Shots
) -> None:
    contexts = Contexts(browser, bare_site)
    try:
        page = log_in(contexts(phone=phone).new_page(), "honglai")
        with page.expect_response(lambda r: "/api/map/layers/landuse" in r.url) as landuse:
            page.goto(f"/patches/{bare_site.ids['P0000']}")
        assert landuse.value.ok
        pid = bare_site.ids["P0000"]
        imagery = page.evaluate(f"fetch('/api/imagery?patch_id={pid}').then(r => r.json())")
        assert imagery == {"before": None, "after": None}, imagery
        assert isinstance(page.evaluate("window.mapReady"), dict)
        box = page.locator('#map-layers input[data-kind="landuse"]')
        expect(box).to_be_checked()
        note = page.locator("#map-imagery-note")
        expect(note).to_be_visible()
        expect(note).to_have_text("本图斑暂无卫星影像，已打开国土调查地类图斑作参照。")
        expect(page.locator("#map-section")).to_contain_text("暂无影像")
        # The layer's features came (地类图斑 under the patch), and the text alternative does not
        # speak of imagery that is not there.
        assert landuse.value.json()["features"], "no 地类图斑 features"
        expect(page.locator("#map-text")).to_contain_text("本图斑暂无卫星影像，已打开国土调查地类图斑作参照")
        expect(page.locator("#map-text")).not_to_contain_text("分割线")
        page.locator("#map-section").scroll_into_view_if_needed()
        shot(page, "no-imagery-" + ("phone" if phone else "desktop"), full_page=False)
        # Switching it off is the user's choice and stays so.
        box.uncheck()
        expect(box).not_to_be_checked()
    finally:
        contexts.close(shot, failed=False)
    assert not bare_site.foreign(contexts.requests)


def test_the_drawing_map_without_imagery_shows_landuse_and_says_so(
    bare_site: Site, browser: Browser, shot: Shots
) -> None:
    """/intake/manual (issue 10 leftover): the same fallback as the patch map."""
    contexts = Contexts(browser, bare_site)
    try:
        page = log_in(contexts().new_page(), "reviewer")
        with page.expect_response(lambda r: "/api/map/layers/landuse" in r.url) as landuse:
            page.goto("/intake/manual")
        assert landuse.value.ok and landuse.value.json()["features"]
        assert page.evaluate("window.drawReady") is True
        assert page.evaluate("Boolean(window.drawMap.getLayer('imagery'))") is False
        expect(page.locator('#map-layers input[data-kind="landuse"]')).to_be_checked()
        note = page.locator("#map-imagery-note")
        expect(note).to_be_visible()
        expect(note).to_have_text("本县暂无卫星影像，已打开国土调查地类图斑作参照。")
        shot(page, "draw-no-imagery", full_page=False)
    finally:
        contexts.close(shot, failed=False)
    assert not bare_site.foreign(contexts.requests)
