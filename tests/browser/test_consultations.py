"""Running a consultation in a browser, with JavaScript on and off: an admin extends the open
one, closes it early, then creates and schedules the next; after each step the public reads
what is true, and the comment form is there only while it is open. axe checks every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_journeys import ADMIN, expect_flash, signed_in_page
from tests.factories import make_staff
from tests.helpers.browser import JAVASCRIPT

SECTION = "/definition/basic"


def fill_date(page: Page, field: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{field}-day").fill(day)
    page.locator(f"#{field}-month").fill(month)
    page.locator(f"#{field}-year").fill(year)


def expect_public_reads(
    public: Page, live_server: str, sentence: str | re.Pattern, can_comment: bool
) -> None:
    for path in ("/", SECTION):
        public.goto(live_server + path)
        expect(public.locator(".council-consultation-notice").first).to_have_text(sentence)
    expect(public.locator("form textarea#comment")).to_have_count(1 if can_comment else 0)
    expect(public.get_by_role("button", name="Send comment")).to_have_count(1 if can_comment else 0)


@JAVASCRIPT
def test_an_admin_extends_closes_creates_and_schedules_and_the_public_reads_each_step(
    app, live_server, new_page, javascript
):
    make_staff(app, role="admin", email=ADMIN)
    admin = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    public = new_page(javascript=javascript)

    admin.get_by_role("link", name="Consultations").click()
    expect(admin.locator("h1")).to_have_text("Consultations")
    assert_accessible(admin)
    admin.locator("#consultations a").first.click()
    expect(admin.locator("#consultation-stage")).to_have_text("Open")
    assert_accessible(admin)

    # Extend it.
    fill_date(admin, "closes_on", "23", "2", "2099")
    admin.get_by_label("Closing time").fill("23:59")
    admin.get_by_role("button", name="Extend consultation").click()
    expect_flash(admin, "is extended")
    expect(admin.locator("#consultation-closes")).to_have_text("23:59 on 23 February 2099")
    expect_public_reads(public, live_server, "You can comment until 23:59 on 23 February 2099.", True)
    assert_accessible(public)

    # Close it early.
    admin.get_by_role("button", name="Close consultation now").click()
    expect_flash(admin, "is closed")
    expect(admin.locator("#consultation-stage")).to_have_text("Closed")
    expect(admin.get_by_role("button", name="Reopen consultation")).to_be_visible()
    assert_accessible(admin)
    expect_public_reads(
        public,
        live_server,
        re.compile(r"^This consultation closed on .+ at \d\d:\d\d; read what we did\.$"),
        False,
    )
    expect(public.get_by_role("link", name="read what we did").first).to_have_attribute(
        "href", "/you-said-we-did"
    )
    assert_accessible(public)

    # Create the next one: a mistake first, then as meant.
    admin.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Consultations").click()
    admin.get_by_role("link", name="Create a consultation").click()
    expect(admin.get_by_label("Closing time")).to_have_value("23:59")
    admin.get_by_label("Title").fill("Our definition, second round")
    fill_date(admin, "opens_on", "1", "3", "2099")
    fill_date(admin, "closes_on", "1", "2", "2099")
    admin.get_by_role("button", name="Create consultation").click()
    expect(admin).to_have_title(re.compile(r"^Error: "))
    expect(admin.locator(".govuk-error-summary")).to_contain_text(
        "The closing date must be after the opening date"
    )
    expect(admin.get_by_label("Title")).to_have_value("Our definition, second round")
    assert_accessible(admin)
    fill_date(admin, "closes_on", "23", "4", "2099")
    admin.get_by_role("button", name="Create consultation").click()
    expect_flash(admin, "is saved as a draft")
    expect(admin.locator("#consultation-stage")).to_have_text("Draft")
    assert_accessible(admin)

    # Schedule it, with the dates it was made with.
    admin.get_by_role("button", name="Schedule consultation").click()
    expect_flash(admin, "The public now reads: “This consultation opens on 1 March 2099 at 09:00”")
    expect(admin.locator("#consultation-stage")).to_have_text("Scheduled")
    expect_public_reads(public, live_server, "This consultation opens on 1 March 2099 at 09:00.", False)
    assert_accessible(public)
