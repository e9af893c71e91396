"""Themes for tests: given to comments through the moderation service, and read back."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, StaffUser, Summary, Tag, comment_tag, summary_theme
from feedback_portal.services import documents, moderation


def staff_user(app: Flask, email: str) -> StaffUser:
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        db.session.expunge_all()
        return user


def give_theme(app: Flask, reference: str, name: str, actor_email: str = "moderator@example.gov.uk") -> int:
    """Give the comment a theme as a moderator would. Returns the theme's id."""
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).where(Comment.reference == reference))
        actor = db.session.scalar(select(StaffUser).where(StaffUser.email == actor_email))
        return moderation.add_tag(comment_id, name, actor).id


def make_summary(app: Flask, theme_ids: list[int], author_email: str = "moderator@example.gov.uk") -> int:
    """A draft summary of the whole document covering these themes. Returns its id."""
    with app.app_context():
        author = db.session.scalar(select(StaffUser).where(StaffUser.email == author_email))
        summary = Summary(
            document_version_id=documents.get_current_version().id,
            you_said="People said things.",
            author_id=author.id,
        )
        db.session.add(summary)
        db.session.flush()
        for theme_id in theme_ids:
            db.session.execute(summary_theme.insert().values(summary_id=summary.id, tag_id=theme_id))
        db.session.commit()
        return summary.id


def theme(app: Flask, tag_id: int) -> Tag | None:
    with app.app_context():
        tag = db.session.get(Tag, tag_id)
        db.session.expunge_all()
        return tag


def theme_id(app: Flask, name: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Tag.id).where(Tag.name == name))


def comment_themes(app: Flask) -> set[tuple[str, str]]:
    """Every (comment reference, theme name) pair there is."""
    with app.app_context():
        return {
            (reference, name)
            for reference, name in db.session.execute(
                select(Comment.reference, Tag.name)
                .join(comment_tag, comment_tag.c.comment_id == Comment.id)
                .join(Tag, Tag.id == comment_tag.c.tag_id)
            )
        }


def summary_themes(app: Flask) -> list[tuple[int, int]]:
    """Every (summary id, theme id) row, duplicates included."""
    with app.app_context():
        return sorted(
            tuple(row)
            for row in db.session.execute(select(summary_theme.c.summary_id, summary_theme.c.tag_id))
        )


def take_theme_off(
    app: Flask, reference: str, tag_id: int, actor_email: str = "moderator@example.gov.uk"
) -> None:
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).where(Comment.reference == reference))
        actor = db.session.scalar(select(StaffUser).where(StaffUser.email == actor_email))
        assert moderation.remove_tag(comment_id, tag_id, actor)
