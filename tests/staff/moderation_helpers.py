"""Helpers for the moderation tests: reading comments and audit entries, posting actions."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, Comment, Report
from tests.helpers.audit import audit_entries
from tests.pages import parse

ACTION_PATHS = {
    "publish": "publish",
    "publish-redacted": "publish-redacted",
    "reject": "reject",
    "spam": "spam",
    "hide": "hide",
    "restore": "restore",
}
# What each action needs besides the revision, to be a valid post.
ACTION_FIELDS = {
    "publish-redacted": {"public_text": "A redacted version."},
    "reject": {"rejection_reason": "abusive"},
    "hide": {"hide_reason": "personal-information"},
}


def comment_by_reference(app: Flask, reference: str) -> Comment:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        db.session.expunge_all()
        return comment


def comment_by_id(app: Flask, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge_all()
        return comment


def id_of(app: Flask, reference: str) -> int:
    return comment_by_reference(app, reference).id


def comment_audit_entries(app: Flask) -> list[AuditEntry]:
    return [entry for entry in audit_entries(app) if entry.record_type == "comment"]


def audit_json(app: Flask) -> str:
    """Every JSON column of every audit entry, as one string to search."""
    return " ".join(
        json.dumps(
            [entry.before, entry.after, entry.details, entry.action, entry.record_type], ensure_ascii=False
        )
        for entry in audit_entries(app)
    )


def reports_of(app: Flask, comment_id: int) -> list[Report]:
    with app.app_context():
        reports = list(
            db.session.scalars(select(Report).where(Report.comment_id == comment_id).order_by(Report.id))
        )
        db.session.expunge_all()
        return reports


def set_created_at(app: Flask, reference: str, moment: datetime) -> None:
    with app.app_context():
        db.session.execute(update(Comment).where(Comment.reference == reference).values(created_at=moment))
        db.session.commit()


def csrf_token(client: FlaskClient, path: str = "/staff/") -> str:
    """The session's CSRF token, from a page's forms (the sign-out button has one)."""
    field = parse(client.get(path)).select_one("input[name=csrf_token]")
    assert field is not None, f"no CSRF token on {path}"
    return field["value"]


def post_action(
    client: FlaskClient,
    comment_id: int,
    action: str,
    revision: int = 1,
    token: str | None = None,
    **fields: str,
):
    data = {
        "csrf_token": token or csrf_token(client),
        "revision": str(revision),
        **ACTION_FIELDS.get(action, {}),
        **fields,
    }
    return client.post(f"/staff/comments/{comment_id}/{ACTION_PATHS[action]}", data=data)


def form_with_action(soup, action_path: str):
    return soup.select_one(f"form[action='{action_path}']")


def hidden_values(form) -> dict[str, str]:
    return {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
