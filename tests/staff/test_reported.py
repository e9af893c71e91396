"""The reported comments queue: what people reported, dismissing reports, hiding the comment.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedback_portal.extensions import db
from feedback_portal.models import Report
from tests.factories import make_comment, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.moderation_helpers import (
    comment_audit_entries,
    comment_by_id,
    csrf_token,
    form_with_action,
    hidden_values,
    id_of,
    reports_of,
)

EARLY = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def add_report(
    app, comment_id: int, reason: str, at: datetime, details: str | None = None, resolved: bool = False
):
    with app.app_context():
        db.session.add(
            Report(
                comment_id=comment_id,
                reason=reason,
                details=details,
                reporter_key=f"{comment_id}-{reason}-{at.isoformat()}".ljust(64, "x")[:64],
                created_at=at,
                resolved_at=at + timedelta(hours=1) if resolved else None,
            )
        )
        db.session.commit()


@pytest.fixture
def reported(app):
    """Two published comments with open reports, and comments that must not be listed."""
    later = id_of(app, make_comment(app, text="Reported later"))
    earlier = id_of(app, make_comment(app, text="Reported earlier"))
    dealt_with = id_of(app, make_comment(app, text="Reports dealt with"))
    hidden = id_of(app, make_comment(app, text="Already hidden", state="hidden"))
    add_report(app, later, "abusive", EARLY + timedelta(days=2), details="<script>alert('x')</script> rude")
    add_report(app, later, "spam", EARLY + timedelta(days=3))
    add_report(app, earlier, "personal-information", EARLY, details="It names my neighbour")
    add_report(app, dealt_with, "off-topic", EARLY, resolved=True)
    add_report(app, hidden, "abusive", EARLY)
    return {"later": later, "earlier": earlier, "dealt_with": dealt_with, "hidden": hidden}


def listed(soup) -> list[str]:
    return [text_of(h2) for h2 in soup.select("main section h2")]


def test_published_comments_with_open_reports_are_listed_oldest_report_first(app, moderator, reported):
    soup = check_page(moderator.get("/staff/comments/reported"))
    assert heading(soup) == "Reported comments"
    references = {key: comment_by_id(app, cid).reference for key, cid in reported.items()}
    assert listed(soup) == [f"Comment {references['earlier']}", f"Comment {references['later']}"]
    later = soup.select("main section")[1]
    assert "2 open reports" in text_of(later)
    assert "It is abusive or offensive" in text_of(later) and "It is spam or advertising" in text_of(later)
    details = later.select_one("li p[dir=auto]")
    assert details.get_text() == "<script>alert('x')</script> rude"
    assert "<script>alert('x')" not in moderator.get("/staff/comments/reported").get_data(as_text=True)
    assert "Reported later" in text_of(later)


def test_dismissing_reports_resolves_them_and_leaves_the_comment_up(app, client, moderator, reported):
    comment_id = reported["later"]
    soup = check_page(moderator.get("/staff/comments/reported"))
    form = form_with_action(soup, f"/staff/comments/{comment_id}/reports/dismiss")
    response = moderator.post(form["action"], data=hidden_values(form))
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/comments/reported"
    assert all(report.resolved_at is not None for report in reports_of(app, comment_id))
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision) == ("published", 1)
    [entry] = comment_audit_entries(app)
    assert (entry.action, entry.record_id, entry.details) == (
        "comment.reports_dismissed",
        comment_id,
        {"count": 2},
    )
    soup = check_page(moderator.get("/staff/comments/reported"))
    assert "2 reports dismissed" in text_of(soup.select_one(".govuk-notification-banner"))
    assert len(listed(soup)) == 1
    assert "Reported later" in client.get("/definition/basic").get_data(as_text=True)


def test_dismissing_when_there_is_nothing_open_records_nothing(app, moderator, reported):
    response = moderator.post(
        f"/staff/comments/{reported['dealt_with']}/reports/dismiss",
        data={"csrf_token": csrf_token(moderator)},
    )
    assert response.status_code == 302
    assert comment_audit_entries(app) == []


def test_hiding_a_reported_comment_hides_it_and_resolves_its_reports(app, client, moderator, reported):
    comment_id = reported["later"]
    soup = check_page(moderator.get("/staff/comments/reported"))
    form = form_with_action(soup, f"/staff/comments/{comment_id}/hide")
    assert hidden_values(form)["revision"] == "1"
    # The reason offered is what it was first reported for; the moderator may choose another.
    reason = form.select_one("select[name=hide_reason]")
    assert reason.select_one("option[selected]")["value"] == "abusive"
    assert text_of(reason.find_previous("label")).startswith("Why hide it?")
    data = {**hidden_values(form), "hide_reason": "personal-information"}
    response = moderator.post(form["action"], data=data)
    assert response.headers["Location"] == "/staff/comments/reported"
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision) == ("hidden", 2)
    assert all(report.resolved_at is not None for report in reports_of(app, comment_id))
    [entry] = comment_audit_entries(app)
    assert entry.action == "comment.hide"
    assert (entry.before, entry.after) == (
        {"state": "published", "revision": 1},
        {"state": "hidden", "revision": 2},
    )
    assert entry.details == {"reports_resolved": 2, "reason": "personal-information"}
    assert "Reported later" not in client.get("/definition/basic").get_data(as_text=True)
    assert len(listed(parse(moderator.get("/staff/comments/reported")))) == 1


def test_the_comment_page_lists_its_reports(app, moderator, reported):
    soup = check_page(moderator.get(f"/staff/comments/{reported['earlier']}"))
    reports = text_of(soup.select_one("#reports").find_next("ul"))
    assert "It contains someone’s personal information" in reports
    assert "It names my neighbour" in reports and "Open" in reports


def test_when_nothing_is_reported_the_page_says_so(app, moderator):
    make_comment(app)
    assert "No published comment has an open report." in text_of(
        check_page(moderator.get("/staff/comments/reported"))
    )


@pytest.mark.parametrize("role", ["admin", "moderator"])
def test_admins_and_moderators_can_use_the_reported_queue(app, role, reported):
    check_page(signed_in_client(app, role=role).get("/staff/comments/reported"))


def test_analysts_cannot_use_the_reported_queue(app, reported):
    analyst = signed_in_client(app, role="analyst")
    check_page(analyst.get("/staff/comments/reported"), status=403)
    response = analyst.post(
        f"/staff/comments/{reported['later']}/reports/dismiss", data={"csrf_token": csrf_token(analyst)}
    )
    assert response.status_code == 403
    assert all(report.resolved_at is None for report in reports_of(app, reported["later"]))
