"""Stop these emails, in a browser: from the link in the receipt to the button, and the error pages."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import ConsentRecord, OutboxMessage
from tests.browser.conftest import assert_accessible
from tests.factories import comment_post
from tests.helpers.browser import JAVASCRIPT

SECTION = "/definition/basic"


def stop_emails_link_in_receipt(app: Flask) -> str:
    """Comment with an email address, asking for updates; the receipt's visible link, as queued."""
    client = app.test_client()
    data = comment_post(client, SECTION, comment="Clear to me.", email="ruth@example.com", wants_updates="y")
    client.post(SECTION, data=data)
    with app.app_context():
        receipt = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).one()
        return re.search(r"http://\S+/stop-emails/\S+", receipt.text_body).group(0)


def updates_consent_withdrawn(app: Flask) -> bool:
    with app.app_context():
        return db.session.scalars(select(ConsentRecord)).one().withdrawn_at is not None


@JAVASCRIPT
def test_someone_stops_the_emails_from_the_link_in_their_receipt(live_server, new_page, app, javascript):
    link = stop_emails_link_in_receipt(app)
    page = new_page(javascript=javascript)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Stop emails about your feedback")
    expect(page).to_have_title(re.compile(r"^Stop emails about your feedback"))
    assert_accessible(page)
    assert not updates_consent_withdrawn(app)

    page.get_by_role("button", name="Stop these emails").click()
    expect(page.locator(".govuk-panel")).to_contain_text(
        "You will not get any more emails about your feedback"
    )
    assert_accessible(page)
    assert updates_consent_withdrawn(app)

    page.goto(link)
    expect(page.locator("h1")).to_have_text("You have already stopped these emails")
    assert_accessible(page)


def test_a_broken_stop_emails_link_says_plainly_that_it_does_not_work(live_server, new_page, app):
    link = stop_emails_link_in_receipt(app)
    page = new_page()
    response = page.goto(link[:-4] + "abcd")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("This link does not work")
    assert_accessible(page)
    assert not updates_consent_withdrawn(app)
