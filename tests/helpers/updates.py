"""Comments from people who asked to hear what happens, and the responses and summaries that answer them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, OutboxMessage, StaffUser, Summary, SummaryAction
from feedback_portal.services import documents, feedback, responses
from feedback_portal.services.feedback import CommentSubmission, CommentTarget
from tests.factories import make_staff


def comment_asking_for_updates(
    app: Flask,
    address: str,
    section_slug: str | None = "basic",
    item_key: str | None = None,
    text: str = "I would like to hear what you do.",
    state: str = CommentState.PUBLISHED,
    created_at: datetime | None = None,
) -> str:
    """A comment whose author ticked "Tell me what happens", saved by the service, then in `state`."""
    with app.app_context():
        version = documents.get_current_version()
        target = CommentTarget(version=version)
        if section_slug:
            page = documents.get_section_page(section_slug)
            target = CommentTarget(version=version, section=page.section)
            if item_key:
                _, item = documents.get_practice_item(section_slug, item_key)
                target = CommentTarget(version=version, section=page.section, item=item)
        comment = feedback.submit_comment(
            target,
            CommentSubmission(
                submission_key=feedback.new_submission_key(),
                text=text,
                reaction=None,
                name="Ruth",
                email=address,
                wants_updates=True,
                wants_involvement=False,
                client_address="192.0.2.10",
            ),
            now=created_at,
        )
        comment.state = state
        if state == CommentState.PUBLISHED:
            comment.published_at = created_at or datetime.now(UTC)
        db.session.commit()
        return comment.reference


def staff_member(app: Flask) -> int:
    with app.app_context():
        existing = db.session.scalar(
            select(StaffUser.id).where(StaffUser.email == "responder@example.gov.uk")
        )
    return existing or make_staff(app, role="moderator", email="responder@example.gov.uk")


def publish_response(
    app: Flask, reference: str, body: str = "Thank you: we have changed the wording."
) -> None:
    actor_id = staff_member(app)
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        responses.save_response(
            comment.id,
            responses.NO_RESPONSE_YET,
            body,
            publish=True,
            actor=db.session.get(StaffUser, actor_id),
        )


def publish_summary(
    app: Flask,
    section_slug: str | None = None,
    item_key: str | None = None,
    you_said: str = "You said the levels were hard to tell apart.",
    actions: tuple[str, ...] = ("We rewrote the introduction.",),
    state: str = "published",
    published_at: datetime | None = None,
) -> int:
    """A summary made directly (its staff pages are another part of the work), published now."""
    author_id = staff_member(app)
    with app.app_context():
        version = documents.get_current_version()
        section = documents.get_section_page(section_slug).section if section_slug else None
        item = documents.get_practice_item(section_slug, item_key)[1] if section_slug and item_key else None
        summary = Summary(
            document_version_id=version.id,
            section_id=section.id if section else None,
            practice_item_id=item.id if item else None,
            you_said=you_said,
            state=state,
            published_at=(published_at or datetime.now(UTC)) if state == "published" else None,
            author_id=author_id,
            actions=[
                SummaryAction(position=number, description=action, status="changed")
                for number, action in enumerate(actions)
            ],
        )
        db.session.add(summary)
        db.session.commit()
        return summary.id


def update_emails(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "update").order_by(OutboxMessage.id)
            )
        )
        db.session.expunge_all()
        return rows
