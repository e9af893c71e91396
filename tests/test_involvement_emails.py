"""Emails about offers to get involved: the person's receipt, over real SMTP, and the staff digest.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from feedback_portal.extensions import db
from feedback_portal.models import StaffUser
from tests.factories import comment_post, make_staff
from tests.helpers.involvement import all_offers, make_offer
from tests.pages import check_page, heading, parse

LINK = re.compile(r"https?://\S+/get-involved/withdraw/[A-Za-z0-9_-]+")


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port}


def send_outbox(runner) -> None:
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output


def local(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_an_offer_gets_a_receipt_with_what_happens_next_and_a_withdraw_link_that_works(
    app, client, runner, mail_server
):
    make_offer(app, email="priya@example.com")
    send_outbox(runner)
    [receipt] = mail_server.to("priya@example.com")
    assert receipt.subject == "Thank you for offering to get involved"
    assert (
        "WHAT HAPPENS NEXT" in receipt.text and "Someone from the team will read your offer" in receipt.text
    )
    [link] = LINK.findall(receipt.text)
    assert link in receipt.html
    assert "List-Unsubscribe" not in receipt.message  # the only email: withdrawing is how to stop it

    confirm = check_page(client.get(local(link)))
    assert heading(confirm) == "Withdraw your consent"
    data = {field["name"]: field.get("value", "") for field in confirm.select("form input[type=hidden]")}
    assert heading(check_page(client.post(local(link), data=data))) == "Your details have been deleted"
    [offer] = all_offers(app)
    assert offer.status == "withdrawn" and offer.email is None


def test_an_offer_without_an_email_address_sends_nothing(app, runner, mail_server):
    make_offer(app, email=None)
    send_outbox(runner)
    assert mail_server.received == []


def test_ticking_the_box_on_the_comment_form_sends_the_offers_receipt_too(app, client, runner, mail_server):
    section = "/definition/basic"
    data = comment_post(client, section, comment="Happy to help.", email="sam@example.com")
    data["wants_involvement"] = "y"
    client.post(section, data=data)
    send_outbox(runner)
    subjects = sorted(item.subject for item in mail_server.to("sam@example.com"))
    assert subjects[0] == "Thank you for offering to get involved"
    assert subjects[1].startswith("We have your comment CP-")
    receipt = next(item for item in mail_server.to("sam@example.com") if "offering" in item.subject)
    assert "when you sent us your comment" in receipt.text
    [link] = LINK.findall(receipt.text)
    assert parse(client.get(local(link))).select_one("form") is not None


def test_the_staff_digest_counts_new_offers_and_links_to_them_without_names(app, runner, mail_server):
    staff_id = make_staff(app, role="moderator", email="mod@example.gov.uk")
    with app.app_context():
        db.session.get(StaffUser, staff_id).created_at = datetime.now(UTC) - timedelta(days=30)
        db.session.commit()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    make_offer(app, name="Private Person", email="private@example.com", created_at=yesterday)
    make_offer(app, name="Another Person", email="another@example.com", created_at=yesterday)
    mail_server.received.clear()
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    send_outbox(runner)
    [digest] = mail_server.to("mod@example.gov.uk")
    assert "OFFERS TO GET INVOLVED (2)" in digest.text
    assert "2 new offers to work with the team." in digest.text
    assert re.search(
        r"/staff/involvement\?received_from=\d{4}-\d{2}-\d{2}&received_to=\d{4}-\d{2}-\d{2}", digest.text
    )
    assert "Offers to get involved (2)" in digest.html
    for private in ("Private Person", "private@example.com", "Another Person"):
        assert private not in digest.text and private not in digest.html


def test_offers_alone_are_news_enough_for_a_digest(app, runner, mail_server):
    staff_id = make_staff(app, role="analyst", email="analyst@example.gov.uk")
    with app.app_context():
        person = db.session.get(StaffUser, staff_id)
        person.created_at = datetime.now(UTC) - timedelta(days=30)
        person.digest_frequency = "daily"
        db.session.commit()
    make_offer(app, created_at=datetime.now(UTC) - timedelta(days=1))
    mail_server.received.clear()
    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    send_outbox(runner)
    [digest] = mail_server.to("analyst@example.gov.uk")
    assert "1 new offer to work with the team." in digest.text


def test_the_done_page_says_a_receipt_is_coming_only_when_one_is(app, client, runner, mail_server):
    for email, expected in (("priya@example.com", True), ("", False)):
        data = comment_post(client, "/get-involved")
        data.update(name="Priya Shah", email=email, phone="0121 496 0000", interests="training", consent="y")
        assert client.post("/get-involved", data=data).status_code == 302
        done = check_page(client.get("/get-involved/done"))
        assert ("We are also emailing you a receipt" in done.get_text()) is expected
    send_outbox(runner)
    assert [item.subject for item in mail_server.received] == ["Thank you for offering to get involved"]
