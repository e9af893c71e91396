"""A moderator types in a comment that came on paper, in a real browser, with JavaScript on and off.

The test asks for `live_server` before `new_page`, so that its browsers close before the
server stops (see test_feedback_journeys.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_journeys import MODERATOR, expect_flash, signed_in_page
from tests.factories import make_staff
from tests.helpers.browser import JAVASCRIPT

LETTER = "A letter from the library group: please explain ‘co-commission’ in plain words."


@JAVASCRIPT
def test_a_moderator_enters_a_paper_comment_fixes_a_mistake_and_finds_it_waiting(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.get_by_role("link", name=re.compile("Add a comment that came on paper")).click()
    expect(page.locator("h1")).to_have_text("Add a comment that came another way")
    assert_accessible(page)

    page.get_by_label("On paper").check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Which section is it about?").select_option(label="Basic – one way")
    page.get_by_label("Their comment").fill(LETTER)
    page.get_by_label("Their name (optional)").fill("Ann Example")
    page.get_by_role("button", name="Add comment").click()

    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date received must be a real date")
    expect(page.get_by_label("Their comment")).to_have_value(LETTER)
    expect(page.get_by_label("On paper")).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Add comment").click()
    expect_flash(page, "It is waiting for moderation.")
    expect(page.locator("#comment-channel")).to_have_text("On paper")
    expect(page.locator("#comment-received")).to_have_text("28 February 2026")
    expect(page.locator("#comment-entered")).to_contain_text(MODERATOR)
    expect(page.locator("#comment-text")).to_have_text(LETTER)
    assert_accessible(page)
