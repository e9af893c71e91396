"""The audit log: what staff did, to which record, from what to what, and when.

Append-only. No code updates or deletes an entry, and the database refuses to (triggers
made by the migration). It never holds comment text, email addresses, passwords or tokens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now
from feedback_portal.models.staff import StaffUser


class AuditEntry(Model):
    # The log reads newest first: each filter leads an index that ends in that order.
    __table_args__ = (
        Index("ix_audit_entry_occurred_at_id", "occurred_at", "id"),
        Index("ix_audit_entry_action_occurred_at_id", "action", "occurred_at", "id"),
        Index("ix_audit_entry_actor_id_occurred_at_id", "actor_id", "occurred_at", "id"),
        Index("ix_audit_entry_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    # None for actions by nobody signed in, such as a failed sign-in to an unknown account.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(String(50))
    record_type: Mapped[str | None] = mapped_column(String(30))
    record_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    # Reasons, filters, counts: facts about the action, never personal data.
    details: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[StaffUser | None] = relationship()
