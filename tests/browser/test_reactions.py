"""'Does this make sense to you?' answered on its own, in a real browser, with JavaScript on and off.

The tests ask for `live_server` before `new_page`, so that their browsers close before the
server stops (see test_feedback_journeys.py).
"""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, StandaloneReaction
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.factories import close_consultation
from tests.helpers.browser import JAVASCRIPT

QUESTION = "Does this make sense to you?"


def answers(app: Flask) -> list[tuple[int | None, int | None, str]]:
    with app.app_context():
        return [
            (row.section_id, row.practice_item_id, row.reaction)
            for row in db.session.scalars(select(StandaloneReaction).order_by(StandaloneReaction.id))
        ]


def question(page: Page) -> Locator:
    return page.locator(".council-reaction-form")


@JAVASCRIPT
def test_someone_answers_the_question_without_writing_a_comment(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition/basic")
    asked = question(page)
    expect(asked.get_by_role("heading", name=QUESTION)).to_be_visible()
    expect(asked.locator("#reaction-totals")).to_have_text("No one has answered yet.")
    assert_accessible(page)

    # Sent with nothing chosen: the error summary, on the question's own page.
    asked.get_by_role("button", name="Send your answer").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page).to_have_url(re.compile(r"/definition/basic/does-it-make-sense$"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Select yes, partly or no")).to_be_visible()
    expect(page.locator("h1")).to_have_text(QUESTION)
    assert_accessible(page)
    summary.get_by_role("link", name="Select yes, partly or no").click()
    if javascript:
        expect(page.get_by_label("Yes", exact=True)).to_be_focused()

    page.get_by_label("Partly", exact=True).check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page).to_have_url(re.compile(r"/definition/basic/does-it-make-sense/thank-you$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you")
    expect(page.locator(".govuk-panel")).to_contain_text("Your answer has been counted.")
    assert_accessible(page)

    page.get_by_role("link", name="Go back to the section ‘Basic – one way’").click()
    expect(page).to_have_url(re.compile(r"/definition/basic$"))
    expect(question(page).locator("#reaction-totals")).to_have_text(
        "1 person answered so far: 0 yes, 1 partly, 0 no."
    )
    [(section_id, item_id, reaction)] = answers(app)
    assert section_id is not None and item_id is None and reaction == "partly"
    with app.app_context():
        assert db.session.scalars(select(Comment)).all() == []


@JAVASCRIPT
def test_an_answer_on_a_practice_example_from_a_phone(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript, width=320, height=640)
    page.goto(live_server + "/definition/transformative/examples/transformative-3")
    asked = question(page)
    asked.get_by_label("Yes", exact=True).check()
    asked.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your answer has been counted.")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    [(_, item_id, reaction)] = answers(app)
    assert item_id is not None and reaction == "yes"


@JAVASCRIPT
def test_after_the_consultation_closes_the_totals_stay_and_the_form_goes(
    live_server, new_page, app, javascript
):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition")
    question(page).get_by_label("No", exact=True).check()
    question(page).get_by_role("button", name="Send your answer").click()
    expect(page.locator(".govuk-panel")).to_be_visible()
    close_consultation(app)
    page.goto(live_server + "/definition")
    asked = question(page)
    expect(asked.locator("#reaction-totals")).to_have_text("1 person answered so far: 0 yes, 0 partly, 1 no.")
    expect(asked).to_contain_text("You can no longer answer: the consultation has closed.")
    expect(asked.get_by_role("button", name="Send your answer")).to_have_count(0)
    assert_accessible(page)
    page.goto(live_server + "/definition/does-it-make-sense")
    expect(page.locator("h1")).to_have_text(QUESTION)
    assert_accessible(page)
