"""Email through the outbox and a real SMTP server: receipts, links, outages, digests, alerts."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from feedback_portal import email
from feedback_portal.extensions import db
from feedback_portal.models import Comment, OutboxMessage, Report, StaffUser
from feedback_portal.services import outbox
from feedback_portal.services.digests import last_complete_period_end
from tests.factories import (
    all_comments,
    comment_post,
    form_fields,
    make_comment,
    make_staff,
    sign_in,
    signed_in_client,
    use_post_moderation,
)
from tests.helpers.uk_time import in_uk_words
from tests.pages import check_page, heading, parse, text_of
from tests.staff.moderation_helpers import set_created_at

SECTION = "/definition/basic"
RESIDENT = "resident@example.com"


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port, "PUBLIC_BASE_URL": "https://feedback.example.gov.uk"}


def send_outbox(app) -> outbox.DeliveryReport:
    with app.app_context():
        return outbox.send_due_messages()


def outbox_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def comment_with_email(client, **fields) -> str:
    data = comment_post(client, SECTION, comment="I think it is clear.", email=RESIDENT, **fields)
    return client.post(SECTION, data=data).headers["Location"].rsplit("/", 1)[1]


# Receipts ---------------------------------------------------------------------------------


def test_a_receipt_arrives_with_both_parts_and_only_what_the_person_should_see(client, app, mail_server):
    reference = comment_with_email(client, name="Amina", wants_updates="y")
    assert mail_server.received == []  # nothing is sent in the request itself
    assert send_outbox(app).sent == 1
    [receipt] = mail_server.to(RESIDENT)
    assert receipt.envelope_to == [RESIDENT]
    assert receipt.subject == f"We have your comment {reference}"
    assert reference in receipt.text and reference in receipt.html
    assert "What happens next" in receipt.html and "WHAT HAPPENS NEXT" in receipt.text
    assert "getinvolved@birmingham.gov.uk" in receipt.text
    assert receipt.message["Message-ID"] == outbox_rows(app)[0].message_id
    assert "<h1" in receipt.html and 'lang="en-GB"' in receipt.html
    assert "https://feedback.example.gov.uk/feedback/" in receipt.text


def test_the_receipt_says_what_happens_next_under_each_moderation_mode(client, app, mail_server):
    comment_with_email(client)
    use_post_moderation(app)
    comment_with_email(client)
    send_outbox(app)
    waiting, published = mail_server.to(RESIDENT)
    for receipt in (waiting.text, waiting.html):
        assert "will read your comment. If it follows our rules" in receipt
        assert "we will publish it on our website as ‘Anonymous’" in receipt
    for receipt in (published.text, published.html):
        assert "Your comment is on our website now, as ‘Anonymous’." in receipt
        assert "If it follows our rules" not in receipt
    assert not waiting.text.startswith("\n")


def test_no_receipt_without_an_email_address_or_for_spam(client, app, mail_server):
    client.post(SECTION, data=comment_post(client, SECTION, comment="No email"))
    client.post(SECTION, data=comment_post(client, SECTION, comment="Bot", email=RESIDENT, website="x"))
    assert outbox_rows(app) == []


def test_running_the_outbox_twice_sends_each_email_once(client, app, mail_server):
    comment_with_email(client)
    send_outbox(app)
    send_outbox(app)
    assert len(mail_server.received) == 1


def links_in(text: str) -> dict[str, str]:
    withdraw = re.search(r"https://\S+/withdraw/\S+", text).group(0)
    erase = re.search(r"https://\S+/erase-contact/\S+", text).group(0)
    return {
        "withdraw": withdraw.split("feedback.example.gov.uk", 1)[1],
        "erase": erase.split("feedback.example.gov.uk", 1)[1],
    }


def test_the_withdraw_link_asks_first_then_withdraws_once(client, app, mail_server):
    comment_with_email(client)
    send_outbox(app)
    path = links_in(mail_server.received[0].text)["withdraw"]
    visitor = app.test_client()
    confirm = check_page(visitor.get(path))
    assert heading(confirm) == "Withdraw your comment"
    # What is being withdrawn, so someone with several references knows which one.
    assert text_of(confirm.select_one("#withdrawn-text")) == "I think it is clear."
    assert "Your comment on ‘" in text_of(confirm) and ", sent on " in text_of(confirm)
    assert all_comments(app)[0].state == "pending"
    data = {field["name"]: field.get("value", "") for field in confirm.select("form input[type=hidden]")}
    done = check_page(visitor.post(path, data=data))
    assert heading(done) == "Your comment has been withdrawn"
    [comment] = all_comments(app)
    assert (comment.state, comment.body) == ("withdrawn", "")
    assert comment.author_email == RESIDENT  # only the comment was withdrawn
    again = check_page(visitor.get(path), status=410)
    assert heading(again) == "You have already withdrawn this comment"
    again = check_page(visitor.post(path, data=data), status=410)
    assert heading(again) == "You have already withdrawn this comment"


def test_the_erase_link_deletes_only_the_contact_details(client, app, mail_server):
    comment_with_email(client, name="Amina", wants_updates="y")
    send_outbox(app)
    path = links_in(mail_server.received[0].text)["erase"]
    visitor = app.test_client()
    confirm = check_page(visitor.get(path))
    data = {field["name"]: field.get("value", "") for field in confirm.select("form input[type=hidden]")}
    check_page(visitor.post(path, data=data))
    [comment] = all_comments(app)
    assert (comment.author_name, comment.author_email, comment.wants_updates) == (None, None, False)
    assert comment.body == "I think it is clear." and comment.state == "pending"
    again = check_page(visitor.get(path), status=410)
    assert heading(again) == "Your name and email address have already been deleted"


def test_tampered_and_expired_links_are_refused(client, app, mail_server):
    comment_with_email(client)
    send_outbox(app)
    path = links_in(mail_server.received[0].text)["withdraw"]
    check_page(app.test_client().get(path[:-3] + "abc"), status=404)
    erase_path = links_in(mail_server.received[0].text)["erase"]
    swapped = path.rsplit("/", 1)[0] + "/" + erase_path.rsplit("/", 1)[1]
    check_page(app.test_client().get(swapped), status=404)
    app.config["EMAIL_LINK_LIFETIME_DAYS"] = -1
    check_page(app.test_client().get(path), status=404)
    assert all_comments(app)[0].state == "pending"


# The mail server is down -------------------------------------------------------------------


def test_while_the_mail_server_is_down_comments_save_and_email_waits(client, app, mail_server):
    mail_server.stop()
    reference = comment_with_email(client)
    assert all_comments(app)[0].reference == reference
    report = send_outbox(app)
    assert (report.sent, report.retrying) == (0, 1)
    [row] = outbox_rows(app)
    assert (row.status, row.attempts) == ("pending", 1)
    assert RESIDENT not in (row.last_error or "")
    mail_server.start()
    with app.app_context():
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
    assert send_outbox(app).sent == 1
    send_outbox(app)
    assert len(mail_server.to(RESIDENT)) == 1


def test_a_message_that_keeps_failing_is_shown_to_admins_and_can_be_sent_again(client, app, mail_server):
    mail_server.stop()
    comment_with_email(client)
    for _ in range(outbox.MAX_ATTEMPTS):
        with app.app_context():
            db.session.execute(db.update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
            db.session.commit()
        send_outbox(app)
    [row] = outbox_rows(app)
    assert row.status == "failed"
    make_staff(app, role="admin", email="admin@example.gov.uk")
    admin = app.test_client()
    sign_in(admin, "admin@example.gov.uk")
    soup = check_page(admin.get("/staff/outbox"))
    assert "We have your comment" in text_of(soup) and "ConnectionRefusedError" in text_of(soup)
    form = soup.select_one("form[action$='/retry']")
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    admin.post(form["action"], data=data)
    mail_server.start()
    assert send_outbox(app).sent == 1
    assert len(mail_server.to(RESIDENT)) == 1


def test_a_send_interrupted_before_marking_sends_at_most_one_duplicate_with_the_same_message_id(
    client, app, mail_server
):
    comment_with_email(client)
    with app.app_context():
        [claimed] = outbox.claim_due_messages(datetime.now(UTC))
        # The sender delivers it, then dies before it can mark it sent.
        with email.mail.connect() as connection:
            connection.send(email._as_mail(claimed))
    with app.app_context():
        later = datetime.now(UTC) + outbox.claim_lease() + timedelta(seconds=1)
        assert outbox.send_due_messages(datetime.now(UTC)).sent == 0  # still leased to the dead sender
        assert outbox.send_due_messages(later).sent == 1
        assert outbox.send_due_messages(later).sent == 0
    copies = mail_server.to(RESIDENT)
    assert len(copies) == 2
    assert copies[0].message["Message-ID"] == copies[1].message["Message-ID"]


def test_two_senders_running_at_once_deliver_each_message_exactly_once(
    app, test_database_url, mail_server, tmp_path
):
    """Two `flask outbox send` processes started together, as two cron machines would."""
    recipients = [f"resident{number}@example.com" for number in range(40)]
    for recipient in recipients:
        client = app.test_client()
        client.post(SECTION, data=comment_post(client, SECTION, comment="Clear to me.", email=recipient))
    # Both processes start up, then wait for each other before claiming, so that the claims race.
    ready = tmp_path / "ready"
    ready.mkdir()
    script = textwrap.dedent(
        f"""
        import os, time
        from tests.conftest import make_app

        app = make_app({test_database_url!r}, MAIL_PORT={mail_server.port})
        runner = app.test_cli_runner()
        open(os.path.join({str(ready)!r}, str(os.getpid())), "w").close()
        deadline = time.time() + 60
        while len(os.listdir({str(ready)!r})) < 2 and time.time() < deadline:
            time.sleep(0.01)
        result = runner.invoke(args=["outbox", "send"])
        print(result.output)
        raise SystemExit(result.exit_code)
        """
    )
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env={"PATH": "/usr/bin:/bin", "PORTAL_ENV": "testing"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=90) for sender in senders]
    assert all(sender.returncode == 0 for sender in senders), outputs
    assert sorted(len(mail_server.to(recipient)) for recipient in recipients) == [1] * len(recipients)
    assert {row.status for row in outbox_rows(app)} == {"sent"}


def test_an_address_with_a_line_break_never_reaches_a_header(app):
    with app.app_context(), pytest.raises(email.InvalidRecipient):
        email.enqueue("receipt", "x", "a@example.com\r\nBcc: b@example.com", "Subject", "receipt")


# Digests ----------------------------------------------------------------------------------


def made_long_ago(app, *staff_ids: int) -> None:
    """Accounts made a month ago: a digest covers only the time an account has existed."""
    with app.app_context():
        for staff_id in staff_ids:
            db.session.get(StaffUser, staff_id).created_at = datetime.now(UTC) - timedelta(days=30)
        db.session.commit()


def digest_people(app) -> list[int]:
    ids = [
        make_staff(app, role="moderator", email="mod1@example.gov.uk"),
        make_staff(app, role="moderator", email="mod2@example.gov.uk"),
        make_staff(app, role="analyst", email="analyst@example.gov.uk"),
    ]
    made_long_ago(app, *ids)
    with app.app_context():
        db.session.get(StaffUser, ids[2]).digest_frequency = "weekly"
        db.session.commit()
    return ids


def something_waiting(app) -> str:
    """A pending comment from two days ago: every digest has that to say."""
    reference = make_comment(app, text="Still waiting", state="pending")
    set_created_at(app, reference, datetime.now(UTC) - timedelta(days=2))
    return reference


def test_the_digest_lists_new_feedback_per_section_and_what_is_waiting(app, runner, mail_server):
    digest_people(app)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    make_comment(
        app,
        text="On basic",
        state="pending",
        email="private@example.com",
        name="Private Person",
        reaction="partly",
    )
    make_comment(
        app, text="On an item", section_slug="transformative", item_key="transformative-3", state="pending"
    )
    reported = make_comment(app, text="Reported twice", section_slug="intermediate", state="published")
    dealt_with = make_comment(
        app, text="Reported and dealt with", section_slug="intermediate", state="published"
    )
    with app.app_context():
        db.session.execute(db.update(Comment).values(created_at=yesterday))
        ids = {reference: id_ for reference, id_ in db.session.execute(select(Comment.reference, Comment.id))}
        reports = ((reported, "a", None), (reported, "b", None), (dealt_with, "a", yesterday))
        for reference, reporter, resolved_at in reports:
            db.session.add(
                Report(
                    comment_id=ids[reference],
                    reason="offensive",
                    reporter_key=reporter,
                    resolved_at=resolved_at,
                )
            )
        db.session.commit()
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    [digest] = mail_server.to("mod1@example.gov.uk")
    assert "Basic – one way: 1" in digest.text
    assert "Led jointly by citizens and staff" in digest.text
    assert "2 comments waiting" in digest.text
    assert "1 published comment reported and not yet dealt with" in digest.text
    assert "Does it make sense? Yes: 0, partly: 1, no: 0" in digest.text
    assert "https://feedback.example.gov.uk/staff/comments?state=feedback" in digest.text
    for secret in ("private@example.com", "Private Person"):
        assert secret not in digest.text and secret not in digest.html
    # The analyst asked for a weekly digest: one, covering the last whole week.
    [weekly] = mail_server.to("analyst@example.gov.uk")
    assert "weekly" in weekly.text


def test_no_digest_holds_a_commenters_name_or_email_whatever_the_role(app, runner, mail_server):
    digest_people(app)
    admin_id = make_staff(app, role="admin", email="admin@example.gov.uk")
    made_long_ago(app, admin_id)
    with app.app_context():
        db.session.get(StaffUser, admin_id).digest_frequency = "daily"
        db.session.commit()
    make_comment(app, text="Named", state="pending", email="private@example.com", name="Private Person")
    with app.app_context():
        db.session.execute(db.update(Comment).values(created_at=datetime.now(UTC) - timedelta(days=1)))
        db.session.commit()
    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    for person in ("mod1@example.gov.uk", "admin@example.gov.uk"):
        [digest] = mail_server.to(person)
        assert "1 comment waiting" in digest.text
        for secret in ("private@example.com", "Private Person"):
            assert secret not in digest.text and secret not in digest.html, person


def test_running_the_digest_twice_sends_each_person_one_digest(app, runner, mail_server):
    digest_people(app)
    something_waiting(app)
    for _ in range(2):
        assert runner.invoke(args=["digest", "send"]).exit_code == 0
    assert len(mail_server.to("mod1@example.gov.uk")) == 1
    assert len(mail_server.to("mod2@example.gov.uk")) == 1


def test_the_next_period_brings_the_next_digest(app, runner, mail_server):
    digest_people(app)
    something_waiting(app)
    runner.invoke(args=["digest", "send"])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    runner.invoke(args=["digest", "send", "--now", tomorrow])
    assert len(mail_server.to("mod1@example.gov.uk")) == 2


def test_digests_started_together_on_two_machines_go_out_once(app, test_database_url, mail_server):
    digest_people(app)
    something_waiting(app)
    env = {
        "DATABASE_URL": test_database_url,
        "PORTAL_ENV": "testing",
        "PATH": "/usr/bin:/bin",
    }
    script = (
        "from tests.conftest import make_app;"
        "from feedback_portal.services import digests;"
        f"app = make_app({test_database_url!r}, MAIL_PORT={mail_server.port});"
        "ctx = app.app_context(); ctx.push();"
        "print(digests.enqueue_due_digests().queued)"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert sum(int(out.strip().splitlines()[-1]) for out, _ in outputs) == 3
    send_outbox(app)
    assert len(mail_server.to("mod1@example.gov.uk")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_the_digest_counts_what_the_figures_count_and_links_to_exactly_those(app, runner, mail_server):
    digest_people(app)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    counted = {
        make_comment(app, text="Waiting", state="pending"),
        make_comment(app, text="Out", state="published"),
    }
    for state in ("spam", "withdrawn"):
        counted_not = make_comment(app, text=f"A {state} one", state=state)
        set_created_at(app, counted_not, yesterday)
    for reference in counted:
        set_created_at(app, reference, yesterday)
    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    [digest] = mail_server.to("mod1@example.gov.uk")
    assert "NEW FEEDBACK (2)" in digest.text and "Basic – one way: 2" in digest.text
    link = links_in_digest(digest.text)["Basic – one way"]
    moderator = signed_in_client(app, role="moderator", email="reader@example.gov.uk")
    listed = check_page(moderator.get(link.removeprefix("https://feedback.example.gov.uk")))
    listed_references = listed.select("table.council-queue tbody tr td a.govuk-link")
    assert {link.get_text(strip=True) for link in listed_references} == counted


def links_in_digest(text: str) -> dict[str, str]:
    """Each line '- label: count' with its link on the next line."""
    lines = text.splitlines()
    return {
        line[2:].rsplit(":", 1)[0]: lines[number + 1].strip()
        for number, line in enumerate(lines[:-1])
        if line.startswith("- ") and lines[number + 1].strip().startswith("https://")
    }


def test_a_first_digest_covers_only_the_time_since_the_account_was_made(app, runner, mail_server):
    newcomer = make_staff(app, role="moderator", email="new@example.gov.uk")
    last_midnight = last_complete_period_end("daily", datetime.now(UTC))
    with app.app_context():
        db.session.get(StaffUser, newcomer).created_at = last_midnight - timedelta(hours=3)
        db.session.commit()
    before = make_comment(app, text="Before they started", state="published")
    set_created_at(app, before, last_midnight - timedelta(hours=5))
    after = make_comment(app, text="After they started", state="published")
    set_created_at(app, after, last_midnight - timedelta(hours=1))
    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    [digest] = mail_server.to("new@example.gov.uk")
    assert "NEW FEEDBACK (1)" in digest.text
    assert in_uk_words(last_midnight - timedelta(hours=3)) in digest.text


def test_nothing_to_say_sends_no_digest_until_there_is(app, runner, mail_server):
    digest_people(app)
    result = runner.invoke(args=["digest", "send"])
    assert "Queued 0 digests" in result.output and "3 with nothing to say" in result.output
    assert mail_server.received == []
    something_waiting(app)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    runner.invoke(args=["digest", "send", "--now", tomorrow])
    [digest] = mail_server.to("mod1@example.gov.uk")
    assert "1 comment waiting" in digest.text


# Urgent alerts and account mail -------------------------------------------------------------


def test_a_report_of_personal_information_alerts_moderators_who_asked(client, app, mail_server):
    wanting = make_staff(app, role="moderator", email="alerts@example.gov.uk")
    make_staff(app, role="moderator", email="quiet@example.gov.uk")
    with app.app_context():
        db.session.get(StaffUser, wanting).wants_urgent_alerts = True
        db.session.commit()
    reference = make_comment(app, text="My neighbour at 12 Example Road", email="author@example.com")
    data = form_fields(client, f"/feedback/{reference}/report")
    client.post(f"/feedback/{reference}/report", data={**data, "reason": "personal-information"})
    send_outbox(app)
    [alert] = mail_server.to("alerts@example.gov.uk")
    assert reference in alert.subject
    assert mail_server.to("quiet@example.gov.uk") == []
    assert "author@example.com" not in alert.text and "12 Example Road" not in alert.text


def test_forgotten_password_gives_the_same_page_whether_or_not_the_account_exists(app, mail_server):
    make_staff(app, email="known@example.gov.uk")
    pages = []
    for address in ("known@example.gov.uk", "unknown@example.gov.uk"):
        client = app.test_client()
        data = form_fields(client, "/staff/forgot-password")
        response = client.post("/staff/forgot-password", data={**data, "email": address})
        pages.append((response.status_code, text_of(parse(response).select_one("main"))))
    assert pages[0] == pages[1]
    send_outbox(app)
    assert mail_server.to("unknown@example.gov.uk") == []
    [reset] = mail_server.to("known@example.gov.uk")
    link = re.search(r"https://feedback.example.gov.uk(/staff/set-password/\S+)", reset.text).group(1)
    other_device = app.test_client()
    sign_in(other_device, "known@example.gov.uk")
    client = app.test_client()
    data = form_fields(client, link)
    new_password = "a brand new long passphrase here"
    response = client.post(link, data={**data, "password": new_password, "confirm": new_password})
    assert response.headers["Location"] == "/staff/login"
    assert other_device.get("/staff/").status_code == 302  # its session ended
    check_page(app.test_client().get(link), status=404)  # the link works once
    assert sign_in(app.test_client(), "known@example.gov.uk", new_password).status_code == 302


# Decisions --------------------------------------------------------------------------------


def pending_comment_wanting_updates(client, app, **fields) -> int:
    from tests.staff.moderation_helpers import id_of

    reference = comment_with_email(client, wants_updates="y", **fields)
    send_outbox(app)  # the receipt
    return id_of(app, reference)


def test_a_person_who_asked_is_told_when_their_comment_is_published(client, app, mail_server):
    from tests.factories import signed_in_client
    from tests.staff.moderation_helpers import post_action

    comment_id = pending_comment_wanting_updates(client, app, name="Amina")
    moderator = signed_in_client(app, role="moderator")
    assert post_action(moderator, comment_id, "publish").status_code == 302
    send_outbox(app)
    [_receipt, decision] = mail_server.to(RESIDENT)
    assert "has been published" in decision.subject
    assert "https://feedback.example.gov.uk/definition/basic#comment-CP-" in decision.text
    assert "moderator@example.gov.uk" not in decision.text + decision.html


def test_a_person_who_asked_is_told_why_in_plain_words_when_it_is_rejected(client, app, mail_server):
    from tests.factories import signed_in_client
    from tests.staff.moderation_helpers import post_action

    comment_id = pending_comment_wanting_updates(client, app)
    moderator = signed_in_client(app, role="moderator")
    post_action(
        moderator, comment_id, "reject", rejection_reason="off-topic", rejection_note="Internal: spammy"
    )
    send_outbox(app)
    decision = mail_server.to(RESIDENT)[-1]
    assert "was not published" in decision.subject
    assert "because it was not about the definition" in decision.text
    assert "Internal: spammy" not in decision.text + decision.html


def test_nobody_is_emailed_a_decision_they_did_not_ask_for(client, app, mail_server):
    from tests.factories import signed_in_client
    from tests.staff.moderation_helpers import id_of, post_action

    reference = comment_with_email(client)
    send_outbox(app)
    post_action(signed_in_client(app, role="moderator"), id_of(app, reference), "publish")
    send_outbox(app)
    assert len(mail_server.to(RESIDENT)) == 1  # the receipt only


def test_while_the_mail_server_is_down_decisions_still_save(client, app, mail_server):
    from tests.factories import signed_in_client
    from tests.staff.moderation_helpers import comment_by_id, post_action

    comment_id = pending_comment_wanting_updates(client, app)
    mail_server.stop()
    post_action(signed_in_client(app, role="moderator"), comment_id, "publish")
    assert comment_by_id(app, comment_id).state == "published"
    assert send_outbox(app).retrying == 1
