"""Every id and date a staff member can put in an address or a form is range-checked.

An id past what the id columns hold gets the 404 page, and a date past what date arithmetic
holds gets the form's error message: never a 500, a 503, or an export cut off after its
header. Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing.converters import NumberConverter

from tests.factories import make_comment, signed_in_client
from tests.pages import check_page, text_of
from tests.staff.admin_helpers import csrf_token
from tests.staff.test_export import export_fields
from tests.test_database_locks import HeldLock

LARGEST_ID = 2**31 - 1  # what an INTEGER id column holds on PostgreSQL
TOO_LARGE_IDS = {"30 digits": "9" * 30, "2**31": str(LARGEST_ID + 1)}
OUT_OF_RANGE_MESSAGE = "must be between 2000-01-01 and 2100-12-31"
PLACEHOLDER = re.compile(r"<[^>]+>")


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return signed_in_client(app, role="admin")


def addresses_with_ids(app: Flask) -> list[tuple[str, str]]:
    """(rule, method) for every route and method whose address holds only numbers, such as ids."""
    found = []
    for rule in app.url_map.iter_rules():
        converters = rule._converters.values()
        if converters and all(isinstance(converter, NumberConverter) for converter in converters):
            found += [
                (rule.rule, method) for method in sorted(rule.methods or ()) if method in {"GET", "POST"}
            ]
    return found


@pytest.mark.parametrize("value", TOO_LARGE_IDS.values(), ids=TOO_LARGE_IDS.keys())
def test_an_id_too_large_for_the_database_in_any_address_gets_the_not_found_page(app, admin, value):
    token = csrf_token(admin)
    routes = addresses_with_ids(app)
    assert len(routes) >= 15, "the staff routes with ids were not found"
    statuses = {}
    for rule, method in routes:
        path = PLACEHOLDER.sub(value, rule)
        response = admin.get(path) if method == "GET" else admin.post(path, data={"csrf_token": token})
        statuses[f"{method} {rule}"] = response.status_code
    assert statuses == dict.fromkeys(statuses, 404)
    check_page(admin.get(f"/staff/comments/{value}"), status=404)


def test_a_bulk_selection_with_an_id_too_large_asks_to_select_again(app, admin):
    make_comment(app, state="pending")
    response = admin.post(
        "/staff/comments/bulk",
        data={
            "csrf_token": csrf_token(admin),
            "comments": [f"{LARGEST_ID + 1}:1"],
            "bulk_action": "publish",
            "return_to": "/staff/comments",
        },
    )
    soup = check_page(response)
    assert "Reload the queue and select the comments again" in text_of(
        soup.select_one(".govuk-error-summary")
    )


def test_a_page_link_with_an_id_too_large_shows_the_first_page(app, admin):
    reference = make_comment(app, state="pending")
    soup = check_page(admin.get(f"/staff/comments?after=0.{'9' * 18}"))
    assert reference in text_of(soup)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
@pytest.mark.parametrize("field", ["created_from", "created_to"])
def test_a_queue_date_out_of_range_gets_the_forms_error(app, admin, field, day):
    make_comment(app, state="pending")
    soup = check_page(admin.get(f"/staff/comments?{field}={day}"))
    assert soup.title.get_text().startswith("Error: ")
    assert OUT_OF_RANGE_MESSAGE in text_of(soup.select_one(".govuk-error-summary"))


def test_the_last_dates_in_range_still_filter(app, admin):
    reference = make_comment(app, state="pending")
    soup = check_page(admin.get("/staff/comments?created_from=2000-01-01&created_to=2100-12-31"))
    assert reference in text_of(soup)


def test_an_export_with_a_date_out_of_range_gets_the_forms_error_and_no_file(app, admin):
    make_comment(app, state="published")
    response = admin.post(
        "/staff/export.csv", data=export_fields(admin, profile="internal", created_to="9999-12-31")
    )
    assert response.headers["Content-Type"].startswith("text/html")
    soup = check_page(response)
    assert OUT_OF_RANGE_MESSAGE in text_of(soup.select_one(".govuk-error-summary"))


def test_an_export_that_cannot_read_the_comments_gets_the_unavailable_page_not_a_cut_off_file(
    app, admin, test_database_url
):
    make_comment(app, state="published")
    data = export_fields(admin, profile="internal")
    lock = HeldLock(test_database_url)
    try:
        response = admin.post("/staff/export.csv", data=data)
    finally:
        lock.release()
    assert response.headers["Content-Type"].startswith("text/html")
    check_page(response, status=503)


def test_the_export_command_explains_a_date_out_of_range(app, runner):
    result = runner.invoke(args=["export", "csv", "--profile", "internal", "--to", "9999-12-31"])
    assert result.exit_code != 0
    assert "The ‘to’ date must be between 2000-01-01 and 2100-12-31" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_an_audit_log_date_out_of_range_gets_the_forms_error(app, admin, field):
    soup = check_page(admin.get(f"/staff/audit?{field}=9999-12-31"))
    assert OUT_OF_RANGE_MESSAGE in text_of(soup.select_one(".govuk-error-summary"))
