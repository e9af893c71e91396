"""Updates to the people who asked: gathered per person, each event told once, through the outbox.

Database tests on the suite's database (SQLite or PostgreSQL); the email arrives at a real
SMTP server.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from feedback_portal.extensions import db
from feedback_portal.models import Comment, OutboxMessage, UpdateDelivery
from feedback_portal.services import outbox, outcomes, privacy, unsubscribe, updates
from tests.helpers.updates import (
    comment_asking_for_updates,
    publish_response,
    publish_summary,
    update_emails,
)

BASE = "https://feedback.example.gov.uk"
RUTH = "ruth@example.com"
SAM = "sam@example.org"


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port, "PUBLIC_BASE_URL": BASE}


def run_updates(app, now: datetime | None = None) -> updates.UpdateRun:
    with app.app_context():
        return updates.enqueue_due_updates(now)


def send_outbox(app, now: datetime | None = None) -> outbox.DeliveryReport:
    with app.app_context():
        return outbox.send_due_messages(now)


def deliveries(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted(db.session.execute(select(UpdateDelivery.person_key, UpdateDelivery.event_key)).all())


def comment_id(app, reference: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Comment.id).where(Comment.reference == reference))


# Which summaries cover which comments -----------------------------------------------------


def test_a_summary_covers_its_items_its_sections_or_the_whole_documents_comments(app):
    on_item = comment_asking_for_updates(app, RUTH, "basic", "basic-1")
    on_section = comment_asking_for_updates(app, RUTH, "basic")
    on_other_section = comment_asking_for_updates(app, RUTH, "transformative")
    on_document = comment_asking_for_updates(app, RUTH, None)
    item = publish_summary(app, "basic", "basic-1")
    other_item = publish_summary(app, "basic", "basic-2")
    section = publish_summary(app, "basic")
    document = publish_summary(app)
    publish_summary(app, "basic", state="draft")
    publish_summary(app, "basic", state="withdrawn")
    with app.app_context():

        def covering(reference: str) -> list[int]:
            comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
            return [summary.id for summary in outcomes.summaries_covering(comment)]

        assert covering(on_item) == [document, section, item]
        assert other_item not in covering(on_item)
        assert covering(on_section) == [document, section]
        assert covering(on_other_section) == [document]
        assert covering(on_document) == [document]


# Gathering: one email per person per run ----------------------------------------------------


def test_what_was_published_the_same_day_reaches_each_person_in_one_email(app, mail_server):
    first = comment_asking_for_updates(app, RUTH, "basic", text="The basic level is unclear.")
    # The same person, typing their address differently on another comment.
    second = comment_asking_for_updates(app, "Ruth@Example.COM", "basic", "basic-1")
    sams = comment_asking_for_updates(app, SAM, "transformative")
    publish_response(app, first, "We agree, and have rewritten it.")
    publish_summary(app, "basic", you_said="You said the basic level needed plainer words.")
    publish_summary(app)
    publish_summary(app, "intermediate")  # about nobody's comment here

    run = run_updates(app)
    assert (run.queued, run.events, run.already_done) == (2, 4, 0)
    assert send_outbox(app).sent >= 2
    [ruths] = [
        mail for mail in mail_server.to(RUTH) if mail.subject == "What has happened with your feedback"
    ]
    [sams_mail] = [
        mail for mail in mail_server.to(SAM) if mail.subject == "What has happened with your feedback"
    ]
    assert mail_server.to("Ruth@Example.COM") == []  # one mailbox, one email
    assert f"We have responded to your comment {first} on ‘Basic – one way’" in ruths.text
    assert "We agree, and have rewritten it." in ruths.text
    assert "We have published what people told us about ‘Basic – one way’" in ruths.text
    assert f"This answers your comments {first}, {second}." in ruths.text
    assert "We have published what people told us about the whole definition" in ruths.text
    assert "intermediate" not in ruths.text.lower()
    lines = ruths.text.splitlines()
    assert f"{BASE}/comments/{first}" in lines and f"{BASE}/comments/{second}" in lines
    assert re.search(rf"{BASE}/feedback/{second}/stop-emails/\S+", ruths.text)
    assert ruths.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{BASE}/feedback/{second}/unsubscribe/" in ruths.message["List-Unsubscribe"]
    assert "token=" not in ruths.text  # the published comment's page needs no key
    assert f"This answers your comment {sams}." in sams_mail.text
    assert "responded" not in sams_mail.text

    # Nothing new: nothing sent. Something new: only that.
    assert run_updates(app).queued == 0
    publish_response(app, sams, "Thank you, Sam.")
    run = run_updates(app)
    assert (run.queued, run.events) == (1, 1)
    send_outbox(app)
    latest = [mail for mail in mail_server.to(SAM) if mail.subject == "What has happened with your feedback"]
    assert len(latest) == 2 and "Thank you, Sam." in latest[1].text
    assert "whole definition" not in latest[1].text
    assert len(deliveries(app)) == 5


def test_only_published_comments_and_what_came_after_them_make_updates(app):
    publish_summary(app, "basic", published_at=datetime.now(UTC) - timedelta(days=2))
    comment_asking_for_updates(app, RUTH, "basic")  # after that summary
    comment_asking_for_updates(app, SAM, "basic", state="pending")
    assert run_updates(app).queued == 0
    publish_summary(app, "basic")
    run = run_updates(app)
    assert (run.queued, run.events) == (1, 1)
    assert [message.recipient for message in update_emails(app)] == [RUTH]


def test_a_summary_published_after_now_waits_for_the_run_that_reaches_it(app):
    comment_asking_for_updates(app, RUTH, "basic")
    publish_summary(app, "basic")
    assert run_updates(app, datetime.now(UTC) - timedelta(minutes=5)).queued == 0
    assert run_updates(app).queued == 1


def test_no_update_without_consent_or_a_sendable_address(app):
    ticked_no = comment_asking_for_updates(app, "no@example.com", "basic")
    erased = comment_asking_for_updates(app, "erased@example.com", "basic")
    unsendable = comment_asking_for_updates(app, "old@example.com", "basic")
    with app.app_context():
        db.session.get(Comment, comment_id(app, ticked_no)).wants_updates = False
        comment = db.session.get(Comment, comment_id(app, erased))
        token = privacy.comment_link_token(comment, "erase")
        # Saved before today's rule for addresses: the mail path could never send to it.
        db.session.get(Comment, comment_id(app, unsendable)).author_email = "lé@example.com"
        db.session.commit()
        privacy.erase_contact_details(erased, token)
    publish_summary(app, "basic")
    assert run_updates(app).queued == 0
    assert update_emails(app) == []


def test_a_summary_is_told_once_to_a_person_whose_second_comment_is_published_later(app):
    comment_asking_for_updates(app, RUTH, "basic")
    later = comment_asking_for_updates(app, RUTH, "basic", "basic-2", state="pending")
    publish_summary(app, "basic")
    assert run_updates(app).queued == 1
    with app.app_context():
        comment = db.session.get(Comment, comment_id(app, later))
        comment.state, comment.published_at = "published", datetime.now(UTC)
        db.session.commit()
    assert run_updates(app).queued == 0


def test_a_new_secret_key_does_not_tell_anyone_again(app, test_database_url):
    from tests.conftest import make_app

    reference = comment_asking_for_updates(app, RUTH, "basic")
    publish_response(app, reference)
    publish_summary(app)
    assert run_updates(app).events == 2
    rotated = make_app(test_database_url, SECRET_KEY="a different and entirely new secret key, rotated")
    try:
        assert run_updates(rotated).queued == 0
    finally:
        with rotated.app_context():
            db.engine.dispose()


# Stop these emails -------------------------------------------------------------------------


def stop_emails(app, reference: str) -> None:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        unsubscribe.stop_emails(reference, unsubscribe.stop_emails_token(comment))


def test_after_stop_these_emails_no_update_is_queued(app):
    first = comment_asking_for_updates(app, RUTH, "basic")
    comment_asking_for_updates(app, RUTH, "intermediate")
    stop_emails(app, first)
    publish_summary(app)
    assert run_updates(app).queued == 0
    assert update_emails(app) == []


def test_an_update_queued_before_stop_these_emails_is_cancelled(app, mail_server):
    reference = comment_asking_for_updates(app, RUTH, "basic")
    send_outbox(app)  # the receipt
    publish_response(app, reference)
    assert run_updates(app).queued == 1
    stop_emails(app, reference)
    report = send_outbox(app)
    assert report.cancelled == 1
    assert [message.status for message in update_emails(app)] == ["cancelled"]
    assert [mail.subject for mail in mail_server.to(RUTH)] == [f"We have your comment {reference}"]
    assert run_updates(app).queued == 0


def test_stop_these_emails_used_while_a_run_is_reading_cancels_that_runs_email(app, mail_server):
    """The email is stamped with the moment the run read the consents, not when it was written."""
    reference = comment_asking_for_updates(app, RUTH, "basic")
    publish_response(app, reference)
    with app.app_context():
        read_at = datetime.now(UTC)
        people = updates.gather_updates(read_at)
        stop_emails(app, reference)
        assert updates._queue(people[0], read_at)
    send_outbox(app)
    assert [message.status for message in update_emails(app)] == ["cancelled"]


# Exactly once -------------------------------------------------------------------------------


def test_two_runs_at_once_tell_each_person_of_each_event_exactly_once(app, mail_server):
    """Two runs on two connections, each held at its first write until the other has read everything."""
    people = [f"person{number}@example.com" for number in range(6)]
    references = [comment_asking_for_updates(app, person, "basic") for person in people]
    for reference in references[:3]:
        publish_response(app, reference)
    publish_summary(app, "basic")
    barrier = threading.Barrier(2, timeout=30)
    held = threading.local()

    def wait_for_the_other_run(session, flush_context, instances) -> None:
        if not getattr(held, "once", False):
            held.once = True
            barrier.wait()

    results: list[updates.UpdateRun] = []
    problems: list[BaseException] = []

    def run() -> None:
        try:
            results.append(run_updates(app))
        except BaseException as problem:  # noqa: BLE001 - reported by the test below
            problems.append(problem)

    event.listen(Session, "before_flush", wait_for_the_other_run)
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    finally:
        event.remove(Session, "before_flush", wait_for_the_other_run)
    assert not problems, problems
    # Both runs found all six people: one queued each person's email, the other was refused it.
    assert sum(result.queued for result in results) == 6
    assert sum(result.already_done for result in results) == 6
    assert len(update_emails(app)) == 6
    assert len(deliveries(app)) == 9
    send_outbox(app)
    for person in people:
        assert [mail.subject for mail in mail_server.to(person)].count(
            "What has happened with your feedback"
        ) == 1


def test_a_run_killed_half_way_leaves_the_rest_to_the_next_run(app, test_database_url):
    references = [
        comment_asking_for_updates(app, f"person{number}@example.com", "basic") for number in range(4)
    ]
    for reference in references:
        publish_response(app, reference)
    script = textwrap.dedent(
        f"""
        import os
        from sqlalchemy import event
        from sqlalchemy.orm import Session
        from tests.conftest import make_app
        from feedback_portal.services import updates

        app = make_app({test_database_url!r})
        commits = []

        def killed_at_the_second_commit(session):
            commits.append(1)
            if len(commits) == 2:
                os._exit(9)

        with app.app_context():
            event.listen(Session, "before_commit", killed_at_the_second_commit)
            updates.enqueue_due_updates()
        """
    )
    killed = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "PORTAL_ENV": "testing"},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert killed.returncode == 9, killed.stderr
    assert len(update_emails(app)) == 1
    run = run_updates(app)
    assert (run.queued, run.already_done) == (3, 0)
    assert sorted(message.recipient for message in update_emails(app)) == [
        f"person{number}@example.com" for number in range(4)
    ]
    assert len(deliveries(app)) == 4


# The mail server is down --------------------------------------------------------------------


def test_updates_wait_in_the_outbox_while_the_mail_server_is_down_and_go_out_once(app, runner, mail_server):
    reference = comment_asking_for_updates(app, RUTH, "basic")
    publish_summary(app, "basic")
    mail_server.stop()
    result = runner.invoke(args=["updates", "send"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 updates telling of 1 events" in result.output
    assert [message.status for message in update_emails(app)] == ["pending"]
    assert runner.invoke(args=["updates", "send"]).output.startswith("Queued 0 updates")

    mail_server.start()  # back, on the same port
    later = datetime.now(UTC) + timedelta(hours=1)
    send_outbox(app, later)
    send_outbox(app, later + timedelta(hours=1))
    assert runner.invoke(args=["updates", "send"]).output.startswith("Queued 0 updates")
    received = [
        mail for mail in mail_server.to(RUTH) if mail.subject == "What has happened with your feedback"
    ]
    assert len(received) == 1
    assert f"{BASE}/comments/{reference}" in received[0].text
    assert [message.status for message in update_emails(app)] == ["sent"]


def test_updates_send_says_what_it_did_and_takes_a_time(app, runner):
    comment_asking_for_updates(app, RUTH, "basic")
    publish_summary(app, "basic")
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert runner.invoke(args=["updates", "send", "--now", earlier]).output.startswith("Queued 0 updates")
    result = runner.invoke(args=["updates", "send"])
    assert result.exit_code == 0
    assert result.output.startswith("Queued 1 updates telling of 1 events (0 already done).")
    bad = runner.invoke(args=["updates", "send", "--now", "next tuesday"])
    assert bad.exit_code != 0 and "Give a time like" in bad.output
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "update")
            )
            == 1
        )


def test_erasing_a_person_keeps_no_code_of_their_address_and_sends_them_nothing_again(app):
    told = comment_asking_for_updates(app, RUTH, "basic")
    comment_asking_for_updates(app, SAM, "basic")
    publish_response(app, told)
    publish_summary(app, "basic")
    assert run_updates(app).queued == 2
    with app.app_context():
        ruths_code, sams_code = updates.person_key(RUTH), updates.person_key(SAM)
        privacy.erase_person(RUTH, actor=None, via="command line", system_user="tests")
    keys = [person for person, _ in deliveries(app)]
    assert ruths_code not in keys
    assert keys.count(sams_code) == 1  # someone else's record is untouched
    assert len(keys) == 3  # what was told stays recorded, so nothing is told twice
    publish_summary(app)
    assert run_updates(app).queued == 1  # Sam hears of the new summary; Ruth, erased, does not
