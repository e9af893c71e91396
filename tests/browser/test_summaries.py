"""A moderator drafts a "You said, we did" summary, publishes it, and the public see it on its
section page and at /you-said-we-did. With JavaScript on and off; axe checks every new page, the
error states, the page a second moderator on an old page gets, and the public pages.

The test asks for `live_server` before `new_page`, so that its browsers close before the
server stops (see test_feedback_journeys.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.browser.test_staff_journeys import MODERATOR, expect_flash, public_page, signed_in_page
from tests.factories import make_comment, make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.summaries import make_summary, tag_comment

SECOND_MODERATOR = "second.moderator@example.gov.uk"
COMMENT = "Nobody told us who sits on the panel."
YOU_SAID = "You told us it is not clear who decides, and that the words are hard to follow."
KEPT_AS_IS = "Remove the levels of co-production."
REASON = "The levels come from the council's own strategy, which this consultation cannot change."
CHANGED = "We now publish who sits on the panel, and why."


def action(page: Page, number: int):
    return page.locator(f"#action-{number}")


def write_actions(page: Page) -> None:
    """Two actions, the second added with the page's own button (which works without JavaScript)."""
    first = action(page, 1)
    first.get_by_label("Action 1: what the team did or decided").fill(KEPT_AS_IS)
    first.get_by_role("group", name="Action 1: status").get_by_label("Considered and not changing").check()
    page.get_by_role("button", name="Add another action").click()
    expect(action(page, 2)).to_be_visible()
    expect(page.get_by_label("You said")).to_have_value(YOU_SAID)
    expect(first.get_by_label("Action 1: what the team did or decided")).to_have_value(KEPT_AS_IS)
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    second = action(page, 2)
    second.get_by_label("Action 2: what the team did or decided").fill(CHANGED)
    second.get_by_role("group", name="Action 2: status").get_by_label("Changed", exact=True).check()


@JAVASCRIPT
def test_a_summary_is_drafted_published_and_seen_on_its_section_page_and_the_outcome_page(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    make_staff(app, role="moderator", email=SECOND_MODERATOR)
    reference = make_comment(app, text=COMMENT)
    tag_comment(app, reference, "who decides")

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.get_by_role("link", name="You said, we did").first.click()
    expect(page.locator("h1")).to_have_text("You said, we did")
    assert_accessible(page)
    page.get_by_role("link", name="Write a summary").click()
    page.get_by_role("button", name="Start the summary").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what the summary is about")
    assert_accessible(page)
    page.get_by_label("Basic – one way", exact=True).check()
    page.get_by_role("button", name="Start the summary").click()
    expect_flash(page, "The draft summary is started.")
    edit_url = page.url
    assert_accessible(page)

    # A second moderator opens the same summary before the first saves it.
    late = signed_in_page(new_page, live_server, SECOND_MODERATOR, javascript=javascript)
    late.goto(edit_url)

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what people said")
    assert_accessible(page)

    page.get_by_label("You said").fill(YOU_SAID)
    page.get_by_label("Who decides").check()
    page.get_by_label(f"Comment {reference}").check()
    write_actions(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for not changing it")
    expect(action(page, 2).get_by_label("Action 2: what the team did or decided")).to_have_value(CHANGED)
    assert_accessible(page)
    action(page, 1).get_by_label("Action 1: why the team is not changing it").fill(REASON)
    page.get_by_role("button", name="Save draft").click()
    expect_flash(page, "The summary is saved as a draft.")
    expect(page.locator("#summary-state")).to_contain_text("Draft")

    section = public_page(new_page, live_server, "/definition/basic", javascript)
    expect(section.locator(".council-summary")).to_have_count(0)

    page.get_by_role("button", name="Publish summary").click()
    expect_flash(page, "The summary is published.")
    expect(page.locator("#summary-state")).to_contain_text("Published")
    assert_accessible(page)
    page.get_by_role("link", name="You said, we did").first.click()
    expect(page.locator("tbody")).to_contain_text("Published")
    assert_accessible(page)

    late.get_by_label("You said").fill("A late summary.")
    late.get_by_role("button", name="Save draft").click()
    expect(late.locator("h1")).to_have_text("This summary has changed since you opened it")
    expect(late.locator("textarea").first).to_have_value("A late summary.")
    assert_accessible(late)

    section.reload()
    summary = section.locator(".council-summary")
    expect(summary).to_contain_text(YOU_SAID)
    expect(summary).to_contain_text("Considered and not changing")
    expect(summary).to_contain_text(REASON)
    expect(summary.get_by_role("link", name=f"Comment {reference}")).to_have_attribute(
        "href", f"/definition/basic#comment-{reference}"
    )
    assert_accessible(section)

    outcome = public_page(new_page, live_server, "/you-said-we-did", javascript)
    expect(outcome.locator("#what-changed")).to_contain_text(CHANGED)
    expect(outcome.locator("#what-changed")).not_to_contain_text(KEPT_AS_IS)
    expect(outcome.locator("#part-basic .council-summary")).to_contain_text(YOU_SAID)
    assert_accessible(outcome)
    outcome.locator("#part-basic").get_by_role("link", name=re.compile("^Who decides")).click()
    expect(outcome.locator("h1")).to_have_text("Comments on ‘Who decides’")
    expect(outcome.locator(f"#comment-{reference}")).to_contain_text(COMMENT)
    assert_accessible(outcome)


def test_the_outcome_page_fits_a_narrow_screen_and_prints_without_navigation_or_buttons(
    live_server, new_page, app
):
    quoted = make_comment(app, text="A-very-long-word-" * 12)
    make_summary(app, target="document", quotes=[quoted], you_said="Words " * 200)
    narrow = new_page(width=320)
    narrow.goto(live_server + "/you-said-we-did")
    assert_no_horizontal_scroll(narrow)
    assert_accessible(narrow)

    page = public_page(new_page, live_server, "/you-said-we-did")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#figures table")).to_be_visible()
