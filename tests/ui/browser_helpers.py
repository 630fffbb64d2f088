"""Types and helpers the browser tests share with their fixtures (tests/ui/conftest.py):
the running site, screenshots, browser contexts, signing in. A module of its own, because test
modules cannot import one ``conftest`` among several.

(The folder is ``tests/ui``, not ``tests/browser``: ``--doctest-modules`` collects
``tests/conftest.py`` as a module, and a conftest folder sorting before it broke collection.)"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page

VIEWPORT = {"width": 1440, "height": 900}  # the desktop the issue-12 walk-through used
PHONE = {"width": 390, "height": 844}  # a common phone, portrait
PASSWORD = "correct-horse-9"


@dataclass
class Site:
    """The running server and what the tests need to know about its data."""

    base_url: str
    ids: dict[str, int]
    files_dir: Path
    log: Path
    requests: list[str] = field(default_factory=list)  # every URL any page asked for

    def foreign(self, urls: list[str] | None = None) -> list[str]:
        """Requests that left the local server (data:/blob: URLs stay in the page)."""
        here = urlsplit(self.base_url).netloc
        out = []
        for url in self.requests if urls is None else urls:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.scheme not in ("http", "https", "ws", "wss") or parts.netloc != here:
                out.append(url)
        return out


# Resolves when the page's map (if any) has drawn or failed, or after 10 s: never throws.
MAP_SETTLED = """() => window.mapReady && Promise.race([
  window.mapReady.then(() => true, () => false),
  new Promise((resolve) => setTimeout(() => resolve(false), 10000)),
])"""


class Shots:
    """Numbered full-page screenshots of one test: ``<artifacts>/browser/<test>/NN-name.png``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.evaluate(MAP_SETTLED)  # so a patch page's picture shows its map, not a grey box
        page.screenshot(path=path, full_page=full_page)
        return path


class Contexts:
    """Opens browser contexts for one test (a fresh one per user: no shared cookies); each
    records its pages' requests. At the end: screenshots of every open page, then close."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser, self.site = browser, site
        self.opened: list[BrowserContext] = []
        self.requests: list[str] = []

    def __call__(self, phone: bool = False) -> BrowserContext:
        """A desktop context, or with ``phone`` a 390×844 touch screen."""
        ctx = self.browser.new_context(
            base_url=self.site.base_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=PHONE if phone else VIEWPORT,  # type: ignore[arg-type]
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2 if phone else 1,
        )
        ctx.set_default_timeout(15_000)
        ctx.on("request", lambda req: self._record(req.url))
        self.opened.append(ctx)
        return ctx

    def _record(self, url: str) -> None:
        self.requests.append(url)
        self.site.requests.append(url)

    def close(self, shot: Shots, failed: bool) -> None:
        n = 0
        take = failed or shot.count == 0  # a passing test that took its own needs no more
        for ctx in self.opened:
            for pg in ctx.pages if take else []:
                try:
                    shot(pg, ("failed" if failed else "end") + (f"-{n}" if n else ""))
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    print(f"screenshot failed: {exc}", file=sys.stderr)
                n += 1
            ctx.close()


LoginFn = Callable[[Page, str], Page]


def log_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Sign in through the form; lands on the dashboard."""
    page.goto("/login")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登 录").click()
    assert urlsplit(page.url).path == "/", page.url
    return page
