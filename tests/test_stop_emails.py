"""Stop these emails: a visible link and one-click unsubscribe (RFC 8058) in every email to the public."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import ConsentRecord, OutboxMessage
from tests.factories import all_comments, comment_post, signed_in_client
from tests.pages import check_page, heading, text_of
from tests.staff.moderation_helpers import id_of, post_action
from tests.test_email import RESIDENT, SECTION, send_outbox

BASE = "https://feedback.example.gov.uk"


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port, "PUBLIC_BASE_URL": BASE}


def comment_wanting_updates(client, email: str = RESIDENT) -> str:
    data = comment_post(client, SECTION, comment="I think it is clear.", email=email, wants_updates="y")
    return client.post(SECTION, data=data).headers["Location"].rsplit("/", 1)[1]


def one_click_path(received) -> str:
    header = received.message["List-Unsubscribe"]
    match = re.fullmatch(rf"<{re.escape(BASE)}(/feedback/\S+/unsubscribe/\S+)>", header)
    assert match, header
    return match.group(1)


def visible_link_path(received) -> str:
    return re.search(rf"{re.escape(BASE)}(/feedback/\S+/stop-emails/\S+)", received.text).group(1)


def consents(app) -> list[ConsentRecord]:
    with app.app_context():
        found = list(db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))
        db.session.expunge_all()
        return found


def outbox_statuses(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (m.kind, m.status) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_the_receipt_carries_one_click_headers_and_a_visible_link(client, app, mail_server):
    comment_wanting_updates(client)
    send_outbox(app)
    [receipt] = mail_server.to(RESIDENT)
    assert receipt.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one_click_path(receipt).startswith("/feedback/CP-")
    assert "Stop these emails about your feedback:" in receipt.text
    assert visible_link_path(receipt)
    assert re.search(
        r'<a href="https://feedback\.example\.gov\.uk/feedback/\S+/stop-emails/\S+"[^>]*>'
        r"Stop these emails</a>",
        receipt.html,
    )


def test_one_post_without_a_session_or_form_token_stops_the_emails(client, app, mail_server):
    comment_wanting_updates(client)
    comment_wanting_updates(client)  # a second comment from the same address
    send_outbox(app)
    first_receipt = mail_server.to(RESIDENT)[0]
    mail_client = app.test_client()  # no cookies, no CSRF token: as a mail program sends it
    response = mail_client.post(one_click_path(first_receipt), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You will not get any more emails about your feedback" in text_of(check_page(response))
    assert all(consent.withdrawn_at is not None for consent in consents(app))
    assert [comment.wants_updates for comment in all_comments(app)] == [False, False]
    # Doing it again is harmless: mail programs may retry.
    assert mail_client.post(one_click_path(first_receipt)).status_code == 200


def test_a_decision_queued_before_stopping_is_not_sent(client, app, runner, mail_server):
    reference = comment_wanting_updates(client)
    send_outbox(app)
    [receipt] = mail_server.to(RESIDENT)
    post_action(signed_in_client(app, role="moderator"), id_of(app, reference), "publish")
    assert outbox_statuses(app)[-1] == ("decision", "pending")
    app.test_client().post(one_click_path(receipt))
    result = runner.invoke(args=["outbox", "send"])
    assert "Sent 0;" in result.output
    assert "1 not sent because the person stopped these emails" in result.output
    assert mail_server.to(RESIDENT) == [receipt]
    assert outbox_statuses(app) == [("receipt", "sent"), ("decision", "cancelled")]


def test_emails_queued_after_someone_comments_again_are_sent(client, app, mail_server):
    comment_wanting_updates(client)
    send_outbox(app)
    app.test_client().post(one_click_path(mail_server.to(RESIDENT)[0]))
    comment_wanting_updates(client)  # they changed their mind, and asked again
    assert send_outbox(app).sent == 1


def test_the_visible_link_asks_first_then_stops_the_emails(client, app, mail_server):
    comment_wanting_updates(client)
    send_outbox(app)
    path = visible_link_path(mail_server.to(RESIDENT)[0])
    visitor = app.test_client()
    page = check_page(visitor.get(path))
    assert heading(page) == "Stop emails about your feedback"
    assert consents(app)[0].withdrawn_at is None  # opening the page changes nothing
    token = page.select_one("input[name=csrf_token]")["value"]
    check_page(visitor.post(path, data={"csrf_token": token}))
    assert consents(app)[0].withdrawn_at is not None
    again = check_page(visitor.get(path), status=410)
    assert heading(again) == "You have already stopped these emails"


def test_the_visible_page_refuses_a_post_without_its_form_token(client, app, mail_server):
    comment_wanting_updates(client)
    send_outbox(app)
    path = visible_link_path(mail_server.to(RESIDENT)[0])
    check_page(app.test_client().post(path), status=400)
    assert consents(app)[0].withdrawn_at is None


def test_a_tampered_or_expired_link_does_nothing_and_says_so(client, app, mail_server):
    comment_wanting_updates(client)
    send_outbox(app)
    receipt = mail_server.to(RESIDENT)[0]
    one_click = one_click_path(receipt)
    for path in (one_click[:-3] + "abc", visible_link_path(receipt)[:-3] + "abc"):
        method = app.test_client().post if path == one_click[:-3] + "abc" else app.test_client().get
        refused = check_page(method(path), status=404)
        assert heading(refused) == "This link does not work"
    withdraw_token = re.search(r"/withdraw/(\S+)", receipt.text).group(1)
    swapped = one_click.rsplit("/", 1)[0] + "/" + withdraw_token  # another link's token
    check_page(app.test_client().post(swapped), status=404)
    app.config["EMAIL_LINK_LIFETIME_DAYS"] = -1
    check_page(app.test_client().post(one_click), status=404)
    assert consents(app)[0].withdrawn_at is None
    assert all_comments(app)[0].wants_updates is True
