"""The outbox keeps delivering: past a message it cannot send, and soon after a run that was killed."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_portal import email
from feedback_portal.extensions import db
from feedback_portal.models import OutboxMessage
from feedback_portal.services import outbox
from tests.conftest import make_app
from tests.factories import comment_post, make_staff, sign_in
from tests.pages import check_page, text_of

SECTION = "/definition/basic"


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port}


def queue_message(app, key: str, recipient: str, subject: str = "A note from the team") -> None:
    """A row as an older version of the portal, or a bug, could have left in the outbox."""
    with app.app_context():
        db.session.add(
            OutboxMessage(
                dedupe_key=key,
                kind="receipt",
                message_id=email.message_id_for(key),
                recipient=recipient,
                subject=subject,
                text_body="Thank you.",
                html_body="<p>Thank you.</p>",
            )
        )
        db.session.commit()


def comment_with_email(app, address: str):
    client = app.test_client()
    return client.post(SECTION, data=comment_post(client, SECTION, comment="Clear to me.", email=address))


def outbox_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


# One message that cannot be sent ----------------------------------------------------------


@pytest.mark.parametrize(
    ("recipient", "subject"),
    [
        ("jöhn@example.com", "A note from the team"),  # queued before the form refused it
        ("someone@example.com", "A note\nBcc: everyone@example.com"),  # any other fault in one message
    ],
)
def test_an_unsendable_message_first_in_the_queue_fails_alone_and_the_rest_arrive(
    app, runner, mail_server, recipient, subject
):
    queue_message(app, "broken", recipient, subject)
    others = ["first@example.com", "second@example.com"]
    for address in others:
        comment_with_email(app, address)

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert [len(mail_server.to(address)) for address in others] == [1, 1]
    broken, *receipts = outbox_rows(app)
    assert (broken.status, [row.status for row in receipts]) == ("failed", ["sent", "sent"])
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0  # and the next run is calm too
    make_staff(app, role="admin", email="admin@example.gov.uk")
    admin = app.test_client()
    sign_in(admin, "admin@example.gov.uk")
    soup = check_page(admin.get("/staff/outbox"))
    assert "Every email has been delivered" not in text_of(soup)
    [row] = soup.select("tbody tr")
    problem = text_of(row.select("td")[3])
    assert problem and recipient not in problem and recipient.split("@")[0] not in problem
    assert row.select_one("form[action$='/retry']") is not None


def test_a_non_english_address_is_refused_at_the_form_with_what_to_do(app, mail_server):
    response = comment_with_email(app, "jöhn@example.com")
    soup = check_page(response, status=200)
    assert "Enter an email address using only English letters" in text_of(
        soup.select_one(".govuk-error-summary")
    )
    assert outbox_rows(app) == []


def test_an_address_at_an_international_domain_gets_its_receipt(app, mail_server):
    comment_with_email(app, "someone@bücher.example")
    with app.app_context():
        assert outbox.send_due_messages().sent == 1
    [receipt] = mail_server.to("someone@xn--bcher-kva.example")
    assert "xn--bcher-kva.example" in receipt.to


# A run killed half way ----------------------------------------------------------------------


def test_a_claim_abandoned_by_a_killed_run_is_sent_about_a_minute_later(app, mail_server):
    comment_with_email(app, "resident@example.com")
    claimed_at = datetime.now(UTC)
    with app.app_context():
        outbox.claim_due_messages(claimed_at)  # ... and the run that claimed it is killed
        assert outbox.send_due_messages(claimed_at + timedelta(seconds=20)).sent == 0
        assert outbox.send_due_messages(claimed_at + timedelta(seconds=90)).sent == 1
    assert len(mail_server.to("resident@example.com")) == 1


LEASE_SECONDS = 3


def test_a_live_run_slower_than_its_lease_keeps_what_it_claimed(app, test_database_url, mail_server):
    """A `flask outbox send` that takes longer than its lease, while other runs keep starting."""
    recipients = [f"resident{number}@example.com" for number in range(12)]
    for number, recipient in enumerate(recipients):
        queue_message(app, f"note:{number}", recipient)
    mail_server.delay = 0.35  # twelve messages: longer than the lease
    script = textwrap.dedent(
        f"""
        from tests.conftest import make_app

        app = make_app({test_database_url!r}, MAIL_PORT={mail_server.port},
                       OUTBOX_CLAIM_LEASE_SECONDS={LEASE_SECONDS})
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        print(result.output)
        raise SystemExit(result.exit_code)
        """
    )
    live_run = subprocess.Popen(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "PORTAL_ENV": "testing"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    others = make_app(test_database_url, MAIL_PORT=mail_server.port, OUTBOX_CLAIM_LEASE_SECONDS=LEASE_SECONDS)
    deadline = time.monotonic() + 60
    while not mail_server.received and live_run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the live run has claimed everything once its first message arrives
    taken_over = 0
    while live_run.poll() is None:
        with others.app_context():
            taken_over += outbox.send_due_messages().sent
        time.sleep(0.2)
    with others.app_context():
        db.engine.dispose()
    output = live_run.communicate()
    assert live_run.returncode == 0, output
    assert taken_over == 0
    assert [len(mail_server.to(recipient)) for recipient in recipients] == [1] * len(recipients)
    assert {row.status for row in outbox_rows(app)} == {"sent"}


# A mail server that stops answering ----------------------------------------------------------


@pytest.fixture
def silent_mail_server() -> Iterator[int]:
    """A port that takes connections and never says a word: a mail server that has hung."""
    listener = socket.create_server(("127.0.0.1", 0))
    yield listener.getsockname()[1]
    listener.close()


def test_a_mail_server_that_never_answers_times_out_and_the_message_waits_for_its_retry(
    test_database_url, silent_mail_server
):
    app = make_app(test_database_url, MAIL_PORT=silent_mail_server, MAIL_TIMEOUT=0.5)
    queue_message(app, "note:silent", "resident@example.com")
    with app.app_context():
        report = outbox.send_due_messages()
        db.engine.dispose()
    assert (report.sent, report.retrying) == (0, 1)
    [row] = outbox_rows(app)
    # smtplib reports a greeting that never came as the server going away.
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTPServerDisconnected")
    assert row.next_attempt_at > datetime.now(UTC)
