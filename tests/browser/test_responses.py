"""A moderator writes a public response to a comment, and the public see it under the comment.

With JavaScript on and off; axe checks the staff page with the form, its error state, the page a
second moderator on an old page gets, and the public page. Asks for `live_server` before `new_page` (see
test_feedback_journeys.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_journeys import comment_path, expect_flash, public_page, signed_in_page
from tests.factories import make_comment, make_staff
from tests.helpers.browser import JAVASCRIPT

MODERATOR = "moderator@example.gov.uk"
SECOND_MODERATOR = "second.moderator@example.gov.uk"
COMMENT = "Who decides which groups are invited to co-produce?"
RESPONSE = "The panel's terms of reference will be published, with who was invited and why."


@JAVASCRIPT
def test_a_moderator_publishes_a_response_and_the_public_see_it_under_the_comment(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    make_staff(app, role="moderator", email=SECOND_MODERATOR)
    reference = make_comment(app, text=COMMENT)
    # A second moderator opens the same comment before the first publishes.
    second = signed_in_page(new_page, live_server, SECOND_MODERATOR, javascript=javascript)
    second.goto(live_server + comment_path(app, reference))

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.goto(live_server + comment_path(app, reference))
    text_box = page.get_by_label("Your response")
    expect(text_box).to_be_visible()
    assert_accessible(page)

    # An empty response: the error summary, and nothing is published.
    page.get_by_role("button", name="Publish response").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the response")
    assert_accessible(page)

    page.get_by_label("Your response").fill(RESPONSE)
    page.get_by_role("button", name="Publish response").click()
    expect_flash(page, "The response is published.")
    expect(page.locator(".council-response-version")).to_contain_text(RESPONSE)
    assert_accessible(page)

    second.get_by_label("Your response").fill("A late reply.")
    second.get_by_role("button", name="Publish response").click()
    expect(second.locator("h1")).to_have_text("This response has changed since you opened it")
    expect(second.locator("#typed-text")).to_have_value("A late reply.")
    assert_accessible(second)

    public = public_page(new_page, live_server, "/definition/basic", javascript)
    response = public.locator(f"#response-{reference}")
    expect(response).to_contain_text("Response from the Citizen Involvement Team")
    expect(response).to_contain_text(RESPONSE)
    assert_accessible(public)
