"""The staff journeys in a real browser, with JavaScript on and off, each page checked by axe.

Signing in with and without two-step; working through the queue and publishing a comment
that a member of the public then sees; rejecting one so it is nowhere public; publishing
with a redaction so that only the redacted text is public; two moderators acting on the same
comment at once; the queue by keyboard alone; bulk publishing; and the idle-session warning.

Each test asks for `live_server` before `new_page`, so that its browsers close before the
server stops (see test_feedback_journeys.py).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
from flask import Flask
from playwright.sync_api import Page, expect

from feedback_portal.models import CommentState
from tests.browser.conftest import assert_accessible
from tests.factories import STAFF_PASSWORD, make_comment, make_staff
from tests.helpers.browser import JAVASCRIPT, tab_until
from tests.staff.moderation_helpers import comment_by_reference, id_of, set_created_at

ADMIN = "admin@example.gov.uk"
MODERATOR = "moderator@example.gov.uk"
SECOND_MODERATOR = "second.moderator@example.gov.uk"

OLDER_TEXT = "The bus timetable meetings were the first time anyone asked us."
NEWER_TEXT = "I would add something about paying people for their time."


# Helpers --------------------------------------------------------------------------------------


def sign_in(page: Page, live_server: str, email: str, password: str = STAFF_PASSWORD) -> None:
    """Sign in through the real sign-in page, as a person would."""
    page.goto(live_server + "/staff/login")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def expect_dashboard(page: Page, email: str) -> None:
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator(".council-staff-bar")).to_contain_text(f"Signed in as {email}")


def signed_in_page(new_page, live_server: str, email: str, javascript: bool = True, **size) -> Page:
    page = new_page(javascript=javascript, **size)
    sign_in(page, live_server, email)
    expect_dashboard(page, email)
    return page


def expect_flash(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def comment_path(app: Flask, reference: str) -> str:
    return f"/staff/comments/{id_of(app, reference)}"


def two_pending_comments(app: Flask) -> tuple[str, str]:
    """Two comments waiting for moderation on the 'basic' section: (older, newer)."""
    older = make_comment(app, text=OLDER_TEXT, state=CommentState.PENDING, reaction="partly")
    newer = make_comment(app, text=NEWER_TEXT, state=CommentState.PENDING)
    set_created_at(app, older, datetime.now(UTC) - timedelta(hours=3))
    set_created_at(app, newer, datetime.now(UTC) - timedelta(hours=1))
    return older, newer


def queue_link(page: Page, reference: str):
    return page.locator("table.council-queue").get_by_role("link", name=reference, exact=True)


def public_page(new_page, live_server: str, path: str, javascript: bool = True) -> Page:
    """A page as a member of the public sees it: a browser of its own, never signed in."""
    page = new_page(javascript=javascript)
    response = page.goto(live_server + path)
    assert response.status == 200, path
    return page


# Signing in -----------------------------------------------------------------------------------


@JAVASCRIPT
def test_a_moderator_signs_in_with_their_email_and_password(live_server, new_page, app, javascript):
    make_staff(app, role="moderator", email=MODERATOR)
    page = new_page(javascript=javascript)
    sign_in(page, live_server, MODERATOR)
    expect_dashboard(page, MODERATOR)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    expect_flash(page, "You have signed out.")
    page.goto(live_server + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))


@JAVASCRIPT
def test_someone_turns_on_two_step_sign_in_and_then_needs_a_code_to_sign_in(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)

    page.get_by_role("link", name="Your account").click()
    expect(page.locator("h1")).to_have_text("Your account")
    page.get_by_role("link", name="Set up two-step sign-in").click()
    expect(page).to_have_url(re.compile(r"/staff/account/two-step$"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page).to_have_url(re.compile(r"/staff/account$"))
    expect_flash(page, "Two-step sign-in is on.")
    expect(page.locator(".govuk-summary-list")).to_contain_text("On.")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/staff/login$"))

    # The password alone is no longer enough: a code is asked for, and a wrong one refused.
    sign_in(page, live_server, MODERATOR)
    expect(page).to_have_url(re.compile(r"/staff/login/code$"))
    expect(page.locator("h1")).to_have_text("Enter your code")
    assert_accessible(page)
    page.goto(live_server + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))

    sign_in(page, live_server, MODERATOR)
    expect(page).to_have_url(re.compile(r"/staff/login/code$"))
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    page.get_by_label("Code from your authenticator app").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)

    # The next code the app will show (accepted a little early), so that a check that each
    # code is used only once does not refuse the one just used to turn two-step on.
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect_dashboard(page, MODERATOR)


# Publishing -----------------------------------------------------------------------------------


@JAVASCRIPT
def test_a_moderator_publishes_the_oldest_comment_and_the_public_then_see_it(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    older, newer = two_pending_comments(app)

    # Before: nothing on the public page.
    before = public_page(new_page, live_server, "/definition/basic", javascript)
    expect(before.locator("main")).not_to_contain_text(OLDER_TEXT)

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.get_by_role("link", name="Comments", exact=True).click()
    expect(page.locator("h1")).to_have_text("Pending comments")
    rows = page.locator("table.council-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(older)
    expect(rows.nth(1)).to_contain_text(newer)
    assert_accessible(page)

    queue_link(page, older).click()
    expect(page.locator("h1")).to_have_text(f"Comment {older}")
    expect(page.locator("#comment-text")).to_have_text(OLDER_TEXT)
    assert_accessible(page)
    page.get_by_role("button", name="Publish", exact=True).click()

    # On to the next comment of the queue, told what happened to the last one.
    expect(page.locator("h1")).to_have_text(f"Comment {newer}")
    expect_flash(page, f"Comment {older} is published.")
    assert_accessible(page)
    assert comment_by_reference(app, older).state == CommentState.PUBLISHED
    assert comment_by_reference(app, newer).state == CommentState.PENDING

    public = public_page(new_page, live_server, "/definition/basic", javascript)
    card = public.locator(f"#comment-{older}")
    expect(card).to_be_visible()
    expect(card).to_contain_text(OLDER_TEXT)
    expect(card).to_contain_text("Anonymous")
    expect(public.locator("main")).not_to_contain_text(NEWER_TEXT)
    assert_accessible(public)


@JAVASCRIPT
def test_a_rejected_comment_is_nowhere_on_the_public_site(live_server, new_page, app, javascript):
    make_staff(app, role="moderator", email=MODERATOR)
    reference = make_comment(app, text="Ring Dave on 07700 900456, he knows.", state=CommentState.PENDING)

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.goto(live_server + "/staff/comments")
    queue_link(page, reference).click()
    expect(page.locator("h1")).to_have_text(f"Comment {reference}")

    page.get_by_role("radio", name="It contains personal information").check()
    page.get_by_label("Note for the team (optional)").fill("Names a neighbour and his phone number.")
    page.get_by_role("button", name="Reject", exact=True).click()

    # The queue is now empty, so the moderator is back at it.
    expect(page).to_have_url(re.compile(r"/staff/comments$"))
    expect_flash(page, f"Comment {reference} is rejected.")
    expect(page.locator("main")).to_contain_text("No comments match these filters")
    assert_accessible(page)

    comment = comment_by_reference(app, reference)
    assert comment.state == CommentState.REJECTED
    assert comment.rejection_reason == "personal-information"
    assert comment.rejection_note == "Names a neighbour and his phone number."

    page.goto(live_server + comment_path(app, reference))
    expect(page.locator(".govuk-summary-list")).to_contain_text("Reason: It contains personal information")

    for path in ("/definition/basic", "/definition", "/"):
        public = public_page(new_page, live_server, path, javascript)
        expect(public.locator("body")).not_to_contain_text("07700 900456")
        assert reference not in public.content()
    public = new_page(javascript=javascript)
    assert public.goto(f"{live_server}/feedback/{reference}/report").status == 404


@JAVASCRIPT
def test_only_the_redacted_text_of_a_comment_reaches_the_public(live_server, new_page, app, javascript):
    make_staff(app, role="moderator", email=MODERATOR)
    original = "Useful, but call me on 07700 900123 to talk about the examples."
    redacted = "Useful, but call me on [phone number removed] to talk about the examples."
    reference = make_comment(app, text=original, state=CommentState.PENDING, name="Sam")

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.goto(live_server + "/staff/comments")
    queue_link(page, reference).click()
    text_box = page.get_by_label("Text the public will see")
    expect(text_box).to_have_value(original)
    text_box.fill(redacted)
    page.get_by_role("button", name="Publish with this redaction").click()
    expect_flash(page, f"Comment {reference} is published with your redaction.")

    comment = comment_by_reference(app, reference)
    assert comment.state == CommentState.PUBLISHED
    assert comment.body == original
    assert comment.public_body == redacted

    # Staff see both, each labelled.
    page.goto(live_server + comment_path(app, reference))
    expect(page.locator("#comment-text")).to_have_text(original)
    expect(page.locator("#public-text")).to_have_text(redacted)
    expect(page.get_by_role("heading", name="What the public sees Redacted")).to_be_visible()
    assert_accessible(page)

    public = public_page(new_page, live_server, "/definition/basic", javascript)
    card = public.locator(f"#comment-{reference}")
    expect(card).to_contain_text(redacted)
    expect(card).to_contain_text("Sam")
    assert "07700 900123" not in public.content()
    assert_accessible(public)


# Two moderators at once -----------------------------------------------------------------------


@JAVASCRIPT
def test_the_second_of_two_moderators_on_one_comment_is_told_and_nothing_is_overwritten(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    make_staff(app, role="moderator", email=SECOND_MODERATOR)
    reference = make_comment(app, text=OLDER_TEXT, state=CommentState.PENDING)
    path = comment_path(app, reference)

    first = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    second = signed_in_page(new_page, live_server, SECOND_MODERATOR, javascript=javascript)
    first.goto(live_server + path)
    second.goto(live_server + path)
    expect(second.locator("h1")).to_have_text(f"Comment {reference}")

    first.get_by_role("button", name="Publish", exact=True).click()
    expect_flash(first, f"Comment {reference} is published.")

    # The second moderator's page is out of date: their rejection is refused, and said why.
    second.get_by_role("radio", name="It is not about the document").check()
    second.get_by_label("Note for the team (optional)").fill("Nothing to do with co-production.")
    second.get_by_role("button", name="Reject", exact=True).click()
    expect(second.locator("h1")).to_have_text("This comment has changed since you opened it")
    main = second.locator("main")
    expect(main).to_contain_text(f"{MODERATOR} changed comment {reference}")
    expect(main).to_contain_text("It is now published")
    expect(main).to_contain_text("Nothing you sent has been saved")
    expect(second.get_by_label("What you typed, to copy if you still need it")).to_have_value(
        "Nothing to do with co-production."
    )
    assert_accessible(second)

    comment = comment_by_reference(app, reference)
    assert comment.state == CommentState.PUBLISHED
    assert comment.rejection_reason is None
    assert comment.rejection_note is None

    second.get_by_role("link", name="See the comment as it is now").click()
    expect(second.locator("h1")).to_have_text(f"Comment {reference}")
    expect(second.locator(".govuk-summary-list")).to_contain_text(f"by {MODERATOR}")
    expect(second.get_by_role("button", name="Hide")).to_be_visible()


# The keyboard alone, and without JavaScript ---------------------------------------------------


def test_the_queue_can_be_worked_through_with_the_keyboard_alone(live_server, new_page, app):
    make_staff(app, role="moderator", email=MODERATOR)
    older, newer = two_pending_comments(app)
    page = new_page()
    page.goto(live_server + "/staff/login")
    tab_until(page, "input[name=email]")
    page.keyboard.type(MODERATOR)
    tab_until(page, "input[name=password]")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    expect_dashboard(page, MODERATOR)

    tab_until(page, "a[href='/staff/comments']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Pending comments")

    tab_until(page, f"a[href^='/staff/comments/{id_of(app, older)}?']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(f"Comment {older}")

    tab_until(page, "form[action$='/publish'] button")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(f"Comment {newer}")
    expect_flash(page, f"Comment {older} is published.")

    # The next one is marked as spam, the same way: then the queue is empty.
    tab_until(page, "form[action$='/spam'] button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/comments$"))
    expect_flash(page, f"Comment {newer} is marked as spam.")
    assert comment_by_reference(app, older).state == CommentState.PUBLISHED
    assert comment_by_reference(app, newer).state == CommentState.SPAM


def test_the_queue_can_be_worked_through_without_javascript(live_server, new_page, app):
    make_staff(app, role="moderator", email=MODERATOR)
    older, newer = two_pending_comments(app)
    page = signed_in_page(new_page, live_server, MODERATOR, javascript=False)

    page.get_by_role("link", name="2 comments waiting for moderation").click()
    expect(page.locator("h1")).to_have_text("Pending comments")
    queue_link(page, older).click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"Comment {newer}")
    expect_flash(page, f"Comment {older} is published.")

    page.get_by_role("radio", name="It repeats another comment").check()
    page.get_by_role("button", name="Reject", exact=True).click()
    # Back to the queue they came from, now empty.
    expect(page).to_have_url(re.compile(r"/staff/comments\?state=pending$"))
    expect(page.locator("main")).to_contain_text("No comments match these filters")
    expect_flash(page, f"Comment {newer} is rejected.")
    assert_accessible(page)
    assert comment_by_reference(app, older).state == CommentState.PUBLISHED
    assert comment_by_reference(app, newer).state == CommentState.REJECTED


# Bulk actions ---------------------------------------------------------------------------------


@JAVASCRIPT
def test_a_moderator_publishes_two_ticked_comments_at_once_and_sees_what_happened_to_each(
    live_server, new_page, app, javascript
):
    make_staff(app, role="moderator", email=MODERATOR)
    older, newer = two_pending_comments(app)
    untouched = make_comment(app, text="Leave me for later.", state=CommentState.PENDING)

    page = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    page.goto(live_server + "/staff/comments")
    page.get_by_label(f"Select {older}").check()
    page.get_by_label(f"Select {newer}").check()
    page.get_by_role("group", name="What do you want to do with the selected comments?").get_by_label(
        "Publish"
    ).check()
    page.get_by_role("button", name="Apply to the selected comments").click()

    expect(page.locator("h1")).to_have_text("What happened to the selected comments")
    expect(page.locator("main")).to_contain_text("2 of 2 comments")
    table = page.locator("main table")
    expect(table.locator("tbody tr")).to_have_count(2)
    for reference in (older, newer):
        expect(table.get_by_role("row", name=re.compile(reference))).to_be_visible()
    assert_accessible(page)

    assert comment_by_reference(app, older).state == CommentState.PUBLISHED
    assert comment_by_reference(app, newer).state == CommentState.PUBLISHED
    assert comment_by_reference(app, untouched).state == CommentState.PENDING

    page.get_by_role("link", name="Back to the queue").click()
    rows = page.locator("table.council-queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(untouched)

    public = public_page(new_page, live_server, "/definition/basic", javascript)
    expect(public.locator("main")).to_contain_text(OLDER_TEXT)
    expect(public.locator("main")).to_contain_text(NEWER_TEXT)


# The idle-session warning ---------------------------------------------------------------------


def test_staff_are_told_about_the_idle_time_limit_and_warned_before_it_runs_out(live_server, new_page, app):
    make_staff(app, role="moderator", email=MODERATOR)
    page = new_page()
    # A fake clock, so that the 28 minutes before the warning pass at once.
    page.clock.install()
    sign_in(page, live_server, MODERATOR)
    expect_dashboard(page, MODERATOR)

    expect(page.locator(".council-staff-bar")).to_contain_text(
        "For your security we sign you out after 30 minutes without activity."
    )
    warning = page.locator("#council-timeout-warning")
    expect(warning).to_be_attached()
    expect(warning).to_be_hidden()

    page.clock.fast_forward("27:00")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:01")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out in 2 minutes")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page)

    with page.expect_response(re.compile(r"/staff/keep-alive$")) as kept:
        page.keyboard.press("Enter")
    assert kept.value.status == 204
    expect(warning).to_be_hidden()
