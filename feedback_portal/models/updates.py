"""Updates to the people who asked: which events each person has been told of, and in which email.

A person is one email address, kept only as a keyed one-way code, so that erasing someone's
contact details leaves nothing here that names them. The unique pair makes each event reach
each person once, however many `flask updates send` runs overlap.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now


class UpdateDelivery(Model):
    """One event (a response or a summary published) told to one person, in one outbox email."""

    __table_args__ = (UniqueConstraint("person_key", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # keyed_hash of the lower-cased address: one mailbox, however its letters were typed.
    person_key: Mapped[str] = mapped_column(String(64))
    # Like "response:12" or "summary:3".
    event_key: Mapped[str] = mapped_column(String(40))
    outbox_message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    # The person's comment the event answered (the first, for a summary answering several):
    # recognises the event as told even after a new SECRET_KEY has changed every person_key.
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
