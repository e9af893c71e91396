"""The involvement pipeline in a browser, with JavaScript on and off: an offer made on
/get-involved, seen by an admin, marked contacted, exported, then withdrawn by the person."""

from __future__ import annotations

import csv
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_journeys import ADMIN, MODERATOR, expect_flash, signed_in_page
from tests.factories import make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.involvement import all_offers, make_offer

CONSENT_LABEL = re.compile(r"I agree that the Citizen Involvement Team can keep")


def make_an_offer(page: Page, live_server: str) -> str:
    """Fill in /get-involved as a person would; return the withdraw link from the done page."""
    page.goto(live_server + "/get-involved")
    page.get_by_label("Your name", exact=True).fill("Bilal Hussain")
    page.get_by_label("Email address", exact=True).fill("bilal@example.com")
    page.get_by_label("Phone number", exact=True).fill("0121 496 0000")
    page.get_by_label("Training staff", exact=True).check()
    page.get_by_label("Meetings online", exact=True).check()
    page.get_by_label("Do you have any access needs? (optional)").fill("A hearing loop")
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(re.compile(r"/get-involved/done$"))
    link = page.locator("a[href*='/get-involved/withdraw/']").get_attribute("href")
    assert link
    return link


@JAVASCRIPT
def test_an_offer_is_seen_by_an_admin_marked_contacted_exported_and_withdrawn(
    app, live_server, new_page, javascript
):
    person = new_page(javascript=javascript)
    withdraw_link = make_an_offer(person, live_server)
    [offer] = all_offers(app)

    make_staff(app, role="admin", email=ADMIN)
    admin = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    admin.get_by_role("link", name="Get involved offers").click()
    expect(admin.locator("h1")).to_have_text("Offers to get involved")
    row = admin.locator(f"#offer-{offer.id}")
    expect(row).to_contain_text("Bilal Hussain")
    expect(row).to_contain_text("Training staff")
    expect(row).to_contain_text("New")
    assert_accessible(admin)

    admin.get_by_label("Received from").fill("2026-02-31")
    admin.get_by_role("button", name="Apply filters").click()
    expect(admin).to_have_title(re.compile(r"^Error: "))
    assert_accessible(admin)
    admin.get_by_label("Received from").fill("")
    admin.get_by_label("Way of taking part").select_option(label="Meetings online")
    admin.get_by_role("button", name="Apply filters").click()
    expect(admin.locator(f"#offer-{offer.id}")).to_be_visible()

    admin.get_by_role("link", name=f"Offer {offer.id}", exact=True).click()
    expect(admin.locator("#contact-details")).to_contain_text("bilal@example.com")
    expect(admin.locator("#contact-details")).to_contain_text("A hearing loop")
    expect(admin.locator("#consent")).to_contain_text("I agree that the Citizen Involvement Team")
    assert_accessible(admin)
    admin.get_by_label("Contacted", exact=True).check()
    admin.get_by_label("Who is following this up").select_option(label=ADMIN)
    admin.get_by_role("button", name="Save").click()
    expect_flash(admin, "The offer is updated.")
    expect(admin.locator(".govuk-caption-l")).to_have_text("Contacted")
    admin.get_by_role("button", name="Add note").click()
    expect(admin).to_have_title(re.compile(r"^Error: "))
    assert_accessible(admin)
    admin.get_by_label("Add a note for the team").fill("Emailed about the March training day.")
    admin.get_by_role("button", name="Add note").click()
    expect_flash(admin, "Your note is added.")

    admin.get_by_role("link", name="Back to the offers").click()
    admin.get_by_label("CSV file (.csv)", exact=True).check()
    with admin.expect_download() as download_info:
        admin.get_by_role("button", name="Download the offers").click()
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as file:
        header, row_values = list(csv.reader(file))
    values = dict(zip(header, row_values, strict=True))
    assert (values["Name"], values["Status"], values["Following up"]) == ("Bilal Hussain", "Contacted", ADMIN)

    person.goto(withdraw_link)
    person.get_by_role("button", name="Withdraw consent and delete my details").click()
    expect(person.locator(".govuk-panel")).to_contain_text("Your details have been deleted")

    admin.goto(live_server + "/staff/involvement")
    expect(admin.locator(f"#offer-{offer.id}")).to_have_count(0)
    expect(admin.locator("main")).to_contain_text("No offers match these filters")
    admin.goto(live_server + f"/staff/involvement/{offer.id}")
    expect(admin.locator("h1")).not_to_have_text(f"Offer {offer.id}")
    [offer] = all_offers(app)
    assert (offer.status, offer.name, offer.email, offer.access_needs) == ("withdrawn", None, None, None)


@JAVASCRIPT
def test_a_moderator_sees_offers_without_contact_details_and_an_admin_manages_the_choices(
    app, live_server, new_page, javascript
):
    offer_id, _token = make_offer(app)
    make_staff(app, role="moderator", email=MODERATOR)
    moderator = signed_in_page(new_page, live_server, MODERATOR, javascript=javascript)
    moderator.goto(live_server + "/staff/involvement")
    expect(moderator.locator(f"#offer-{offer_id}")).to_contain_text("Training staff")
    expect(moderator.locator("main")).not_to_contain_text("Priya Shah")
    assert_accessible(moderator)
    moderator.get_by_role("link", name=f"Offer {offer_id}", exact=True).click()
    expect(moderator.locator("#contact-details")).to_contain_text("Only admins and analysts can see")
    expect(moderator.locator("main")).not_to_contain_text("priya@example.com")
    assert_accessible(moderator)

    make_staff(app, role="admin", email=ADMIN)
    admin = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    admin.get_by_role("link", name="Get involved form").click()
    expect(admin.locator("h1")).to_have_text("What the get involved form offers")
    assert_accessible(admin)
    admin.get_by_label("Add a way of taking part").fill("Workshops at the library")
    admin.locator("#way ~ form").get_by_role("button", name="Add").click()
    expect_flash(admin, "‘Workshops at the library’ is added to the form.")
    admin.get_by_role("button", name="Hide Meetings in person").click()
    expect_flash(admin, "‘Meetings in person’ is hidden from the form.")
    admin.get_by_role("button", name="Add").first.click()
    expect(admin).to_have_title(re.compile(r"^Error: "))
    assert_accessible(admin)
    admin.get_by_role("link", name="Change the words of Surveys and questionnaires").click()
    expect(admin.locator("h1")).to_have_text("Change the words of a way of taking part")
    admin.get_by_label("Words the form shows").fill("")
    admin.get_by_role("button", name="Save").click()
    expect(admin).to_have_title(re.compile(r"^Error: "))
    assert_accessible(admin)
    admin.get_by_label("Words the form shows").fill("Surveys on paper or online")
    admin.get_by_role("button", name="Save").click()
    expect_flash(admin, "The choice is now ‘Surveys on paper or online’")

    admin.goto(live_server + "/get-involved")
    expect(admin.get_by_label("Workshops at the library", exact=True)).to_be_visible()
    expect(admin.get_by_label("Meetings in person", exact=True)).to_have_count(0)
    expect(admin.get_by_label("Surveys on paper or online", exact=True)).to_be_visible()
