"""What became of my comment, and updates to the people who asked, in a browser.

From the thank-you page to the author's page for their comment; the same page once the comment
is published, answered and covered by a summary; and the update email received over real SMTP,
its links, and its one-click unsubscribe. With JavaScript on and off; axe reads every page.
Asks for `live_server` before `new_page` (see test_feedback_journeys.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, ConsentRecord
from tests.browser.conftest import assert_accessible
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.updates import comment_asking_for_updates, publish_response, publish_summary

SECTION = "/definition/basic"
RUTH = "ruth@example.com"
UPDATE_SUBJECT = "What has happened with your feedback"
RESPONSE = "We have rewritten the basic level in plainer words."
YOU_SAID = "You said the basic level was hard to tell from the others."


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port}


def publish(app, reference: str) -> None:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        comment.state = "published"
        comment.published_at = datetime.now(UTC)
        db.session.commit()


def link_named(html: str, text: str) -> str:
    return BeautifulSoup(html, "html.parser").find("a", string=re.compile(re.escape(text)))["href"]


@JAVASCRIPT
def test_an_author_follows_their_comment_from_the_thank_you_page_to_its_response_and_summary(
    live_server, new_page, app, javascript
):
    page = new_page(javascript=javascript)
    page.goto(live_server + SECTION)
    page.get_by_label("Your comment", exact=True).fill("Is ‘one way’ really co-production?")
    page.get_by_label("Your email address (optional)").fill(RUTH)
    page.get_by_label("Tell me what happens with my feedback").check()
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator(".govuk-panel h1")).to_have_text("Comment sent")
    reference = page.url.rsplit("/", 1)[1]

    page.get_by_role("link", name="See your comment and what becomes of it").click()
    expect(page.locator("h1")).to_have_text(f"Your comment {reference}")
    expect(page.locator("#about-the-comment")).to_contain_text("Waiting to be read")
    expect(page.locator("#comment-text")).to_have_text("Is ‘one way’ really co-production?")
    assert_accessible(page)
    private_link = page.url

    # Without the link's key, nobody can tell the comment exists.
    changed = page.goto(private_link[:-4] + "abcd")
    assert changed is not None and changed.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)

    publish(app, reference)
    publish_response(app, reference, RESPONSE)
    publish_summary(app, "basic", you_said=YOU_SAID, actions=("We rewrote the introduction.",))
    page.goto(f"{live_server}/comments/{reference}")
    expect(page.locator("h1")).to_have_text(f"Comment {reference}")
    expect(page.locator("#response-text")).to_have_text(RESPONSE)
    expect(page.locator("#what-we-did ~ section")).to_contain_text(YOU_SAID)
    assert_accessible(page)
    page.get_by_role("link", name="See the comment with the others on its page").click()
    expect(page.locator(f"#comment-{reference}")).to_contain_text("Is ‘one way’ really co-production?")


def update_emails(mail_server) -> list:
    return [mail for mail in mail_server.to(RUTH) if mail.subject == UPDATE_SUBJECT]


def consent_withdrawn(app) -> bool:
    with app.app_context():
        return all(record.withdrawn_at is not None for record in db.session.scalars(select(ConsentRecord)))


@JAVASCRIPT
def test_the_update_email_arrives_over_smtp_and_its_links_lead_to_the_comment_and_stop_the_emails(
    live_server, new_page, app, mail_server, javascript
):
    reference = comment_asking_for_updates(app, RUTH, "basic")
    publish_response(app, reference, RESPONSE)
    publish_summary(app, "basic", you_said=YOU_SAID)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["updates", "send"]).exit_code == 0
    [update] = update_emails(mail_server)
    assert RESPONSE in update.text and f"comment {reference}" in update.text

    page = new_page(javascript=javascript)
    page.goto(link_named(update.html, "See your comment and our response"))
    expect(page.locator("h1")).to_have_text(f"Comment {reference}")
    expect(page.locator("#response-text")).to_have_text(RESPONSE)
    expect(page.locator("#what-we-did ~ section")).to_contain_text(YOU_SAID)
    assert_accessible(page)

    page.goto(link_named(update.html, "Stop these emails"))
    expect(page.locator("h1")).to_have_text("Stop emails about your feedback")
    assert_accessible(page)
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.locator(".govuk-panel")).to_contain_text(
        "You will not get any more emails about your feedback"
    )
    assert_accessible(page)
    assert consent_withdrawn(app)

    publish_summary(app, you_said="The whole definition, later.")
    assert runner.invoke(args=["updates", "send"]).output.startswith("Queued 0 updates")
    assert len(update_emails(mail_server)) == 1


def test_the_mail_programs_one_click_unsubscribe_stops_the_next_update(live_server, page, app, mail_server):
    reference = comment_asking_for_updates(app, RUTH, "basic")
    publish_response(app, reference, RESPONSE)
    runner = app.test_cli_runner()
    runner.invoke(args=["updates", "send"])
    [update] = update_emails(mail_server)
    assert update.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = update.message["List-Unsubscribe"].strip("<>")
    assert one_click.startswith(f"{live_server}/feedback/{reference}/unsubscribe/")

    # What a mail program does (RFC 8058): one POST, no session, no form token.
    answer = page.request.post(one_click, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200
    assert consent_withdrawn(app)
    publish_summary(app, "basic", you_said=YOU_SAID)
    assert runner.invoke(args=["updates", "send"]).output.startswith("Queued 0 updates")
    assert len(update_emails(mail_server)) == 1
