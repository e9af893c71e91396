"""Email waiting to be sent. Written in the same transaction as the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now


class OutboxStatus(StrEnum):
    PENDING = "pending"
    # Claimed by a sender. A claim older than its lease was interrupted and is sent again.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Not sent: its recipient used "Stop these emails" after it was queued.
    CANCELLED = "cancelled"


class OutboxMessage(Model):
    __table_args__ = (Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the email is and why, like "receipt:comment:42": the same event never makes two emails.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    # The same for every try, so a message sent twice after a crash is recognisably one message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # The one-click List-Unsubscribe address (RFC 8058), on emails to the public only.
    unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(40), index=True)
    # What went wrong last time, in words that never include an address.
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None]
