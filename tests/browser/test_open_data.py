"""Open data, in a browser: from the footer to the page about the data, its columns and the files."""

from __future__ import annotations

import csv
import json
import re

from playwright.sync_api import expect

from feedback_portal.services.export import OPEN_PROFILE
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.factories import make_comment
from tests.helpers.browser import JAVASCRIPT

HEADINGS = [column.heading for column in OPEN_PROFILE.columns]


@JAVASCRIPT
def test_someone_finds_the_open_data_and_downloads_the_published_comments(
    live_server, new_page, app, javascript
):
    reference = make_comment(app, text="=1+1 makes sense to me", name="Sam Person", email="sam@example.com")
    make_comment(app, text="Still waiting", state="pending")
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    page.locator("footer").get_by_role("link", name="Open data").click()

    expect(page.locator("h1")).to_have_text("Open data")
    expect(page).to_have_title(re.compile(r"^Open data – "))
    columns = page.locator("table#columns")
    expect(columns.locator("caption")).to_have_text("Columns")
    expect(columns.locator("tbody th")).to_have_text(HEADINGS)
    expect(page.get_by_role("link", name="Open Government Licence v3.0")).to_have_attribute(
        "href", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Published comments as a CSV file").click()
    download = download_info.value
    assert re.fullmatch(r"feedback-open-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == HEADINGS
    assert [(row[0], row[7]) for row in rows[1:]] == [(reference, "'=1+1 makes sense to me")]

    json_link = page.get_by_role("link", name="Published comments as JSON").get_attribute("href")
    answer = page.request.get(live_server + json_link)
    assert answer.ok and answer.headers["content-type"] == "application/json"
    body = json.loads(answer.body())
    assert [row["reference"] for row in body["data"]] == [reference]
    assert body["links"] == {"next": None}
    assert "Sam Person" not in answer.text() and "sam@example.com" not in answer.text()


def test_the_open_data_page_fits_a_narrow_screen(live_server, new_page):
    page = new_page(width=320)
    page.goto(live_server + "/open-data")
    expect(page.locator("h1")).to_have_text("Open data")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
