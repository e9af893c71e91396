"""Exporting comments and reading the figures in a real browser, with JavaScript on and off.

Each test asks for `live_server` before `new_page`, so that its browser closes before the
server stops. axe checks every page state visited: the form, the form with errors, the
figures with the table of days opened.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from feedback_portal.services.export import OPEN_PROFILE
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.factories import STAFF_PASSWORD, make_comment, make_staff
from tests.helpers.browser import JAVASCRIPT

ANALYST = "analyst@example.gov.uk"


def today() -> str:
    """Today's date as the export names its file: read when asserting, so a run across midnight passes."""
    return datetime.now(UTC).date().isoformat()


OPEN_HEADER = [column.heading for column in OPEN_PROFILE.columns]


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(live_server + "/staff/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def read_download(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


@JAVASCRIPT
def test_an_analyst_downloads_open_data_for_one_section(app, live_server, new_page, javascript):
    make_comment(
        app, text="=1+1 makes sense to me", name="Sam Person", email="sam@example.com", reaction="yes"
    )
    make_comment(app, text="Still waiting", state="pending")
    make_comment(app, text="About the next level", section_slug="intermediate")
    make_staff(app, role="analyst", email=ANALYST)
    page = new_page(javascript=javascript)
    sign_in(page, live_server, ANALYST)
    page.get_by_role("link", name="Export").click()
    expect(page.locator("h1")).to_have_text("Export comments")
    expect(page).to_have_title(re.compile(r"^Export comments – "))
    assert_accessible(page)

    page.get_by_label("Section", exact=True).select_option("basic")
    page.get_by_label("Open data", exact=True).check()
    page.get_by_label("CSV file (.csv)", exact=True).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download file").click()
    download = download_info.value
    assert download.suggested_filename == f"feedback-open-{today()}.csv"
    rows = read_download(download.path())
    assert rows[0] == OPEN_HEADER
    assert [row[3] for row in rows[1:]] == ["online"]
    assert [row[4:8] for row in rows[1:]] == [["Basic – one way", "", "yes", "'=1+1 makes sense to me"]]
    # The page is still there to make another.
    expect(page.locator("h1")).to_have_text("Export comments")


@JAVASCRIPT
def test_the_export_form_with_mistakes_says_what_to_fix(app, live_server, new_page, javascript):
    make_staff(app, role="analyst", email=ANALYST)
    page = new_page(javascript=javascript)
    sign_in(page, live_server, ANALYST)
    page.goto(live_server + "/staff/export")
    page.get_by_label("Received from").fill("2026-03-01")
    page.get_by_label("Received to").fill("2026-02-01")
    page.get_by_role("button", name="Download file").click()

    expect(page).to_have_title(re.compile(r"^Error: Export comments – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "The ‘received to’ date must be the same as or after the ‘received from’ date"
    )
    expect(summary).to_contain_text("Select which file you need")
    expect(summary).to_contain_text("Select which format you need")
    if javascript:
        # GOV.UK's script moves focus to the summary, so a screen reader reads it first.
        expect(summary).to_be_focused()
    expect(page.get_by_label("Received from")).to_have_value("2026-03-01")
    assert_accessible(page)

    summary.get_by_role("link", name="Select which file you need").click()
    if javascript:
        expect(page.get_by_label("Internal", exact=True)).to_be_focused()
    page.get_by_label("Internal", exact=True).check()
    page.get_by_label("Excel workbook (.xlsx)", exact=True).check()
    page.get_by_label("Received to").fill("2026-03-31")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download file").click()
    assert download_info.value.suggested_filename == f"feedback-internal-{today()}.xlsx"


@JAVASCRIPT
def test_the_figures_page_shows_each_chart_with_its_numbers(app, live_server, new_page, javascript):
    for state, reaction in [("published", "yes"), ("published", "no"), ("pending", "partly"), ("spam", None)]:
        make_comment(app, state=state, reaction=reaction)
    make_comment(app, section_slug=None, state="hidden")
    make_staff(app, role="analyst", email=ANALYST)
    page = new_page(javascript=javascript)
    sign_in(page, live_server, ANALYST)
    page.get_by_role("link", name="Figures").click()
    expect(page.locator("h1")).to_have_text("Figures")
    charts = page.locator("figure svg[role=img]")
    expect(charts).to_have_count(9)
    expect(page.locator("#comments-by-section-title")).to_have_text("Comments per section, by state")
    basic = page.locator("#comments-by-section tbody tr").filter(has_text="Basic – one way")
    expect(basic.locator("td")).to_have_text(["1", "2", "0", "1", "0", "4"])
    assert_accessible(page)

    page.get_by_text("The number of comments on each day").click()
    expect(page.locator("#comments-per-day table")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name="Download this table (Comments per section, by state) as a CSV file"
        ).click()
    download = download_info.value
    assert download.suggested_filename == "comments-by-section.csv"
    rows = read_download(download.path())
    assert rows[0] == ["Section", "Pending", "Published", "Rejected", "Spam", "Hidden", "Total"]
    assert ["Basic – one way", "1", "2", "0", "1", "0", "4"] in rows
    assert rows[-1] == ["Total", "1", "2", "0", "1", "1", "5"]

    # On a phone the charts shrink and the wide tables scroll on their own, not the page.
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    page.goto(live_server + "/staff/export")
    assert_no_horizontal_scroll(page)
