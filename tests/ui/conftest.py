"""Browser tests: Playwright driving Debian's Chromium against the real server.

One server per session (``weipian serve`` in a subprocess, on a temp SQLite store built with
``factories.small_county`` plus one account per role); one browser context per test (zh-CN,
1366×900). Every test writes screenshots under ``artifacts/browser/<test>/`` (``WEIPIAN_ARTIFACTS``
moves the artifacts root), the last one also when the test fails. Every request a page makes
is recorded; a test whose pages asked anything of another host fails.

Never ``playwright install``: the browser is Debian's ``/usr/bin/chromium`` (``scripts/services``
installs it with the CJK fonts). Without it these tests FAIL, saying so; deselect them with
``-m "not browser"``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_helpers import (
    PASSWORD,
    Contexts,
    LoginFn,
    Shots,
    Site,
    log_in,
)
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pwdlib import PasswordHash

from factories import HONGLAI, HONGMEI, REGION, demo_tif, gk_square, patch_rows, small_county, write_vector
from weipian.domain.layers import LayerKind
from weipian.domain.roles import Role
from weipian.domain.sources import Source
from weipian.rules import load_rules
from weipian.services.admin import init_store
from weipian.services.analyze import analyze
from weipian.services.imagery import add_image
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.judge import judge_patches
from weipian.services.layers import import_layer
from weipian.storage.store import Store
from weipian.storage.users import insert_user
from weipian.storage.workflow import find_patch

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS_ENV = "WEIPIAN_ARTIFACTS"
CHROMIUM = Path("/usr/bin/chromium")
# --headless etc.: a server without a display. --no-sandbox: we run as root. The
# background-networking/component-update/sync/first-run/quic flags keep Chromium from calling
# home, which on the closed network floods the log with failed lookups and slows start-up.
# WebGL (MapLibre needs it): --disable-gpu only turns off the hardware path; Chromium 150 then
# renders WebGL with ANGLE on SwiftShader (checked: "ANGLE (Google, Vulkan 1.3.0 (SwiftShader
# Device (Subzero)))", WebGL 2), with or without extra flags. We name the backend explicitly and
# add --enable-unsafe-swiftshader because newer Chromium drops the *automatic* fallback to
# SwiftShader for WebGL and keeps it only behind that flag.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
# username → (role, township, department): the roles of tests/web/web_helpers.py.
ACCOUNTS: dict[str, tuple[Role, str | None, str | None]] = {
    "admin": (Role.bureau_admin, None, None),
    "reviewer": (Role.bureau_reviewer, None, None),
    "honglai": (Role.township, HONGLAI, None),
    "hongmei": (Role.township, HONGMEI, None),
    "leader": (Role.leader, None, None),
}
NEED_CHROMIUM = (
    f"找不到 {CHROMIUM}：浏览器测试需要 Debian 的 Chromium 和中文字体，请先以 root 运行 scripts/services 安装"
    '（没有条件的可用 -m "not browser" 跳过）。 / '
    f"{CHROMIUM} not found: run scripts/services (as root) to install chromium and fonts-noto-cjk, "
    'or deselect these tests with -m "not browser".'
)


def artifacts_root() -> Path:
    """``$WEIPIAN_ARTIFACTS`` or ``artifacts/`` at the repository root."""
    return Path(os.environ.get(ARTIFACTS_ENV) or REPO / "artifacts")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _build_store(url: str, tmp: Path, files: Path) -> dict[str, int]:
    """small_county with its before/after imagery (the patches burnt into "after" as bare soil),
    one more 洪濑镇 batch (patches the tests may change without meeting each other), and the
    accounts; returns JCBH → patch id."""
    store = Store(url)
    try:
        init_store(store)
        small_county(store, tmp)
        for phase, taken_on in (("before", dt.date(2022, 3, 1)), ("after", dt.date(2022, 9, 1))):
            add_image(
                store,
                files,
                demo_tif(tmp / f"{phase}.tif", phase=phase),
                phase=phase,
                taken_on=taken_on,
                actor_name="browser-test",
            )
        extra = write_vector(
            tmp / "q.gpkg", patch_rows(2, prefix="Q"), [gk_square(-600, -600), gk_square(-300, -600)]
        )
        options = IntakeOptions(
            source=Source.ministry, batch="B2", issued=dt.date(2022, 11, 1), region=REGION
        )
        import_package(store, extra, options)
        analyze(store, workers=1, batch="B2")
        judge_patches(store, load_rules(), on=dt.date(2022, 11, 20), batch="B2")
        # B3: six more 洪濑镇 patches for the field-task and review tests (issue 12), one each;
        # with the approval layers present (no approval near them) they are pre-judged 违法.
        for kind, attrs in (
            ("conversion_approval", {"PZWH": "闽政地〔2021〕1号"}),
            ("land_supply", {"PZWH": "南供〔2021〕1号"}),
        ):
            far = write_vector(tmp / f"{kind}.gpkg", [attrs], [gk_square(1800, 1800)])
            import_layer(store, far, LayerKind(kind), region=REGION)
        field = write_vector(
            tmp / "r.gpkg", patch_rows(6, prefix="R"),
            [gk_square(-900, -300), gk_square(-600, -300), gk_square(-300, -300), gk_square(-900, -900),
             gk_square(-600, -900), gk_square(-300, -900)],
        )  # fmt: skip
        options = IntakeOptions(
            source=Source.ministry, batch="B3", issued=dt.date(2022, 11, 1), region=REGION
        )
        import_package(store, field, options)
        analyze(store, workers=1, batch="B3")
        judge_patches(store, load_rules(), on=dt.date(2022, 11, 20), batch="B3")
        hashed = PasswordHash.recommended().hash(PASSWORD)
        with store.writing() as session:
            for name, (role, town, dept) in ACCOUNTS.items():
                insert_user(
                    session, username=name, display_name=f"{name}-姓名", password_hash=hashed,
                    role=role.value, township_code=town, department=dept, at=dt.datetime.now(dt.UTC),
                )  # fmt: skip
        with store.reading() as session:
            codes = (
                "P0000",
                "P0001",
                "P0002",
                "Q0000",
                "Q0001",
                "R0000",
                "R0001",
                "R0002",
                "R0003",
                "R0004",
                "R0005",
            )
            return {c: find_patch(session, c).id for c in codes}
    finally:
        store.dispose()


def _weipian() -> str:
    exe = Path(sys.executable).with_name("weipian")
    return str(exe) if exe.exists() else (shutil.which("weipian") or "weipian")


def _wait_until_up(proc: subprocess.Popen[bytes], base_url: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(
                f"weipian serve exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"weipian serve did not answer in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}"
            )
        time.sleep(0.1)  # polling a starting server: the one wait that cannot be an event


@pytest.fixture(scope="session")
def shots_root() -> Path:
    """``<artifacts>/browser``, emptied of the previous run's screenshots."""
    root = artifacts_root() / "browser"
    if root.is_dir():
        for old in root.glob("*/*.png"):
            old.unlink()
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, shots_root: Path) -> Iterator[Site]:
    """The real server on a temp SQLite store; killed at the end of the session."""
    tmp = tmp_path_factory.mktemp("browser-site")
    url = f"sqlite:///{tmp / 'weipian.db'}"
    files = tmp / "files"
    files.mkdir()
    ids = _build_store(url, tmp, files)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WEIPIAN_DATABASE_URL": url,
        "WEIPIAN_SECRET_KEY": "browser-test-secret-key-of-32-bytes-or-more",
        "WEIPIAN_FILES_DIR": str(files),
    }
    log = shots_root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [_weipian(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_up(proc, base_url, log)
        yield Site(base_url=base_url, ids=ids, files_dir=files, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(NEED_CHROMIUM, pytrace=False)
    b = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def browser_without_webgl(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with WebGL switched off, as on an old PC whose GPU driver is blocked."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(NEED_CHROMIUM, pytrace=False)
    b = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*FLAGS, "--disable-webgl", "--disable-3d-apis"]
    )
    yield b
    b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures know at teardown whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _test_folder(node: pytest.Item) -> str:
    return re.sub(r"[^\w.-]+", "_", node.name).strip("_")


@pytest.fixture
def shot(request: pytest.FixtureRequest, shots_root: Path) -> Shots:
    return Shots(shots_root / _test_folder(request.node))


@pytest.fixture
def new_context(
    browser: Browser, site: Site, shot: Shots, request: pytest.FixtureRequest
) -> Iterator[Contexts]:
    """``new_context()`` gives another fresh context (a second user in the same test). Fails the
    test if any page asked another host for anything."""
    contexts = Contexts(browser, site)
    yield contexts
    call = getattr(request.node, "rep_call", None)
    contexts.close(shot, failed=call is None or call.failed)
    foreign = site.foreign(contexts.requests)
    if foreign:
        pytest.fail("页面请求了本机服务器以外的地址 / pages requested other hosts:\n" + "\n".join(foreign))


@pytest.fixture
def context(new_context: Contexts) -> BrowserContext:
    """A fresh context (no cookies) for the test's first user."""
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def signed_in() -> dict[str, list[Any]]:
    """username → the session cookies of its first sign-in through the form."""
    return {}


@pytest.fixture
def login(signed_in: dict[str, list[Any]]) -> LoginFn:
    """Sign in as ``username``: through the form the first time in the session, then with the
    cookies that sign-in gave (argon2 verification is deliberately slow). The sign-in form itself
    is tested with :func:`log_in`."""

    def sign_in(page: Page, username: str) -> Page:
        cookies = signed_in.get(username)
        if cookies is not None:
            page.context.add_cookies(cookies)
            page.goto("/")
            if urlsplit(page.url).path == "/":
                return page
            # A test signed this account out (which ends all its sessions): sign in again.
            page.context.clear_cookies()
        log_in(page, username)
        signed_in[username] = page.context.cookies()
        return page

    return sign_in
