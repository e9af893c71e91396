"""The one seam to email: messages go into the outbox table, and `flask outbox send` delivers them.

This module never commits: `feedback_portal.services.outbox` claims, sends and marks messages.

An email is written in the same transaction as the change that causes it, so a failed
change sends nothing and a saved change cannot lose its email. A mail server that is down
only delays delivery.
"""

from __future__ import annotations

import hashlib
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, url_for
from flask_mail import Connection, Message
from sqlalchemy import select

from feedback_portal.extensions import db, mail
from feedback_portal.models import OutboxMessage


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
    text_body, html_body = render(subject, template, **context)
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        message_id=message_id_for(dedupe_key),
        recipient=address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
    )
    db.session.add(message)
    return message


def render(subject: str, template: str, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of an email, from templates/email/<template>.txt and .html."""
    return (
        render_template(f"email/{template}.txt", subject=subject, **context),
        render_template(f"email/{template}.html", subject=subject, **context),
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


def connect() -> Connection:
    """One connection to the mail server, to send many messages over."""
    return mail.connect()


def send(connection: Connection, message: OutboxMessage) -> None:
    connection.send(_as_mail(message))


def describe_error(error: Exception) -> str:
    # Never the exception's text: SMTP errors quote the addresses they refused.
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")
