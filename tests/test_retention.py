"""`flask retention run`: contact details, offers and sent emails let go when the privacy notice says."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, select, update

from feedback_portal.extensions import db
from feedback_portal.models import (
    AuditEntry,
    Comment,
    InvolvementOffer,
    OutboxMessage,
    OutboxStatus,
    StaffUser,
)
from feedback_portal.services import consultations, privacy
from feedback_portal.services import outbox as outbox_service
from feedback_portal.services.privacy import RetentionPeriods, months_before
from tests.helpers.people import ADDRESS, OTHER_ADDRESS, offer, submit
from tests.pages import check_page

CLOSED = datetime(2026, 1, 10, 17, 0, tzinfo=UTC)


def _comments(app: Flask) -> dict[str, Comment]:
    with app.app_context():
        comments = {c.author_name or c.body: c for c in db.session.scalars(select(Comment))}
        db.session.expunge_all()
        return comments


def _setup(app: Flask, folder: Path) -> None:
    """A comment made while the consultation ran, one entered after it closed, two offers, sent emails."""
    during = submit(app, "Made while it was open.", "During", ADDRESS, involvement=False)
    after = submit(app, "Entered from paper after it closed.", "After", OTHER_ADDRESS, involvement=False)
    offer(app, "old@example.org", name="Old offer")
    offer(app, "new@example.org", name="New offer")
    with app.app_context():
        # The offers' own receipts are not the emails this test ages.
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.dedupe_key.like("receipt:offer:%")))
        consultations.get_current_consultation().closes_at = CLOSED
        db.session.execute(
            update(Comment).where(Comment.reference == during).values(created_at=CLOSED - timedelta(days=30))
        )
        db.session.execute(
            update(Comment).where(Comment.reference == after).values(created_at=CLOSED + timedelta(days=60))
        )
        db.session.commit()
        outbox_service.send_due_messages(folder=folder)
        sent = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        assert len(sent) == 2 and all(m.status == OutboxStatus.SENT for m in sent)


def _age(app: Flask, now: datetime) -> None:
    """The old offer made 25 months before `now`, the new 23; one email sent 31 days before, one 29."""
    with app.app_context():
        for name, months in (("Old offer", 25), ("New offer", 23)):
            db.session.execute(
                update(InvolvementOffer)
                .where(InvolvementOffer.name == name)
                .values(created_at=months_before(now, months))
            )
        first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        first.sent_at = now - timedelta(days=31)
        second.sent_at = now - timedelta(days=29)
        db.session.commit()


def test_retention_run_on_data_older_and_newer_than_the_period(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _setup(app, tmp_path)
    # A day short of 12 months after the close: nothing of the comments goes yet.
    early = months_before(CLOSED, -12) - timedelta(days=1)
    _age(app, early)
    result = runner.invoke(args=["retention", "run", "--now", early.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Anonymised the contact details of 0 comments (12 months after their consultation closed)" in (
        result.output
    )
    comments = _comments(app)
    assert comments["During"].author_email == ADDRESS
    with app.app_context():
        offers = {o.email: o for o in db.session.scalars(select(InvolvementOffer))}
        assert offers[None].name is None and offers[None].access_needs is None  # the 25-month-old offer
        assert offers["new@example.org"].name == "New offer"
        first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        assert (first.recipient, first.text_body, first.html_body) == ("", "", "")
        assert first.status == OutboxStatus.SENT and first.subject
        assert second.recipient == OTHER_ADDRESS and second.text_body

    # A day past 12 months: the comment made while it ran loses its contact details, its text stays;
    # the one entered two months after the close keeps them until 12 months after it was made.
    later = months_before(CLOSED, -12) + timedelta(days=1)
    result = runner.invoke(args=["retention", "run", "--now", later.isoformat()])
    assert "Anonymised the contact details of 1 comments" in result.output
    comments = _comments(app)
    during = next(c for c in comments.values() if c.body == "Made while it was open.")
    assert (during.author_name, during.author_email, during.wants_updates) == (None, None, False)
    assert comments["After"].author_email == OTHER_ADDRESS
    much_later = months_before(CLOSED + timedelta(days=60), -12) + timedelta(days=1)
    runner.invoke(args=["retention", "run", "--now", much_later.isoformat()])
    assert all(c.author_email is None for c in _comments(app).values())


def test_retention_run_twice_does_the_work_once(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    _setup(app, tmp_path)
    now = months_before(CLOSED, -13)
    _age(app, now)
    with app.app_context():
        first = privacy.run_retention(now)
        second = privacy.run_retention(now)
        assert (first.comments_anonymised, first.offers_anonymised, first.emails_purged) == (1, 1, 1)
        assert (second.comments_anonymised, second.offers_anonymised, second.emails_purged) == (0, 0, 0)
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.run")))
        assert len(entries) == 1
        assert entries[0].details["comments_anonymised"] == 1


def test_a_failed_email_past_the_period_is_purged_and_cancelled(app: Flask) -> None:
    submit(app, "A comment.", "Sam", ADDRESS, involvement=False)
    now = datetime.now(UTC) + timedelta(days=40)
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        message.status = OutboxStatus.FAILED
        db.session.commit()
        assert privacy.run_retention(now).emails_purged == 1
        message = db.session.scalar(select(OutboxMessage))
        assert (message.status, message.recipient, message.text_body) == (OutboxStatus.CANCELLED, "", "")


def _period(page_text: str, element_id: str) -> int:
    match = re.search(r"(\d+) (?:months?|days?) after", page_text)
    assert match, f"no period in #{element_id}"
    return int(match.group(1))


def test_the_privacy_notice_and_the_job_read_the_same_periods(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        admin = StaffUser(email="admin@example.gov.uk", role="admin")
        db.session.add(admin)
        db.session.commit()
        privacy.set_retention_periods(
            RetentionPeriods(contact_months=6, offer_months=18, sent_email_days=14), actor=admin
        )
    page = check_page(app.test_client().get("/privacy"))
    texts = {
        key: page.select_one(f"#retention-{key}").get_text(" ", strip=True)
        for key in ("comments", "offers", "emails")
    }
    assert "6 months after the consultation closes" in texts["comments"]
    assert "18 months after you gave them" in texts["offers"]
    assert "14 days after we sent it" in texts["emails"]

    _setup(app, tmp_path)
    months = _period(texts["comments"], "retention-comments")
    before, after = (months_before(CLOSED, -months) + timedelta(days=d) for d in (-1, 1))
    with app.app_context():
        assert privacy.run_retention(before).comments_anonymised == 0
        assert privacy.run_retention(after).comments_anonymised == 1
    offer_months = _period(texts["offers"], "retention-offers")
    email_days = _period(texts["emails"], "retention-emails")
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(
            update(InvolvementOffer).values(created_at=months_before(now, offer_months) + timedelta(days=1))
        )
        db.session.execute(
            update(OutboxMessage).values(sent_at=now - timedelta(days=email_days) + timedelta(hours=1))
        )
        db.session.commit()
        report = privacy.run_retention(now)
        assert (report.offers_anonymised, report.emails_purged) == (0, 0)
        report = privacy.run_retention(now + timedelta(days=2))
        assert (report.offers_anonymised, report.emails_purged) == (2, 2)


def test_months_before_keeps_to_the_calendar() -> None:
    assert months_before(datetime(2027, 3, 31, tzinfo=UTC), 1) == datetime(2027, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 12) == datetime(2026, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 10, tzinfo=UTC), -12) == datetime(2027, 1, 10, tzinfo=UTC)
