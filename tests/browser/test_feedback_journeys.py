"""The public feedback journeys in a real browser, with JavaScript on and off, each page checked by axe.

Commenting on a section, on one practice example and on the whole document; a form with
errors; the character count; reporting a comment; offering to get involved and withdrawing;
one journey by keyboard alone; long and right-to-left text at 320px; and a closed consultation.
Remembering a name and email address is in test_remembered_details.py.

Each test asks for `live_server` before `new_page` (or `page`), so that its browser is closed
before the server stops: otherwise a request still in flight at the end (the favicon) can be
reset by the stopping server and reported as a console error.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import ConsentRecord, InvolvementOffer, Report
from feedback_portal.services import documents
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.factories import all_comments, close_consultation, make_comment
from tests.helpers.browser import JAVASCRIPT, tab_until

URDU = "یہ تعریف واضح ہے"
COMMENT_TEXT = f"{URDU} 👍🏽 but the second sentence is hard to follow."
THANK_YOU_URL = re.compile(r"/feedback/(CP-[23456789A-Z]{6})$")


# Helpers --------------------------------------------------------------------------------------


def section_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return documents.get_section_page(slug).section.id


def practice_item_id(app: Flask, slug: str, key: str) -> int:
    with app.app_context():
        return documents.get_practice_item(slug, key)[1].id


def rows(app: Flask, model) -> list:
    with app.app_context():
        found = list(db.session.scalars(select(model).order_by(model.id)))
        db.session.expunge_all()
        return found


def fill_comment(page: Page, text: str, reaction: str | None = None) -> None:
    page.get_by_label("Your comment", exact=True).fill(text)
    if reaction:
        # The comment form's own question: the page also asks it on its own, above.
        comment_form(page).get_by_label(reaction, exact=True).check()


def comment_form(page: Page) -> Locator:
    return page.locator(".council-comment-form")


def send_comment(page: Page) -> None:
    page.get_by_role("button", name="Send comment").click()


def expect_thank_you(page: Page) -> str:
    """The thank-you page is showing; returns the reference in its address, which it shows."""
    expect(page).to_have_url(THANK_YOU_URL)
    reference = THANK_YOU_URL.search(page.url).group(1)
    panel = page.locator(".govuk-panel")
    expect(panel.locator("h1")).to_have_text("Comment sent")
    expect(panel).to_contain_text(reference)
    expect(page).to_have_title(re.compile(r"^Comment sent"))
    return reference


# Commenting -----------------------------------------------------------------------------------


@JAVASCRIPT
def test_someone_can_comment_on_a_section_in_their_own_language(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition/basic")
    expect(page.get_by_role("heading", name="Comment on ‘Basic – one way’")).to_be_visible()
    assert_accessible(page)

    fill_comment(page, COMMENT_TEXT, reaction="Partly")
    send_comment(page)

    reference = expect_thank_you(page)
    expect(page.locator("main")).to_contain_text("Thank you for your comment on ‘Basic – one way’")
    assert_accessible(page)

    [comment] = all_comments(app)
    assert comment.reference == reference
    assert comment.body == COMMENT_TEXT
    assert comment.reaction == "partly"
    assert comment.state == "pending"
    assert comment.section_id == section_id(app, "basic")
    assert comment.practice_item_id is None


@JAVASCRIPT
def test_someone_can_comment_on_one_practice_example_from_its_section(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition/transformative")
    item = page.locator("#item-transformative-3")
    item.get_by_role("link", name=re.compile(r"^Comment on this example")).click()

    expect(page).to_have_url(re.compile(r"/definition/transformative/examples/transformative-3$"))
    expect(page.locator("h1")).to_have_text("Comment on this example")
    expect(page.locator("blockquote#quoted-item")).to_have_text("Led jointly by citizens and staff –'we'")
    assert_accessible(page)

    fill_comment(page, "Who decides what ‘jointly’ means? 🤔", reaction="No")
    send_comment(page)

    expect_thank_you(page)
    expect(page.locator("main")).to_contain_text(
        "Thank you for your comment on the example ‘Led jointly by citizens and staff –'we'’"
    )
    assert_accessible(page)

    [comment] = all_comments(app)
    assert comment.body == "Who decides what ‘jointly’ means? 🤔"
    assert comment.reaction == "no"
    assert comment.practice_item_id is not None
    assert comment.practice_item_id == practice_item_id(app, "transformative", "transformative-3")
    assert comment.section_id == section_id(app, "transformative")


@JAVASCRIPT
def test_someone_can_comment_on_the_whole_document(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition")
    expect(page.get_by_role("heading", name="Comment on the whole document")).to_be_visible()

    fill_comment(page, "Clear overall.\nThe examples help a lot.", reaction="Yes")
    send_comment(page)

    expect_thank_you(page)
    expect(page.locator("main")).to_contain_text("Thank you for your comment on the whole definition")
    assert_accessible(page)

    [comment] = all_comments(app)
    assert comment.body == "Clear overall.\nThe examples help a lot."
    assert comment.reaction == "yes"
    assert comment.section_id is None
    assert comment.practice_item_id is None


# A form with errors ---------------------------------------------------------------------------


@JAVASCRIPT
def test_an_empty_comment_is_explained_by_an_error_summary_that_links_to_the_field(
    live_server, new_page, app, javascript
):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition/basic")
    send_comment(page)

    expect(page).to_have_url(re.compile(r"/definition/basic$"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name="Enter your comment")
    expect(link).to_have_attribute("href", "#comment")
    expect(page.locator("#comment-error")).to_contain_text("Enter your comment")
    assert_accessible(page)

    if javascript:
        expect(summary).to_be_focused()
        link.click()
        expect(page.get_by_label("Your comment", exact=True)).to_be_focused()
    assert all_comments(app) == []


@JAVASCRIPT
def test_an_invalid_email_address_is_explained_and_what_was_typed_is_kept(
    live_server, new_page, app, javascript
):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition/intermediate")
    fill_comment(page, COMMENT_TEXT, reaction="Partly")
    page.get_by_label("Your name (optional)").fill("Aisha Khan")
    page.get_by_label("Your email address (optional)").fill("not-an-email")
    send_comment(page)

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    link = summary.get_by_role(
        "link", name="Enter an email address in the correct format, like name@example.com"
    )
    expect(link).to_have_attribute("href", "#email")
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(page.get_by_label("Your comment", exact=True)).to_have_value(COMMENT_TEXT)
    expect(comment_form(page).get_by_label("Partly", exact=True)).to_be_checked()
    expect(page.get_by_label("Your name (optional)")).to_have_value("Aisha Khan")
    expect(page.locator("#email")).to_have_value("not-an-email")
    assert_accessible(page)

    if javascript:
        expect(summary).to_be_focused()
        link.click()
        expect(page.locator("#email")).to_be_focused()

    # Putting it right sends the comment as typed.
    page.locator("#email").fill("aisha@example.com")
    send_comment(page)
    expect_thank_you(page)
    [comment] = all_comments(app)
    assert comment.body == COMMENT_TEXT
    assert comment.author_email == "aisha@example.com"


def test_the_character_count_warns_of_a_comment_that_is_too_long_and_the_text_is_kept(live_server, page, app):
    page.goto(live_server + "/definition/basic")
    textarea = page.get_by_label("Your comment", exact=True)
    status = page.locator(".govuk-character-count__status")
    expect(status).to_have_text("You have 5,000 characters remaining")

    textarea.fill("a" * 4990)
    expect(status).to_have_text("You have 10 characters remaining")
    too_long = "a" * 5001
    textarea.fill(too_long)
    expect(status).to_have_text("You have 1 character too many")
    expect(textarea).to_have_class(re.compile(r"govuk-textarea--error"))
    assert_accessible(page)

    send_comment(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your comment must be 5,000 characters or fewer"
    )
    expect(textarea).to_have_value(too_long)
    expect(status).to_have_text("You have 1 character too many")
    assert_accessible(page)
    assert all_comments(app) == []


# Reporting a comment --------------------------------------------------------------------------


@JAVASCRIPT
def test_someone_can_report_a_published_comment_once(live_server, new_page, app, javascript):
    reference = make_comment(app, text="Everyone who disagrees is an idiot.", section_slug="basic")
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition/basic")
    card = page.locator(f"#comment-{reference}")
    expect(card.locator("bdi").first).to_have_text("Anonymous")
    card.get_by_role("link", name=re.compile(r"^Report this comment")).click()

    expect(page).to_have_url(re.compile(rf"/feedback/{reference}/report$"))
    expect(page.locator("h1")).to_have_text("Report a comment")
    expect(page.locator("main")).to_contain_text("Everyone who disagrees is an idiot.")
    assert_accessible(page)

    # Without a reason, the error is explained and the details are kept.
    page.get_by_label("Tell us more (optional)").fill("Name-calling.")
    page.get_by_role("button", name="Report this comment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why this comment should not be here")
    expect(page.get_by_label("Tell us more (optional)")).to_have_value("Name-calling.")
    assert_accessible(page)

    page.get_by_label("It is abusive or offensive").check()
    page.get_by_role("button", name="Report this comment").click()
    expect(page).to_have_url(re.compile(rf"/definition/basic#comment-{reference}$"))
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Thank you. We have received your report")
    assert_accessible(page)

    page.goto(live_server + f"/feedback/{reference}/report")
    page.get_by_label("It is spam or advertising").check()
    page.get_by_role("button", name="Report this comment").click()
    expect(page).to_have_url(re.compile(rf"/definition/basic#comment-{reference}$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have already reported this comment"
    )

    [report] = rows(app, Report)
    assert report.reason == "abusive"
    assert report.details == "Name-calling."


# Get involved ---------------------------------------------------------------------------------


def fill_get_involved(page: Page) -> None:
    page.get_by_label("Your name", exact=True).fill("Bilal Hussain")
    page.get_by_label("Email address", exact=True).fill("bilal@example.com")
    page.get_by_label("Training staff", exact=True).check()
    page.get_by_label("Something else", exact=True).check()
    page.get_by_label("Something else you are interested in (optional)").fill("Day centres")
    page.get_by_label("Anything else about how you would like to be involved (optional)").fill(
        "Meetings online, please."
    )
    page.get_by_label("Do you have any access needs? (optional)").fill("Large print")


CONSENT_LABEL = re.compile(r"I agree that the Citizen Involvement Team can keep")


@JAVASCRIPT
def test_someone_can_offer_to_get_involved_and_later_withdraw(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/definition")
    page.get_by_role("link", name="Get involved").first.click()
    expect(page).to_have_url(re.compile(r"/get-involved$"))
    expect(page.locator("h1")).to_have_text("Get involved")
    expect(page.get_by_label(CONSENT_LABEL)).not_to_be_checked()
    assert_accessible(page)

    fill_get_involved(page)
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page).to_have_url(re.compile(r"/get-involved/done$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Thank you for offering to get involved")
    assert_accessible(page)
    [offer] = rows(app, InvolvementOffer)
    assert (offer.name, offer.email, offer.access_needs) == (
        "Bilal Hussain",
        "bilal@example.com",
        "Large print",
    )
    assert offer.interests.split() == ["training", "other"]

    page.locator("a[href*='/get-involved/withdraw/']").click()
    expect(page.locator("h1")).to_have_text("Withdraw your consent")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw consent and delete my details").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your details have been deleted")
    assert_accessible(page)

    [offer] = rows(app, InvolvementOffer)
    assert offer.name is None
    assert offer.email is None
    assert offer.phone is None
    assert offer.access_needs is None
    assert offer.how_to_be_involved is None
    assert offer.withdrawn_at is not None
    [consent] = rows(app, ConsentRecord)
    assert consent.withdrawn_at is not None


@JAVASCRIPT
def test_get_involved_without_consent_is_explained_and_what_was_typed_is_kept(
    live_server, new_page, app, javascript
):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/get-involved")
    fill_get_involved(page)
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role(
        "link", name="Select that you agree, so we can keep your details and contact you"
    )
    expect(link).to_have_attribute("href", "#consent")
    expect(page.get_by_label("Your name", exact=True)).to_have_value("Bilal Hussain")
    expect(page.get_by_label("Email address", exact=True)).to_have_value("bilal@example.com")
    expect(page.get_by_label("Training staff", exact=True)).to_be_checked()
    expect(page.get_by_label("Something else", exact=True)).to_be_checked()
    expect(page.get_by_label("Something else you are interested in (optional)")).to_have_value("Day centres")
    expect(
        page.get_by_label("Anything else about how you would like to be involved (optional)")
    ).to_have_value("Meetings online, please.")
    expect(page.get_by_label("Do you have any access needs? (optional)")).to_have_value("Large print")
    expect(page.get_by_label(CONSENT_LABEL)).not_to_be_checked()
    assert_accessible(page)
    if javascript:
        expect(summary).to_be_focused()
        link.click()
        expect(page.get_by_label(CONSENT_LABEL)).to_be_focused()
    assert rows(app, InvolvementOffer) == []


# Keyboard alone -------------------------------------------------------------------------------


def test_a_comment_can_be_sent_with_the_keyboard_alone(live_server, page, app):
    page.goto(live_server + "/definition/basic")
    tab_until(page, "textarea#comment")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    expect(comment_form(page).get_by_label("Yes", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(comment_form(page).get_by_label("Partly", exact=True)).to_be_focused()
    expect(comment_form(page).get_by_label("Partly", exact=True)).to_be_checked()
    tab_until(page, "button#submit")
    expect(page.get_by_role("button", name="Send comment")).to_be_focused()
    page.keyboard.press("Enter")

    expect_thank_you(page)
    [comment] = all_comments(app)
    assert comment.body == "Typed without a mouse."
    assert comment.reaction == "partly"


# What people wrote, shown safely --------------------------------------------------------------


def test_long_words_and_right_to_left_text_in_comments_fit_a_small_phone(live_server, new_page, app):
    long_word = "co" + "production" * 29 + "!!!!!!!!"
    assert len(long_word) == 300
    long_reference = make_comment(app, text=long_word, section_slug="basic", name="x" * 100)
    bidi_text = f"{URDU} \u202eevil\u202c and \u2067{URDU}"
    bidi_reference = make_comment(app, text=bidi_text, section_slug="basic", name=f"\u202e{URDU}")

    page = new_page(width=320, height=640)
    page.goto(live_server + "/definition/basic")
    long_card = page.locator(f"#comment-{long_reference}")
    expect(long_card.locator(".council-user-text")).to_have_text(long_word)
    assert_no_horizontal_scroll(page)

    bidi_card = page.locator(f"#comment-{bidi_reference}")
    text = bidi_card.locator(".council-user-text")
    expect(text).to_have_attribute("dir", "auto")
    assert text.text_content() == bidi_text
    name = bidi_card.locator("h3 bdi")
    expect(name).to_have_count(1)
    assert name.text_content() == f"\u202e{URDU}"
    assert_accessible(page)

    # The longest name allowed, with no spaces, wraps too, where the comment is shown and reported.
    page.goto(live_server + f"/feedback/{long_reference}/report")
    expect(page.locator("main")).to_contain_text("x" * 100)
    assert_no_horizontal_scroll(page)


# A closed consultation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/definition/basic", "/definition", "/definition/transformative/examples/transformative-3"]
)
def test_when_the_consultation_has_closed_there_is_no_comment_form(live_server, new_page, app, path):
    make_comment(app, text="Still readable after closing.", section_slug="basic")
    close_consultation(app)
    page = new_page()
    page.goto(live_server + path)
    expect(page.get_by_text("This consultation closed on")).to_be_visible()
    expect(page.locator("textarea#comment")).to_have_count(0)
    expect(page.get_by_role("button", name="Send comment")).to_have_count(0)
    if path == "/definition/basic":
        expect(page.get_by_text("Still readable after closing.")).to_be_visible()
    assert_accessible(page)
