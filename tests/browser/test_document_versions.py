"""An admin edits a section, previews it and publishes version 2; the public reads version 1 and
the differences; a comment made on version 1 says its part has changed; its author's email
arrives over real SMTP and leads to the differences.

With JavaScript on and off; axe checks every page on the way. Asks for `live_server` before
`new_page` (see test_feedback_journeys.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.browser.test_my_comment import link_named
from tests.browser.test_staff_journeys import expect_flash, signed_in_page
from tests.factories import make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.updates import comment_asking_for_updates

ADMIN = "admin@example.gov.uk"
RUTH = "ruth@example.com"
NEW_BODY = "\n\n".join(
    [
        "**Basic:** people are told what is happening. One way communication",
        "## Why it matters",
        "It is a start.",
    ]
)


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port}


def edit_and_publish_basic(page, live_server: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Document").click()
    expect(page.locator("h1")).to_have_text("Our definition of co-production")
    assert_accessible(page)
    page.get_by_role("button", name="Start a draft").click()
    expect_flash(page, "You are editing a draft of version 2")
    assert_accessible(page)

    page.get_by_role("link", name="Edit ‘Basic – one way’").click()
    expect(page.locator("h1")).to_have_text("Edit ‘Basic – one way’")
    assert_accessible(page)
    page.get_by_label("Text").fill(NEW_BODY)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview .council-preview__page")
    expect(preview.locator("strong")).to_have_text("Basic:")
    expect(preview.locator("h2")).to_have_text("Why it matters")
    expect(page.get_by_label("Text")).to_have_value(NEW_BODY)
    assert_accessible(page)
    page.get_by_role("button", name="Save in the draft").click()
    expect_flash(page, "The section ‘Basic – one way’ is saved in the draft.")

    page.get_by_role("button", name="Publish version 2").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what you changed and why")
    assert_accessible(page)
    page.get_by_label("What we changed and why").fill("We said plainly what the basic level means.")
    page.get_by_role("button", name="Publish version 2").click()
    expect_flash(page, "Version 2 is published. The public now sees it.")
    assert_accessible(page)


@JAVASCRIPT
def test_an_admin_publishes_version_2_and_a_commenter_sees_and_hears_what_changed(
    live_server, new_page, app, mail_server, javascript
):
    make_staff(app, role="admin", email=ADMIN)
    reference = comment_asking_for_updates(app, RUTH, "basic", text="What does essential mean here?")
    admin = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    edit_and_publish_basic(admin, live_server)

    # The public, on a phone: the section, the comment from version 1, the changes, version 1.
    page = new_page(javascript=javascript, width=320)
    page.goto(f"{live_server}/definition/basic")
    expect(page.locator("main h2").first).to_have_text("Why it matters")
    card = page.locator(f"#comment-{reference}")
    expect(card).to_contain_text("Made on version 1")
    expect(card).to_contain_text("This part has changed since this comment was made")
    assert_accessible(page)
    card.get_by_role("link", name="See what changed").click()
    expect(page.locator("h1")).to_have_text("What changed in each version")
    expect(page.locator("#summary-2")).to_have_text("We said plainly what the basic level means.")
    basic = page.locator("#basic")
    expect(basic.locator("del").first).to_contain_text("removed:")
    expect(basic.locator("ins").first).to_contain_text("added:")
    expect(basic.locator("ins .govuk-visually-hidden").first).to_have_text("added: ")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("link", name="Read version 1").click()
    expect(page.locator("#not-current")).to_contain_text("This is not the current version")
    expect(page.locator("main")).to_contain_text(
        "acknowledges people's action as essential to the desired outcome"
    )
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.locator("#not-current").get_by_role("link", name="Read the current version").click()
    expect(page.locator("#version-note")).to_contain_text("Version 2")

    # The commenter's email, over real SMTP: only the part they commented on, linking to it.
    assert app.test_cli_runner().invoke(args=["updates", "send"]).exit_code == 0
    [update] = [
        mail for mail in mail_server.to(RUTH) if mail.subject == "What has happened with your feedback"
    ]
    assert "We have published version 2 of the document" in update.text
    assert update.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = link_named(update.html, "see what changed")
    assert link.endswith("/definition/changes#basic")
    reader = new_page(javascript=javascript)
    reader.goto(link)
    expect(reader.locator("#basic")).to_be_in_viewport()
    assert_accessible(reader)
    assert app.test_cli_runner().invoke(args=["updates", "send"]).output.startswith("Queued 0 updates")


@JAVASCRIPT
def test_an_admin_adds_a_section_and_an_example_edits_the_contact_details_and_undoes_a_correction(
    live_server, new_page, app, javascript
):
    make_staff(app, role="admin", email=ADMIN)
    make_staff(app, role="admin", email="second.admin@example.gov.uk")
    page = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    page.goto(f"{live_server}/staff/document")
    page.get_by_role("button", name="Start a draft").click()
    # A second admin opens the introduction before the first changes the draft.
    late = signed_in_page(new_page, live_server, "second.admin@example.gov.uk", javascript=javascript)
    late.goto(f"{live_server}/staff/document")
    late.get_by_role("link", name="Edit ‘Introduction’").click()

    page.get_by_role("link", name="Add a section").click()
    expect(page.locator("h1")).to_have_text("Add a section")
    assert_accessible(page)
    page.get_by_role("button", name="Add the section").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a heading for the section")
    assert_accessible(page)
    page.get_by_label("Heading").fill("Getting started")
    page.get_by_label("Text").fill("Ask us how.")
    page.get_by_role("button", name="Add the section").click()
    expect_flash(page, "The section ‘Getting started’ is added to the end of the draft.")
    page.get_by_role("button", name="Move up ‘Getting started’").click()
    expect(page.locator("#sections ~ ol > li").last).to_contain_text("Co-design, Co-produce")

    page.get_by_role("link", name="Edit ‘Getting started’").click()
    page.get_by_label("Example", exact=True).fill("Coming to a meeting")
    page.get_by_role("button", name="Add the example").click()
    expect_flash(page, "The example is added to the end of the section.")
    page.get_by_role("link", name="Edit the example: Coming to a meeting").click()
    expect(page.locator("h1")).to_have_text("Edit an example")
    assert_accessible(page)
    page.get_by_label("Example", exact=True).fill("Coming to a meeting of the team")
    page.get_by_role("button", name="Save in the draft").click()
    expect(page.locator("#examples ~ ol")).to_contain_text("Coming to a meeting of the team")

    page.goto(f"{live_server}/staff/document")
    page.get_by_role("link", name="Edit the contact details").click()
    page.get_by_label("Contact details").fill("Email: getinvolved@example.gov.uk\n\nPhone: 0121 000 0000")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_contain_text("Phone: 0121 000 0000")
    assert_accessible(page)
    page.get_by_role("button", name="Save in the draft").click()
    expect_flash(page, "The contact details are saved in the draft.")
    page.get_by_role("button", name="Undo the correction: Typing error in the published document.").click()
    expect_flash(page, "The draft has the team’s published wording again")
    expect(page.locator("#corrections ~ dl .govuk-summary-list__row")).to_have_count(1)
    assert_accessible(page)

    # The second admin, on the page from before: told, with what they typed, and nothing saved.
    late.get_by_label("Text").fill("Late words.")
    late.get_by_role("button", name="Save in the draft").click()
    expect(late.locator("h1")).to_have_text("Someone else changed this draft")
    expect(late.get_by_label("Text")).to_have_value("Late words.")
    assert_accessible(late)
