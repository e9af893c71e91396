"""Every staff page in a real browser, signed in as an admin: axe finds nothing, with
JavaScript on and off, and the pages a moderator lives in fit a 320px-wide screen.

Also the pages of signing in (and their error states), and the error states of the staff
forms, because an error summary and inline errors are where accessibility often breaks.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from feedback_portal.extensions import db
from feedback_portal.models import CommentState, OutboxMessage, OutboxStatus, Report
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.browser.test_staff_journeys import ADMIN, expect_dashboard, sign_in
from tests.factories import make_comment, make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.staff.moderation_helpers import id_of

LONG_WORD = "Co-production" * 12

# Each staff page an admin can open, by name: (address, its main heading). An address may
# name records made by `staff_records`.
STAFF_PAGES = {
    "dashboard": ("/staff/", "Dashboard"),
    "queue": ("/staff/comments", "Pending comments"),
    "queue-filtered": (
        "/staff/comments?state=published&section=basic&reaction=yes&has_reports=yes&text=bus",
        "Published comments",
    ),
    "queue-with-nothing-found": ("/staff/comments?state=rejected&text=100%25", "Rejected comments"),
    "queue-with-wrong-filters": ("/staff/comments?created_from=yesterday", "Pending comments"),
    "published-comment": ("/staff/comments/{published}?return_to=/staff/comments", "Comment {published_ref}"),
    "pending-comment": ("/staff/comments/{pending}?return_to=/staff/comments", "Comment {pending_ref}"),
    "redacted-comment": ("/staff/comments/{redacted}", "Comment {redacted_ref}"),
    "reported-comments": ("/staff/comments/reported", "Reported comments"),
    "document": ("/staff/document", "Our definition of co-production"),
    "users": ("/staff/users", "Staff accounts"),
    "new-user": ("/staff/users/new", "Add an account"),
    "user": ("/staff/users/{moderator}", "moderator@example.gov.uk"),
    "settings": ("/staff/settings", "Settings"),
    "audit-log": ("/staff/audit", "Audit log"),
    "outbox": ("/staff/outbox", "Email problems"),
    "account": ("/staff/account", "Your account"),
    "change-password": ("/staff/account/password", "Change your password"),
    "two-step": ("/staff/account/two-step", "Set up two-step sign-in"),
    "email-choices": ("/staff/account/email", "Your email choices"),
    "privacy": ("/staff/privacy", "Find a person’s information"),
}
# The pages a moderator spends their day in, which must fit a small screen. A comment that
# has been moderated has a history table; a new one does not.
NARROW_PAGES = [
    "dashboard",
    "queue",
    "pending-comment",
    "published-comment",
    "redacted-comment",
    "reported-comments",
]


# Records for the pages to show ----------------------------------------------------------------


def add_open_report(app: Flask, comment_id: int, reason: str = "abusive", details: str | None = None) -> None:
    with app.app_context():
        db.session.add(
            Report(
                comment_id=comment_id,
                reason=reason,
                details=details,
                reporter_key=f"browser-test-{comment_id}-{reason}".ljust(64, "x"),
                created_at=datetime.now(UTC) - timedelta(hours=2),
            )
        )
        db.session.commit()


def add_failed_email(app: Flask) -> None:
    with app.app_context():
        db.session.add(
            OutboxMessage(
                dedupe_key="browser-test-failed",
                kind="receipt",
                message_id="<browser-test-failed@example.gov.uk>",
                recipient="someone@example.com",
                subject="Your comment on co-production",
                text_body="Thank you.",
                html_body="<p>Thank you.</p>",
                status=OutboxStatus.FAILED,
                attempts=8,
                last_error="550 mailbox unavailable",
            )
        )
        db.session.commit()


@pytest.fixture
def staff_records(app: Flask) -> dict[str, str]:
    """An admin, a moderator, comments in each state a page shows, a report and a failed email."""
    make_staff(app, role="admin", email=ADMIN)
    moderator = make_staff(app, role="moderator", email="moderator@example.gov.uk")
    published = make_comment(
        app,
        text=f"The bus example is spot on. {LONG_WORD}",
        reaction="yes",
        name="Ada",
        email="ada@example.com",
    )
    pending = make_comment(
        app,
        text=f"یہ تعریف واضح ہے. Waiting for a moderator. {LONG_WORD}",
        state=CommentState.PENDING,
        section_slug="transformative",
        item_key="transformative-3",
        email="waiting@example.com",
    )
    redacted = make_comment(app, text="Ring me on 07700 900111.", state=CommentState.PENDING)
    make_comment(app, text="Buy cheap watches", state=CommentState.SPAM)
    make_comment(app, text="Nothing to do with it", state=CommentState.REJECTED, section_slug=None)
    reported = make_comment(app, text="Reported for being rude", reaction="no")
    add_open_report(app, id_of(app, reported), details=f"It is rude about my street. {LONG_WORD}")
    add_open_report(app, id_of(app, published), reason="spam")
    add_failed_email(app)
    records = {
        "published": published,
        "pending": pending,
        "redacted": redacted,
        "reported": reported,
    }
    ids = {name: str(id_of(app, reference)) for name, reference in records.items()}
    return {
        **ids,
        **{f"{name}_ref": reference for name, reference in records.items()},
        "moderator": str(moderator),
    }


def signed_in_admin(new_page, live_server: str, app: Flask, javascript: bool = True, **size) -> Page:
    page = new_page(javascript=javascript, **size)
    sign_in(page, live_server, ADMIN)
    expect_dashboard(page, ADMIN)
    return page


def redact_one(page: Page, live_server: str, records: dict[str, str]) -> None:
    """Publish the 'redacted' comment with a redaction, so its page shows both texts."""
    page.goto(live_server + "/staff/comments/{redacted}".format(**records))
    page.get_by_label("Text the public will see").fill("Ring me on [number removed].")
    page.get_by_role("button", name="Publish with this redaction").click()
    expect(page.locator("#public-text")).to_have_text("Ring me on [number removed].")


# The outermost elements that reach past the right of the screen: what makes a page scroll.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const classes = (e) => typeof e.className === "string" && e.className.trim()
    ? "." + e.className.trim().split(/\\s+/).join(".") : "";
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + classes(e);
  const out = [...document.body.querySelectorAll("*")].filter(
    (e) => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length);
  return out.filter((e) => !out.includes(e.parentElement)).map(
    (e) => `${describe(e)} (${Math.round(e.getBoundingClientRect().width)}px wide)`);
}"""


def sticking_out(page: Page) -> list[str]:
    return page.evaluate(STICKING_OUT)


def open_staff_page(page: Page, live_server: str, name: str, records: dict[str, str]) -> None:
    path, heading = STAFF_PAGES[name]
    if name == "redacted-comment":
        redact_one(page, live_server, records)
    response = page.goto(live_server + path.format(**records))
    assert response.status == 200, path
    expect(page.locator("h1")).to_have_text(heading.format(**records))


# Every staff page -----------------------------------------------------------------------------


@JAVASCRIPT
@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_every_staff_page_has_no_accessibility_problems(
    live_server, new_page, app, staff_records, name, javascript
):
    page = signed_in_admin(new_page, live_server, app, javascript=javascript)
    open_staff_page(page, live_server, name, staff_records)
    assert_accessible(page)


@pytest.mark.parametrize("name", NARROW_PAGES)
def test_the_moderators_pages_fit_a_small_screen_without_sideways_scrolling(
    live_server, new_page, app, staff_records, name
):
    page = signed_in_admin(new_page, live_server, app, width=320, height=640)
    open_staff_page(page, live_server, name, staff_records)
    try:
        assert_no_horizontal_scroll(page)
    except AssertionError as scrolls:
        raise AssertionError(f"{scrolls}, because of: {', '.join(sticking_out(page))}") from None
    assert_accessible(page)


def test_what_each_staff_page_shows_is_what_the_admin_expects(live_server, new_page, app, staff_records):
    """A spot check that the pages above were checked with their records on them, not empty."""
    page = signed_in_admin(new_page, live_server, app)
    main = page.locator("main")
    expect(main).to_contain_text("2 comments waiting for moderation")
    expect(main).to_contain_text("2 published comments reported")

    open_staff_page(page, live_server, "queue-filtered", staff_records)
    expect(page.locator("table.council-queue tbody tr")).to_have_count(1)
    expect(page.locator("table.council-queue")).to_contain_text(staff_records["published_ref"])

    open_staff_page(page, live_server, "queue-with-nothing-found", staff_records)
    expect(main).to_contain_text("No comments match these filters")

    open_staff_page(page, live_server, "queue-with-wrong-filters", staff_records)
    expect(main).to_contain_text("Correct the filters to see comments")
    expect(page.locator(".govuk-error-summary")).to_be_visible()

    open_staff_page(page, live_server, "pending-comment", staff_records)
    expect(page.locator("#comment-text")).to_contain_text("Waiting for a moderator")
    expect(main).to_contain_text("waiting@example.com")

    open_staff_page(page, live_server, "reported-comments", staff_records)
    expect(page.locator("main section")).to_have_count(2)

    open_staff_page(page, live_server, "outbox", staff_records)
    expect(main).to_contain_text("550 mailbox unavailable")

    open_staff_page(page, live_server, "audit-log", staff_records)
    expect(main).to_contain_text(ADMIN)


# Signing in -----------------------------------------------------------------------------------


@JAVASCRIPT
@pytest.mark.parametrize(
    ("path", "heading"),
    [("/staff/login", "Sign in"), ("/staff/forgot-password", "Reset your password")],
    ids=["sign-in", "forgot-password"],
)
def test_the_pages_for_signing_in_have_no_accessibility_problems(
    live_server, new_page, app, path, heading, javascript
):
    page = new_page(javascript=javascript)
    response = page.goto(live_server + path)
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)


@JAVASCRIPT
def test_a_wrong_password_is_explained_accessibly(live_server, new_page, app, javascript):
    make_staff(app, role="admin", email=ADMIN)
    page = new_page(javascript=javascript)
    sign_in(page, live_server, ADMIN, password="not the right password at all")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(page.locator("#password-error")).to_contain_text("Enter a correct email address and password")
    if javascript:
        expect(summary).to_be_focused()
    assert_accessible(page)


@JAVASCRIPT
def test_asking_for_a_password_reset_has_no_accessibility_problems(live_server, new_page, app, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server + "/staff/forgot-password")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email address").fill("nobody@example.gov.uk")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)


# The staff forms with errors ------------------------------------------------------------------


@JAVASCRIPT
def test_the_new_account_form_explains_its_errors_accessibly(
    live_server, new_page, app, staff_records, javascript
):
    page = signed_in_admin(new_page, live_server, app, javascript=javascript)
    page.goto(live_server + "/staff/users/new")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Add account").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.locator("li")).to_have_count(2)
    expect(page.locator(".govuk-error-message")).to_have_count(2)
    assert_accessible(page)

    # Then a success: the one-time link page.
    page.get_by_label("Email address").fill("new.person@example.gov.uk")
    page.get_by_role("radio", name="Analyst").check()
    page.get_by_role("button", name="Add account").click()
    expect(page.locator("h1")).to_have_text("Link to set a password")
    expect(page.locator("#password-link")).to_contain_text("/staff/set-password/")
    assert_accessible(page)


@JAVASCRIPT
def test_the_moderation_forms_explain_their_errors_accessibly(
    live_server, new_page, app, staff_records, javascript
):
    page = signed_in_admin(new_page, live_server, app, javascript=javascript)
    page.goto(live_server + "/staff/comments/{pending}".format(**staff_records))
    page.get_by_role("button", name="Reject", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select why you are rejecting this comment")
    assert_accessible(page)

    page.get_by_label("Text the public will see").fill("")
    page.get_by_role("button", name="Publish with this redaction").click()
    expect(summary).to_contain_text("Enter the text the public will see")
    assert_accessible(page)

    page.get_by_role("button", name="Add note").click()
    expect(summary).to_contain_text("Enter your note")
    assert_accessible(page)

    page.get_by_label("Add a theme").fill("transport")
    page.get_by_role("button", name="Add theme").click()
    expect(page.locator("#themes ~ ul")).to_contain_text("transport")
    page.get_by_label("Add a note for the team").fill("Checked with the transport team.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("main")).to_contain_text("Checked with the transport team.")
    assert_accessible(page)

    page.goto(live_server + "/staff/comments")
    page.get_by_role("button", name="Apply to the selected comments").click()
    expect(summary).to_contain_text("Select at least one comment")
    expect(summary).to_contain_text("Select what to do with the selected comments")
    assert_accessible(page)


@JAVASCRIPT
def test_the_account_forms_explain_their_errors_accessibly(
    live_server, new_page, app, staff_records, javascript
):
    page = signed_in_admin(new_page, live_server, app, javascript=javascript)
    page.goto(live_server + "/staff/account/password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server + "/staff/account/two-step")
    page.get_by_label("Code from your authenticator app").fill("000000x")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)

    page.goto(live_server + "/staff/users/{moderator}".format(**staff_records))
    page.get_by_role("button", name="Disable account").click()
    expect(page.locator("#current-status")).to_contain_text("Disabled")
    assert_accessible(page)
