"""Offline: every request a page makes — scripts, styles, fonts, map worker, tiles, API calls —
goes to this server. (Every browser test also fails on a foreign request at its teardown; this
one walks each role's pages on purpose and looks at the whole session's record as well.)"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import Request, Response

pytestmark = pytest.mark.browser

PAGES = {
    "reviewer": ["/", "/patches", "/review", "/lists/military", "/lists/overdue", "P0000", "P0002"],
    "honglai": ["/", "/patches", "/lists/housing", "/lists/returned", "Q0000"],
    "leader": ["/", "/patches", "P0001"],
}


def test_pages_ask_nothing_of_other_hosts(
    site: Site, new_context: Contexts, login: LoginFn, shot: Shots
) -> None:
    failures: list[str] = []
    seen: list[str] = []
    for username, paths in PAGES.items():
        ctx = new_context()
        ctx.on("request", lambda r: seen.append(r.url))
        ctx.on("response", lambda r: _bad(r, failures))
        ctx.on("requestfailed", lambda r: _failed(r, failures))
        page = ctx.new_page()
        login(page, username)
        for path in paths:
            url = f"/patches/{site.ids[path]}" if not path.startswith("/") else path
            response = page.goto(url)
            assert response is not None and response.ok, (username, url, response and response.status)
            if page.locator("#map").count():
                page.evaluate("window.mapReady")
            shot(page, f"{username}-{url.strip('/').replace('/', '-') or 'dashboard'}", full_page=False)
        ctx.close()

    here = urlsplit(site.base_url).netloc
    assert any("/static/" in u for u in seen) and any("/tiles/" in u for u in seen), (
        "the crawl loaded no assets"
    )
    assert all(urlsplit(u).netloc == here for u in seen if urlsplit(u).scheme in ("http", "https"))
    assert not site.foreign(seen), site.foreign(seen)
    assert not site.foreign(), f"earlier tests' pages asked other hosts: {site.foreign()}"
    assert not failures, "\n".join(failures)


def _bad(response: Response, failures: list[str]) -> None:
    if response.status >= 500:
        failures.append(f"{response.status} {response.url}")


def _failed(request: Request, failures: list[str]) -> None:
    if request.failure != "net::ERR_ABORTED":  # a fetch cut short by leaving the page
        failures.append(f"failed {request.url}: {request.failure}")
