"""Delivering the outbox: claiming what is due, sending it, and letting admins send failures again.

This service owns the outbox's commits; `feedback_portal.email` only builds and sends messages.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_mail import Connection
from sqlalchemy import ColumnElement, or_, select, update

from feedback_portal import email
from feedback_portal.extensions import db
from feedback_portal.models import OutboxMessage, OutboxStatus
from feedback_portal.services import unsubscribe

MAX_ATTEMPTS = 8
BATCH_SIZE = 200
# What the mail server said about this one message: worth trying again later.
_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)
logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def claim_lease() -> timedelta:
    """How long a claim holds without being renewed: what a killed run delays its emails by."""
    return timedelta(seconds=current_app.config["OUTBOX_CLAIM_LEASE_SECONDS"])


@dataclass
class _Lease:
    """This run's claim, renewed while it sends so that a long run keeps what it claimed."""

    token: str
    claimed_at: datetime
    length: timedelta
    started: float = field(default_factory=time.monotonic)
    renewed: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        # The caller's clock, moved on by the time this run has taken.
        return self.claimed_at + timedelta(seconds=time.monotonic() - self.started)

    def renew_if_due(self) -> None:
        if time.monotonic() - self.renewed < self.length.total_seconds() / 4:
            return
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claim_token == self.token, OutboxMessage.status == OutboxStatus.SENDING)
            .values(claimed_at=self.now())
        )
        db.session.commit()
        self.renewed = time.monotonic()


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - claim_lease()),
    )


def claim_due_messages(now: datetime, limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    """Claim messages for this sender only: two senders never take the same message.

    PostgreSQL skips rows another sender has locked; SQLite lets one writer at a time run
    the claiming UPDATE, and the status check inside it makes a second claim find nothing.
    """
    token = secrets.token_hex(16)
    if db.engine.dialect.name == "postgresql":
        ids = list(
            db.session.scalars(
                select(OutboxMessage.id)
                .where(_due(now))
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
    else:
        ids = list(
            db.session.scalars(
                select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
            )
        )
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), _due(now))
        .values(status=OutboxStatus.SENDING, claimed_at=now, claim_token=token)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
        )
    )


def _release(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = email.describe_error(error)
    message.claim_token = None
    message.claimed_at = None


def _retry_later(message: OutboxMessage, error: Exception, now: datetime, report: DeliveryReport) -> None:
    _release(message, error)
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + timedelta(minutes=min(2**message.attempts, 360))
        report.retrying += 1


def _fail(message: OutboxMessage, error: Exception, report: DeliveryReport) -> None:
    """A message that cannot be sent as it is: trying again would fail the same way."""
    logger.warning("Email %d cannot be sent: %s", message.id, email.describe_error(error))
    _release(message, error)
    message.status = OutboxStatus.FAILED
    report.failed += 1


def _recipient_stopped_emails(message: OutboxMessage) -> bool:
    return message.unsubscribe_url is not None and unsubscribe.stopped_since(
        message.recipient, message.created_at
    )


def _cancel(message: OutboxMessage, report: DeliveryReport) -> None:
    message.status = OutboxStatus.CANCELLED
    message.last_error = "Not sent: the person used Stop these emails after it was queued"
    message.claim_token = None
    message.claimed_at = None
    report.cancelled += 1


def _send_one(
    connection: Connection | email.FolderConnection,
    message: OutboxMessage,
    now: datetime,
    report: DeliveryReport,
) -> bool:
    """Send and mark one message. True when the SMTP session must be reset before the next."""
    if _recipient_stopped_emails(message):
        _cancel(message, report)
        return False
    try:
        email.send(connection, message)
    except _REFUSALS as error:
        _retry_later(message, error, now, report)
    except (OSError, smtplib.SMTPException):
        raise  # the connection, not this message: the caller retries everything left
    except Exception as error:  # noqa: BLE001  whatever one message raises must not hold up the rest
        _fail(message, error, report)
        return True
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = datetime.now(UTC)
        message.claim_token = None
        report.sent += 1
    return False


def send_due_messages(now: datetime | None = None, folder: Path | None = None) -> DeliveryReport:
    """Deliver what is due over one SMTP connection, marking each message as it goes.

    With a folder, each message is written there as a .eml file instead of being sent: the
    same claiming and marking, for development without a mail server.
    """
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    claimed = claim_due_messages(now)
    if not claimed:
        return report
    lease = _Lease(token=claimed[0].claim_token or "", claimed_at=now, length=claim_lease())
    remaining = list(claimed)
    try:
        with email.connect(folder) as connection:
            while remaining:
                lease.renew_if_due()
                message = remaining[0]
                needs_reset = False
                # Another run has taken it over if this one stalled past its lease.
                if message.claim_token == lease.token:
                    needs_reset = _send_one(connection, message, now, report)
                db.session.commit()
                remaining.pop(0)
                if needs_reset:
                    email.reset(connection)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning(
            "Mail server unavailable: %s; %d messages will be retried",
            email.describe_error(error),
            len(remaining),
        )
        for message in remaining:
            if message.claim_token == lease.token:
                _retry_later(message, error, now, report)
        db.session.commit()
    return report


def list_messages_needing_attention() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status.in_([OutboxStatus.FAILED, OutboxStatus.PENDING]),
                OutboxMessage.attempts > 0,
            )
            .order_by(OutboxMessage.created_at)
        )
    )


def retry_message(message_id: int, now: datetime | None = None) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.FAILED:
        return
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now or datetime.now(UTC)
    db.session.commit()
