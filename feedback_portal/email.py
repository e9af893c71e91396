"""The one seam to email: messages go into the outbox table, and `flask outbox send` delivers them
(in development, `make run` has them written as files under instance/mail).

This module never commits: `feedback_portal.services.outbox` claims, sends and marks messages.

An email is written in the same transaction as the change that causes it, so a failed
change sends nothing and a saved change cannot lose its email. A mail server that is down
only delays delivery.

Nothing a person typed reaches a header: the To header is the bare address, checked by the
forms' own rule; From is the organisation's name; a subject is the portal's own words on one
line, never a name (`checked_subject`). Names, comments and offers go in the bodies, escaped.
"""

from __future__ import annotations

import hashlib
import socket
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import select

from feedback_portal.addresses import UnsendableAddress, sendable_address
from feedback_portal.extensions import db, mail
from feedback_portal.models import OutboxMessage


class InvalidRecipient(ValueError):
    """Not exactly one valid email address: it must never reach a mail header."""


def checked_address(address: str) -> str:
    """The address to store and send to, by the same rule as the forms (see addresses.py)."""
    try:
        return sendable_address(address)
    except UnsendableAddress as error:
        raise InvalidRecipient(str(error)) from None


class UnsafeSubject(ValueError):
    """A subject that is not one line of plain text: it must never reach a mail header."""


# Control characters (CR, LF, NUL, tab...) and the Unicode line and paragraph separators.
_NOT_IN_A_HEADER = {"Cc", "Zl", "Zp"}


def checked_subject(subject: str) -> str:
    """A subject as it may reach the Subject header: one line, no control characters."""
    if any(unicodedata.category(character) in _NOT_IN_A_HEADER for character in subject):
        raise UnsafeSubject("A subject must be one line of plain text")
    return subject


def message_id_for(dedupe_key: str) -> str:
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]}@{domain}>"


def enqueue(
    kind: str,
    dedupe_key: str,
    recipient: str,
    subject: str,
    template: str,
    unsubscribe_url: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Add an email to the current transaction, rendered from templates/email/<template>.txt and .html.

    An email for a dedupe_key already queued is not queued again. With an `unsubscribe_url`
    it carries the one-click List-Unsubscribe headers, and is not sent if its recipient
    unsubscribes before it goes.
    """
    address = checked_address(recipient)
    subject = checked_subject(subject)
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
        unsubscribe_url=unsubscribe_url,
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
        # Checked again here: a message queued before today's rule must fail, not crash the run.
        recipients=[checked_address(message.recipient)],
        body=message.text_body,
        html=message.html_body,
        sender=(current_app.config["ORGANISATION_NAME"], current_app.config["MAIL_DEFAULT_SENDER"]),
        extra_headers=_unsubscribe_headers(message.unsubscribe_url),
    )
    mail_message.msgId = message.message_id
    return mail_message


def _unsubscribe_headers(url: str | None) -> dict[str, str] | None:
    """RFC 8058: the mail program offers "Unsubscribe" and POSTs to the URL itself, no page needed."""
    if url is None:
        return None
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


class FolderConnection:
    """Stands in for a mail server in development: each message becomes a .eml file.

    A file is named after the message's Message-ID, so a message sent again after a crash
    overwrites its own file instead of appearing twice.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> FolderConnection:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def send(self, mail_message: Message) -> None:
        name = mail_message.msgId.strip("<>").partition("@")[0]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{name[:12]}.eml"
        for earlier in self.folder.glob(f"*-{name[:12]}.eml"):
            path = earlier
        # Written whole, then renamed: a mail reader never opens half a message.
        partial = path.with_suffix(".partial")
        partial.write_bytes(mail_message.as_bytes())
        partial.replace(path)


@contextmanager
def connect(folder: Path | None = None) -> Iterator[Connection | FolderConnection]:
    """One connection to the mail server, to send many messages over; or a folder to write them to.

    A server that stops answering raises a timeout (an OSError) after MAIL_TIMEOUT seconds, so
    `flask outbox send` never hangs: the messages it has not sent wait for their retry.
    """
    if folder is not None:
        with FolderConnection(folder) as connection:
            yield connection
        return
    # Flask-Mail opens its socket without a timeout; a socket takes the default when it is made.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])
    try:
        with mail.connect() as connection:
            yield connection
    finally:
        socket.setdefaulttimeout(previous)


def send(connection: Connection | FolderConnection, message: OutboxMessage) -> None:
    connection.send(_as_mail(message))


def reset(connection: Connection | FolderConnection) -> None:
    """Abandon a half-sent message, so the next one starts a clean SMTP transaction."""
    if isinstance(connection, Connection) and connection.host is not None:
        connection.host.rset()


def describe_error(error: Exception) -> str:
    # Never the exception's text: SMTP errors quote the addresses they refused.
    if isinstance(error, InvalidRecipient):
        return f"The address cannot be sent to: {error}"  # our own words, never the address
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")
