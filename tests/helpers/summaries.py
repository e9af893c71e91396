"""Making "You said, we did" summaries the way staff would, for tests to build on."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, StaffUser, Summary, Tag
from feedback_portal.services import summaries
from feedback_portal.services.moderation import notes_and_tags
from feedback_portal.services.summaries import ActionDraft, SummaryDraft
from tests.factories import make_staff
from tests.staff.moderation_helpers import csrf_token

AUTHOR = "summary.author@example.gov.uk"


def author(app: Flask, email: str = AUTHOR) -> StaffUser:
    """A moderator in the current app context, made the first time it is asked for."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is None:
        make_staff(app, role="moderator", email=email)
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    return user


def comment_id(reference: str) -> int:
    return db.session.scalar(select(Comment.id).where(Comment.reference == reference))


def tag_comment(app: Flask, reference: str, theme: str) -> int:
    """Give a comment a theme, as a moderator would. Returns the theme's id."""
    with app.app_context():
        return notes_and_tags.add_tag(comment_id(reference), theme, author(app)).id


def theme_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Tag.id).where(Tag.name == name))


def make_summary(
    app: Flask,
    target: str = "basic",
    you_said: str = "People want to know who decides.",
    actions: list[ActionDraft] | None = None,
    quotes: list[str] = (),  # type: ignore[assignment]
    themes: list[int] = (),  # type: ignore[assignment]
    publish: bool = True,
) -> int:
    """A summary saved through the service, published unless asked not to. Returns its id."""
    with app.app_context():
        actor = author(app)
        summary = summaries.create_summary(target, actor)
        draft = SummaryDraft(
            you_said=you_said,
            theme_ids=list(themes),
            quote_comment_ids=[comment_id(reference) for reference in quotes],
            actions=actions if actions is not None else [ActionDraft("We added a glossary.", "changed")],
        )
        summaries.save_summary(summary.id, summary.revision, draft, publish, actor)
        return summary.id


def stored_summary(app: Flask, summary_id: int) -> Summary:
    with app.app_context():
        summary = summaries.get_summary(summary_id)
        for relation in (summary.quotes, summary.actions, summary.themes):
            list(relation)
        db.session.expunge_all()
        return summary


def summary_form(client: FlaskClient, summary_id: int, revision: int, **fields) -> dict:
    """What the edit page posts: one action row unless `fields` says otherwise."""
    data = {
        "csrf_token": csrf_token(client),
        "revision": str(revision),
        "you_said": "People want plain words.",
        "actions-0-description": "We rewrote the introduction.",
        "actions-0-status": "changed",
        "actions-0-reason": "",
        "intent": "publish",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}
