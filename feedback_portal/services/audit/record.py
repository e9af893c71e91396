"""Writing to the audit log. Entries join the caller's transaction: no action without its record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, StaffUser


def record(
    action: str,
    actor: StaffUser | None,
    record_type: str | None = None,
    record_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry to the current transaction; the caller commits it with the change itself.

    Never pass comment text, email addresses, passwords or tokens: ids, states and reasons only.
    """
    entry = AuditEntry(
        occurred_at=now or datetime.now(UTC),
        actor_id=actor.id if actor is not None else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        before=before,
        after=after,
        details=details,
    )
    db.session.add(entry)
    return entry


def list_entries_for(record_type: str, record_id: int) -> list[AuditEntry]:
    """The history of one record, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
            .order_by(AuditEntry.occurred_at, AuditEntry.id)
        )
    )
