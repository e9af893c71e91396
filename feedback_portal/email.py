"""The one seam to email: messages go into the outbox table, and `flask outbox send` delivers them.

An email is written in the same transaction as the change that causes it, so a failed
change sends nothing and a saved change cannot lose its email. A mail server that is down
only delays delivery.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, url_for
from flask_mail import Message
from sqlalchemy import or_, select, update

from feedback_portal.extensions import db, mail
from feedback_portal.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
CLAIM_LEASE = timedelta(minutes=10)
BATCH_SIZE = 200
logger = logging.getLogger(__name__)


class InvalidRecipient(ValueError):
    """Not exactly one valid email address: it must never reach a mail header."""


def checked_address(address: str) -> str:
    if not address or any(c in address for c in "\r\n,;<>\"'") or any(c.isspace() for c in address):
        raise InvalidRecipient("not a single email address")
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidRecipient("not a valid email address") from None


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an email, which is read outside any request to this site."""
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def message_id_for(dedupe_key: str) -> str:
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]}@{domain}>"


def enqueue(
    kind: str, dedupe_key: str, recipient: str, subject: str, template: str, **context: Any
) -> OutboxMessage | None:
    """Add an email to the current transaction, rendered from templates/email/<template>.txt and .html.

    An email for a dedupe_key already queued is not queued again.
    """
    address = checked_address(recipient)
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        message_id=message_id_for(dedupe_key),
        recipient=address,
        subject=subject,
        text_body=render_template(f"email/{template}.txt", subject=subject, **context),
        html_body=render_template(f"email/{template}.html", subject=subject, **context),
    )
    db.session.add(message)
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(now: datetime):
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - CLAIM_LEASE),
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


def _as_mail(message: OutboxMessage) -> Message:
    mail_message = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.text_body,
        html=message.html_body,
        sender=(current_app.config["ORGANISATION_NAME"], current_app.config["MAIL_DEFAULT_SENDER"]),
    )
    mail_message.msgId = message.message_id
    return mail_message


def _describe(error: Exception) -> str:
    # Never the exception's text: SMTP errors quote the addresses they refused.
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")


def _retry_later(message: OutboxMessage, error: Exception, now: datetime, report: DeliveryReport) -> None:
    message.attempts += 1
    message.last_error = _describe(error)
    message.claim_token = None
    message.claimed_at = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + timedelta(minutes=min(2**message.attempts, 360))
        report.retrying += 1


def send_due_messages(now: datetime | None = None) -> DeliveryReport:
    """Deliver what is due over one SMTP connection, marking each message as it goes."""
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    claimed = claim_due_messages(now)
    if not claimed:
        return report
    remaining = list(claimed)
    try:
        with mail.connect() as connection:
            while remaining:
                message = remaining[0]
                try:
                    connection.send(_as_mail(message))
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused,
                ) as error:
                    _retry_later(message, error, now, report)
                else:
                    message.status = OutboxStatus.SENT
                    message.sent_at = datetime.now(UTC)
                    message.claim_token = None
                    report.sent += 1
                db.session.commit()
                remaining.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning(
            "Mail server unavailable: %s; %d messages will be retried", _describe(error), len(remaining)
        )
        for message in remaining:
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
