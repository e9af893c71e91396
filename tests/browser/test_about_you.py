"""The "About you" questions in a browser, with JavaScript on and off: answered after a comment
(first without the consent tick, which keeps what was chosen), and skipped after an offer."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from feedback_portal.models import EqualityAnswer
from tests.browser.conftest import assert_accessible
from tests.browser.test_feedback_journeys import fill_comment, rows, send_comment
from tests.browser.test_involvement import make_an_offer
from tests.browser.test_staff_journeys import ADMIN, signed_in_page
from tests.factories import make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.test_equality import make_answers

CONSENT_LABEL = re.compile(r"I agree that the council can keep these answers about me")


def comment_and_open_the_questions(page: Page, live_server: str) -> None:
    page.goto(live_server + "/definition/basic")
    fill_comment(page, "Equal partners, yes.")
    send_comment(page)
    expect(page.locator(".govuk-panel")).to_contain_text("Comment sent")
    page.get_by_role("link", name="Answer some questions about you").click()
    expect(page.locator("h1")).to_have_text("About you (optional)")
    assert page.url.removeprefix(live_server) == "/about-you"


@JAVASCRIPT
def test_the_questions_answered_after_a_comment(app, live_server, new_page, javascript):
    page = new_page(javascript=javascript)
    comment_and_open_the_questions(page, live_server)
    assert_accessible(page)
    expect(page.get_by_label(CONSENT_LABEL)).not_to_be_checked()
    page.get_by_role("group", name="What is your age?").get_by_label("35 to 44", exact=True).check()
    page.get_by_role("group", name="What is your ethnic group?").get_by_label("Prefer not to say").check()
    page.get_by_label("Your ward or postcode district (optional)").fill("ls6")
    page.get_by_role("button", name="Send my answers").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Tick the box to agree to us keeping your answers")
    if javascript:
        expect(summary).to_be_focused()
    assert_accessible(page)
    expect(
        page.get_by_role("group", name="What is your age?").get_by_label("35 to 44", exact=True)
    ).to_be_checked()
    expect(page.get_by_label("Your ward or postcode district (optional)")).to_have_value("ls6")
    assert rows(app, EqualityAnswer) == []

    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your answers have been recorded")
    assert_accessible(page)
    [answer] = rows(app, EqualityAnswer)
    assert (answer.age_band, answer.ethnicity, answer.area, answer.sex) == (
        "35-44",
        "prefer-not-to-say",
        "LS6",
        None,
    )

    page.goto(live_server + "/about-you")
    expect(page.locator("h1")).to_have_text("There are no questions to answer")


@JAVASCRIPT
def test_the_questions_skipped_after_an_offer(app, live_server, new_page, javascript):
    page = new_page(javascript=javascript)
    make_an_offer(page, live_server)
    page.get_by_role("link", name="Answer some questions about you").click()
    expect(page.locator("h1")).to_have_text("About you (optional)")
    page.get_by_role("group", name="What is your sex?").get_by_label("Female", exact=True).check()
    page.locator("#skip-bottom").click()
    expect(page.locator("h1")).to_have_text("You skipped the questions about you")
    expect(page.locator("main")).to_contain_text("We have recorded nothing about you.")
    assert_accessible(page)
    assert rows(app, EqualityAnswer) == []


@JAVASCRIPT
def test_staff_see_the_answers_only_as_totals_with_small_groups_suppressed(
    app, live_server, new_page, javascript
):
    make_answers(app, 6, age_band="25-34", area="LS6")
    make_answers(app, 1, age_band="75-and-over", area="B1")
    make_staff(app, role="admin", email=ADMIN)
    admin = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    admin.goto(live_server + "/staff/figures#about-you")
    ages = admin.locator("#about-you-age_band")
    expect(ages.get_by_role("row", name="25 to 34")).to_contain_text("6")
    expect(ages.get_by_role("row", name="75 or over")).to_contain_text("fewer than 5")
    expect(ages.get_by_role("row", name="Total who answered")).to_contain_text("Not shown")
    expect(admin.locator("#about-you-area")).not_to_contain_text("B1")
    assert_accessible(admin)
