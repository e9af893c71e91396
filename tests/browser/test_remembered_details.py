"""Remembering a name and email address only when the person ticks the box, in a real browser.

With JavaScript on and off, each state checked by axe: without the tick nothing is remembered;
with it the details fill in the comment forms and /get-involved, from a cookie nobody can read;
"Not you? Clear these details" empties them, and they stay empty on the next visit; the
cookies page describes it.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.factories import all_comments
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.cookies import every_reading_of

NAME = "Aisha Khan"
EMAIL = "aisha.khan@example.com"
REMEMBER = "Remember my name and email on this device"
NOT_YOU = "Not you? Clear these details"
THANK_YOU_URL = re.compile(r"/feedback/CP-[23456789A-Z]{6}$")


def comment_with_details(page: Page, text: str, *, remember: bool, name: str = NAME) -> None:
    page.get_by_label("Your comment", exact=True).fill(text)
    page.get_by_label("Your name (optional)").fill(name)
    page.get_by_label("Your email address (optional)").fill(EMAIL)
    box = page.get_by_label(REMEMBER)
    expect(box).not_to_be_checked()
    if remember:
        box.check()
    page.get_by_role("button", name="Send comment").click()
    expect(page).to_have_url(THANK_YOU_URL)


def expect_filled_in(page: Page, name: str, email: str, name_label: str = "Your name (optional)") -> None:
    expect(page.get_by_label(name_label, exact=True)).to_have_value(name)
    email_label = "Your email address (optional)" if name_label == "Your name (optional)" else "Email address"
    expect(page.get_by_label(email_label, exact=True)).to_have_value(email)
    expect(page.get_by_role("button", name=NOT_YOU)).to_have_count(1 if name else 0)


def assert_no_cookie_can_be_read(page: Page, javascript: bool) -> dict:
    """No cookie holds the name or email address, even decoded. Returns the cookies by name."""
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    for cookie in cookies.values():
        reading = every_reading_of(cookie["value"])
        assert NAME not in reading and EMAIL not in reading, f"{cookie['name']} can be read"
    if javascript:  # and a script on the page cannot even see it
        assert "remembered_details" not in page.evaluate("document.cookie")
    return cookies


@JAVASCRIPT
def test_remembering_details_with_and_without_the_tick_box(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)

    # Without the tick, the next form is empty.
    page.goto(live_server + "/definition/basic")
    expect(page.get_by_label(REMEMBER)).not_to_be_checked()
    assert_accessible(page)
    comment_with_details(page, "First comment, not remembered.", remember=False)
    page.goto(live_server + "/definition/intermediate")
    expect_filled_in(page, "", "")
    assert "remembered_details" not in assert_no_cookie_can_be_read(page, javascript)

    # With the tick, the details fill in every form, from a cookie that cannot be read.
    comment_with_details(page, "Second comment, remembered.", remember=True)
    page.goto(live_server + "/definition/transformative")
    expect(page.locator("#remembered-details")).to_contain_text(
        "We have filled in the name and email address remembered on this device."
    )
    expect_filled_in(page, NAME, EMAIL)
    expect(page.get_by_label(REMEMBER)).not_to_be_checked()
    assert_accessible(page)
    remembered = assert_no_cookie_can_be_read(page, javascript)["remembered_details"]
    assert remembered["httpOnly"] and remembered["sameSite"] == "Lax"

    page.goto(live_server + "/get-involved")
    expect_filled_in(page, NAME, EMAIL, name_label="Your name")
    assert_accessible(page)

    # Not you? The same page comes back, empty, and says so.
    page.get_by_role("button", name=NOT_YOU).click()
    expect(page).to_have_url(re.compile(r"/get-involved$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We have cleared the name and email address remembered on this device."
    )
    expect_filled_in(page, "", "", name_label="Your name")
    assert_accessible(page)
    assert "remembered_details" not in assert_no_cookie_can_be_read(page, javascript)

    # The next visit finds nothing either.
    page.goto(live_server + "/definition")
    expect_filled_in(page, "", "")
    page.goto(live_server + "/get-involved")
    expect_filled_in(page, "", "", name_label="Your name")

    assert [(c.author_name, c.author_email) for c in all_comments(app)] == [(NAME, EMAIL), (NAME, EMAIL)]

    # The cookies page says what happened.
    page.goto(live_server + "/cookies")
    section = page.locator("main")
    expect(section).to_contain_text("We only set it if you tick the box.")
    expect(section).to_contain_text("It is deleted after 90 days.")
    expect(section).to_contain_text(NOT_YOU)
    assert_accessible(page)


@JAVASCRIPT
def test_an_offer_remembered_fills_in_a_comment_and_a_comment_without_the_tick_forgets_it(
    live_server, new_page, app, javascript
):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/get-involved")
    expect(page.get_by_label(REMEMBER)).not_to_be_checked()
    page.get_by_label("Your name", exact=True).fill(NAME)
    page.get_by_label("Email address", exact=True).fill(EMAIL)
    page.locator("input[name=interests]").first.check()
    page.get_by_label(REMEMBER).check()
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(re.compile(r"/get-involved/done$"))

    page.goto(live_server + "/definition/basic")
    expect_filled_in(page, NAME, EMAIL)
    assert_accessible(page)

    # Someone else at the same computer sends a comment under their own name, without the tick.
    page.get_by_label("Your comment", exact=True).fill("A comment from the next person.")
    page.get_by_label("Your name (optional)").fill("Someone Else")
    page.get_by_label("Your email address (optional)").fill("")
    page.get_by_role("button", name="Send comment").click()
    expect(page).to_have_url(THANK_YOU_URL)

    page.goto(live_server + "/definition/basic")
    expect_filled_in(page, "", "")
    assert_accessible(page)
    assert "remembered_details" not in assert_no_cookie_can_be_read(page, javascript)
    assert [(c.author_name, c.author_email) for c in all_comments(app)] == [("Someone Else", None)]
