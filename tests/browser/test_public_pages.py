"""The public pages in a real browser: accessible, readable at 320px, usable without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.test_public_pages import PUBLIC_PAGES

GOVUK_ONLY = re.compile(r"GDS|Transport|crest|crown|\.woff", re.IGNORECASE)


def record_requests(page: Page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible_and_fits_a_small_phone(new_page, live_server, path):
    page = new_page(width=320, height=640)
    requested = record_requests(page)
    response = page.goto(live_server + path)
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    assert not [url for url in requested if GOVUK_ONLY.search(url)], requested
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS" not in font and "arial" in font.lower()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_works_without_javascript(new_page, live_server, path):
    page = new_page(javascript=False)
    response = page.goto(live_server + path)
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("getinvolved@birmingham.gov.uk")
    assert_accessible(page)


def test_a_reader_can_move_through_the_definition_by_keyboard(page, live_server):
    page.goto(live_server + "/definition")
    page.keyboard.press("Tab")
    skip_link = page.locator("a.govuk-skip-link")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    page.locator("nav[aria-labelledby=contents-heading] a", has_text="Transformative").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/definition#transformative$"))
    page.locator("a", has_text="Read and comment on ‘Transformative – equal’").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/definition/transformative$"))
    expect(page.locator("#item-transformative-3 .council-practice-item__text")).to_have_text(
        "Led jointly by citizens and staff –'we'"
    )
    page.locator(".govuk-pagination__next a").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Co-design, Co-produce, Co-deliver and Co-commission")


def test_error_pages_are_accessible(page, live_server):
    response = page.goto(live_server + "/definition/not-a-section")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)


def test_pages_zoomed_to_400_percent_do_not_scroll_sideways(new_page, live_server):
    # 1280px at 400% zoom is a 320 CSS pixel wide viewport, as WCAG 1.4.10 describes.
    page = new_page(width=320, height=256)
    page.goto(live_server + "/definition/intermediate")
    assert_no_horizontal_scroll(page)
