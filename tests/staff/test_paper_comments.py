"""Feedback that came on paper, by email, by phone or at an event, entered by staff for the person."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, Comment
from feedback_portal.uk_time import UK
from tests.factories import form_fields, make_comment, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.moderation_helpers import post_action
from tests.staff.test_export import as_dicts, post_export, read_csv
from tests.staff.test_figures import figure_csv, table

NEW = "/staff/comments/new"
CHANNELS = {"paper": "On paper", "email": "By email", "phone": "By phone", "event": "At an event"}


def uk_today() -> date:
    from datetime import datetime

    return datetime.now(UK).date()


def entry(client: FlaskClient, **fields: str) -> dict[str, str]:
    """What the form posts, filled in as a moderator would, with `fields` changed."""
    received = fields.pop("received", "14 3 2026").split(" ")
    data: dict = {
        **form_fields(client, NEW),
        "channel": "paper",
        "section": "basic",
        "item": "",
        "comment": "Written on the back of a leaflet: make it plainer.",
        "reaction": "partly",
        "name": "Ann Example",
        "email": "",
    }
    data.update(fields)
    data["received"] = received
    return data


def enter(client: FlaskClient, **fields: str):
    return client.post(NEW, data=entry(client, **fields))


def only_comment(app: Flask) -> Comment:
    with app.app_context():
        [comment] = db.session.scalars(select(Comment)).all()
        db.session.expunge_all()
        return comment


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    return signed_in_client(app, "moderator")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_moderator_enters_a_comment_that_came_each_way_and_it_waits_for_moderation(app, moderator, channel):
    response = enter(moderator, channel=channel, received="2 11 2026")
    assert response.status_code == 302
    page = check_page(moderator.get(response.headers["Location"]))
    assert "is added. It is waiting for moderation" in text_of(page)
    assert page.select_one("#comment-channel").get_text(strip=True) == CHANNELS[channel]
    assert page.select_one("#comment-received").get_text(strip=True) == "2 November 2026"
    assert "moderator@example.gov.uk" in page.select_one("#comment-entered").get_text()
    assert page.select_one("#comment-text").get_text() == "Written on the back of a leaflet: make it plainer."
    history = [" ".join(row.get_text(" ").split()) for row in page.select("#history + * tbody tr")]
    assert history[0] == f"2 November 2026 The person who wrote it Sent {CHANNELS[channel].lower()}"
    assert "moderator@example.gov.uk Entered for the person who sent it" in history[1]

    comment = only_comment(app)
    assert (comment.state, comment.channel, comment.received_at) == ("pending", channel, date(2026, 11, 2))
    assert comment.author_name == "Ann Example" and comment.reaction == "partly"
    assert comment.entered_by_id is not None
    with app.app_context():
        [audit] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "comment.enter_on_behalf")
        ).all()
        assert (audit.actor_id, audit.record_id) == (comment.entered_by_id, comment.id)
        assert audit.after == {"state": "pending", "channel": channel}
        assert "leaflet" not in str(audit.details) + str(audit.after)


def test_it_appears_in_the_pending_queue_and_can_be_published(app, moderator):
    response = enter(moderator)
    comment = only_comment(app)
    queue = parse(moderator.get("/staff/comments?state=pending"))
    assert comment.reference in text_of(queue)
    assert post_action(moderator, comment.id, "publish").status_code == 302
    assert only_comment(app).state == "published"
    assert response.status_code == 302


def test_the_target_can_be_a_practice_example_or_the_whole_document(app, moderator):
    enter(moderator, section="", item="basic/basic-2")
    comment = only_comment(app)
    with app.app_context():
        comment = db.session.get(Comment, comment.id)
        assert comment.practice_item.key == "basic-2" and comment.section.slug == "basic"
        db.session.delete(comment)
        db.session.commit()
    enter(moderator, section="", item="")
    comment = only_comment(app)
    assert comment.section_id is None and comment.practice_item_id is None


def test_the_same_form_sent_twice_makes_one_comment(app, moderator):
    data = entry(moderator)
    assert moderator.post(NEW, data=data).status_code == 302
    assert moderator.post(NEW, data=data).status_code == 302
    only_comment(app)


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"comment": ""}, "comment", "Enter their comment"),
        ({"comment": "x" * 5001}, "comment", "Their comment must be 5,000 characters or fewer"),
        ({"comment": "Bell\x07 here"}, "comment", "Their comment must not include control characters"),
        ({"channel": ""}, "channel", "Select how the comment reached us"),
        ({"channel": "online"}, "channel", "Not a valid choice"),
        ({"received": "  "}, "received", "Enter the date we received the comment"),
        ({"received": "31 2 2026"}, "received", "The date received must be a real date"),
        ({"received": "14  2026"}, "received", "must include a day, month and year"),
        ({"received": "31 12 1999"}, "received", "must be in or after the year 2000"),
        ({"section": "nowhere"}, "section", "Select a section from the list"),
        ({"item": "basic/nothing"}, "item", "Select a practice example from the list"),
        ({"email": "not-an-address"}, "email", "Enter an email address in the correct format"),
    ],
)
def test_bad_input_says_what_to_fix_and_keeps_what_was_typed(app, moderator, fields, field_id, message):
    typed = {"comment": "What they said, to keep.", **fields}
    page = check_page(enter(moderator, **typed))
    assert heading(page) == "Add a comment that came another way"
    assert page.title.get_text().startswith("Error: ")
    summary = page.select_one(".govuk-error-summary")
    assert message in summary.get_text()
    assert summary.select_one("a")["href"].startswith(f"#{field_id}")
    assert page.select_one("#comment").get_text() == typed["comment"].lstrip("\n")
    if "received" not in fields:
        assert [box["value"] for box in page.select("input[name=received]")] == ["14", "3", "2026"]
    assert page.select_one("#name")["value"] == "Ann Example"
    with app.app_context():
        assert db.session.scalars(select(Comment)).all() == []


def test_a_date_in_the_future_is_refused(app, moderator):
    tomorrow = uk_today() + timedelta(days=1)
    page = check_page(enter(moderator, received=f"{tomorrow.day} {tomorrow.month} {tomorrow.year}"))
    assert "The date received must be today or in the past" in page.select_one(".govuk-error-summary").text
    today = uk_today()
    assert enter(moderator, received=f"{today.day} {today.month} {today.year}").status_code == 302


def test_an_admin_may_enter_one_and_an_analyst_may_not(app):
    admin = signed_in_client(app, "admin")
    assert enter(admin).status_code == 302
    assert "Add a comment that came" in text_of(parse(admin.get("/staff/")))
    analyst = signed_in_client(app, "analyst")
    assert analyst.get(NEW).status_code == 403
    token = form_fields(admin, NEW)
    assert analyst.post(NEW, data={**token, "comment": "Sneaky"}).status_code in (400, 403)
    assert "Add a comment that came" not in text_of(parse(analyst.get("/staff/")))
    assert "Add a comment that came" not in text_of(parse(analyst.get("/staff/comments")))
    only_comment(app)


def test_the_queue_and_the_dashboard_link_to_the_form(app, moderator):
    for path in ("/staff/", "/staff/comments"):
        link = parse(moderator.get(path)).find("a", string=lambda text: text and "came on paper" in text)
        assert link is not None and link["href"] == NEW, path
    check_page(moderator.get(NEW))


def test_figures_and_exports_count_feedback_by_channel(app, moderator):
    make_comment(app, section_slug="basic", state="published")
    make_comment(app, section_slug="basic", state="spam")
    enter(moderator, channel="paper", received="14 3 2026")
    enter(moderator, channel="phone", received="15 3 2026", section="")
    analyst = signed_in_client(app, "analyst")

    columns, rows = table(parse(analyst.get("/staff/figures")), "comments-by-channel")
    assert columns[1:6] == ["Online", "On paper", "By email", "By phone", "At an event"]
    assert rows["Basic – one way"][:5] == [1, 1, 0, 0, 0]
    assert rows["The whole document"][:5] == [0, 0, 0, 1, 0]
    assert figure_csv(analyst, "comments-by-channel")[-1] == ["Total", "1", "1", "0", "1", "0", "3"]

    internal = as_dicts(read_csv(post_export(analyst, profile="internal")))
    assert sorted(
        (row["Channel"], row["Date received"]) for row in internal if row["Channel"] != "online"
    ) == [
        ("paper", "2026-03-14"),
        ("phone", "2026-03-15"),
    ]
    assert sorted(row["Channel"] for row in internal) == ["online", "online", "paper", "phone"]

    with app.app_context():
        paper = db.session.scalar(select(Comment).where(Comment.channel == "paper"))
        paper_id = paper.id
    post_action(moderator, paper_id, "publish")
    open_rows = as_dicts(read_csv(post_export(analyst, profile="open")))
    assert sorted((row["Channel"], row["Date received"][:4]) for row in open_rows)[1] == ("paper", "2026")
    assert {row["Channel"] for row in open_rows} == {"online", "paper"}
    assert [row["Date received"] for row in open_rows if row["Channel"] == "paper"] == ["2026-03-14"]
