"""Reading the audit log back in tests."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry


def audit_entries(app: Flask, action: str | None = None) -> list[AuditEntry]:
    """Every audit entry, oldest first, or only those of one action; detached from the session."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries
