"""Reporting a published comment: once per visitor, with a reason, stored for moderators."""

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Report
from tests.factories import make_comment
from tests.pages import check_page, heading, parse, text_of


def report_form(client, reference: str) -> dict[str, str]:
    soup = check_page(client.get(f"/feedback/{reference}/report"))
    return {field["name"]: field.get("value", "") for field in soup.select("form input[type=hidden]")}


def reports(app) -> list[Report]:
    with app.app_context():
        rows = db.session.scalars(select(Report).order_by(Report.id)).all()
        db.session.expunge_all()
        return rows


def test_a_visitor_reports_a_published_comment_with_a_reason(client, app):
    reference = make_comment(app, text="Something rude", name="Sam")
    soup = check_page(client.get(f"/definition/basic#comment-{reference}"))
    link = soup.select_one(f"#comment-{reference} a[href='/feedback/{reference}/report']")
    assert "Report this comment" in text_of(link)
    page = check_page(client.get(f"/feedback/{reference}/report"))
    assert heading(page) == "Report a comment"
    assert "Something rude" in text_of(page)
    response = client.post(
        f"/feedback/{reference}/report",
        data={**report_form(client, reference), "reason": "abusive", "details": "Name-calling"},
    )
    assert response.headers["Location"] == f"/definition/basic#comment-{reference}"
    banner = parse(client.get("/definition/basic")).select_one(".govuk-notification-banner")
    assert "We have received your report" in text_of(banner)
    [report] = reports(app)
    assert (report.reason, report.details, report.resolved_at) == ("abusive", "Name-calling", None)
    assert len(report.reporter_key) == 64


def test_a_visitor_can_report_a_comment_only_once(client, app):
    reference = make_comment(app)
    for _ in range(2):
        client.post(
            f"/feedback/{reference}/report", data={**report_form(client, reference), "reason": "spam"}
        )
    banner = parse(client.get("/definition/basic")).select_one(".govuk-notification-banner")
    assert "You have already reported this comment" in text_of(banner)
    assert len(reports(app)) == 1
    other_visitor = app.test_client()
    other_visitor.post(
        f"/feedback/{reference}/report", data={**report_form(other_visitor, reference), "reason": "spam"}
    )
    assert len(reports(app)) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Select why this comment should not be here"),
        ({"reason": "because"}, "Not a valid choice"),
        ({"reason": "other", "details": "x" * 1001}, "1,000 characters or fewer"),
        ({"reason": "other", "details": "bad\x00"}, "must not include control characters"),
    ],
)
def test_a_report_without_a_valid_reason_is_explained_and_not_stored(client, app, fields, message):
    reference = make_comment(app)
    response = client.post(f"/feedback/{reference}/report", data={**report_form(client, reference), **fields})
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    assert reports(app) == []


def test_only_published_comments_can_be_reported(client, app):
    published = make_comment(app)
    pending = make_comment(app, state="pending")
    data = {**report_form(client, published), "reason": "spam"}
    check_page(client.post(f"/feedback/{pending}/report", data=data), status=404)
    assert reports(app) == []
