"""Accessibility basics and phone layout (issue 12 items 6 and 7), on a desktop and a phone:
every input has a label, text is at least 14 px, focus is visible, the map has a text
alternative, no page scrolls sideways, lists turn into cards on phones."""

from __future__ import annotations

import pytest
from browser_helpers import Contexts, LoginFn, Shots, Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby') && !el.title)
  .map((el) => el.outerHTML.slice(0, 120))"""

SMALL_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.offsetParent === null) continue;
    if (el.closest('.maplibregl-ctrl, .leaflet-control, .maplibregl-map, .leaflet-container')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 14) out.push(`${size}px: ${n.textContent.trim().slice(0, 30)}`);
  }
  return out;
}"""


def _check_page(page: Page, phone: bool) -> None:
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(SMALL_TEXT) == []
    if phone:
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), (
            "sideways scroll"
        )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_pages_have_labels_readable_text_and_no_sideways_scroll(
    phone: bool, site: Site, login: LoginFn, shot: Shots, new_context: Contexts
) -> None:
    page = login(new_context(phone=phone).new_page(), "honglai")
    _check_page(page, phone)
    page.goto("/patches")
    _check_page(page, phone)
    if phone:  # the list is a column of cards, each value under its column name
        first = page.locator("#patch-table tbody tr").first
        expect(page.locator("#patch-table thead")).to_be_hidden()
        label = first.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content")
        assert "批次" in label, label
    shot(page, "list", full_page=False)
    page.goto(f"/patches/{site.ids['R0005']}")
    _check_page(page, phone)
    text = page.locator("#map-text")
    expect(text).to_contain_text("R0005")
    expect(text).to_contain_text("红框为图斑边界")
    assert page.locator("#map").get_attribute("aria-describedby") == "map-text"
    # Keyboard focus is visible: an outline on the focused link.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    shot(page, "patch", full_page=False)

    reviewer = login(new_context(phone=phone).new_page(), "reviewer")
    reviewer.goto("/patches")
    _check_page(reviewer, phone)
    note = reviewer.locator("#export-note")  # P0002 is on military land: listed, not exported
    expect(note).to_contain_text("导出的表格比列表少 1 个")
    reviewer.goto("/review")
    assert reviewer.evaluate(SMALL_TEXT) == []
    # Every dashboard card is a link.
    reviewer.goto("/")
    cards = reviewer.locator(".cards .card")
    assert cards.count() > 0 and cards.count() == reviewer.locator(".cards a.card").count()
