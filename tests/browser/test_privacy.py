"""An admin finds a person at /staff/privacy, downloads their file and erases them, JavaScript on and off.

The test asks for `live_server` before `new_page`, so that its browsers close before the
server stops (see test_feedback_journeys.py).
"""

from __future__ import annotations

import json
import logging
import re
import zipfile

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_journeys import expect_flash, signed_in_page
from tests.factories import make_staff
from tests.helpers.browser import JAVASCRIPT
from tests.helpers.people import ADDRESS, columns_holding, make_person

ADMIN = "admin@example.gov.uk"


@JAVASCRIPT
def test_a_person_found_at_staff_privacy_their_file_downloaded_and_their_data_erased(
    live_server, new_page, app, javascript, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    data = make_person(app, tmp_path / "mail")
    make_staff(app, role="admin", email=ADMIN)
    page = signed_in_page(new_page, live_server, ADMIN, javascript=javascript)
    page.get_by_role("link", name="Find a person").click()
    expect(page.locator("h1")).to_have_text("Find a person’s information")
    assert_accessible(page)

    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Find their information").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter one email address")
    expect(page.get_by_label("Email address")).to_have_value("not an address")
    assert_accessible(page)

    page.get_by_label("Email address").fill(ADDRESS)
    page.get_by_role("button", name="Find their information").click()
    expect(page.locator("#held-comments")).to_have_text("Comments (2)")
    expect(page.locator("#held-offers")).to_have_text("Offers to get involved (3)")
    for reference in data.references:
        expect(page.get_by_role("cell", name=reference, exact=True)).to_be_visible()
    assert ADDRESS not in page.url and ADDRESS.lower() not in page.url
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download their information").click()
    download = download_info.value
    assert download.suggested_filename == "subject-access.zip"
    with zipfile.ZipFile(download.path()) as archive:
        machine = json.loads(archive.read("your-information.json"))
        assert "Access needs: Step-free access" in archive.read("your-information.txt").decode()
    assert [comment["reference"] for comment in machine["comments"]] == data.references

    page.get_by_role("button", name="Erase their contact details").click()
    expect(page.locator("h1")).to_have_text("Erase this person’s contact details?")
    assert_accessible(page)
    page.get_by_role("button", name="Erase their contact details").click()
    expect_flash(page, "Their contact details are erased: 2 comments anonymised, 3 offers deleted")
    assert_accessible(page)
    with app.app_context():
        assert columns_holding(ADDRESS) == []

    page.get_by_label("Email address").fill(ADDRESS)
    page.get_by_role("button", name="Find their information").click()
    expect(page.locator("#nothing-held")).to_have_text("No information is held for that email address.")
    assert_accessible(page)
    # The server's request log saw every step, and never the address.
    assert "POST /staff/privacy/erase/confirm" in caplog.text
    assert ADDRESS.lower() not in caplog.text.lower()
