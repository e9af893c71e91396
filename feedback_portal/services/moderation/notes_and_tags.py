"""Internal notes on a comment, and the themes (tags) staff give it."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentNote, StaffUser, Tag, comment_tag
from feedback_portal.services import audit
from feedback_portal.services.exceptions import Conflict, NotFound

TAG_MAX_LENGTH = 60
NOTE_MAX_LENGTH = 2000


def add_note(comment_id: int, text: str, actor: StaffUser, now: datetime | None = None) -> CommentNote:
    """An internal note for the team. The audit log records that it was written, not what it says."""
    now = now or datetime.now(UTC)
    _require_comment(comment_id)
    note = CommentNote(comment_id=comment_id, author_id=actor.id, text=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    audit.record(
        "comment.note",
        actor,
        record_type="comment",
        record_id=comment_id,
        details={"note_id": note.id},
        now=now,
    )
    db.session.commit()
    return note


def normalise_tag_name(name: str) -> str:
    """One spelling per theme: lower case, single spaces."""
    return " ".join(name.split()).lower()


def is_valid_tag_name(name: str) -> bool:
    return 0 < len(name) <= TAG_MAX_LENGTH and all(
        character in " -" or unicodedata.category(character)[0] in "LN" for character in name
    )


def add_tag(comment_id: int, name: str, actor: StaffUser, now: datetime | None = None) -> Tag:
    """Give a comment a theme, creating the theme the first time anyone uses it."""
    now = now or datetime.now(UTC)
    name = normalise_tag_name(name)
    if not is_valid_tag_name(name):
        raise ValueError("Not a tag name")
    _require_comment(comment_id)
    for _attempt in range(2):
        tag = db.session.scalar(select(Tag).where(Tag.name == name))
        if tag is not None and _has_tag(comment_id, tag.id):
            db.session.rollback()
            return tag
        try:
            if tag is None:
                tag = Tag(name=name, created_at=now)
                db.session.add(tag)
                db.session.flush()
            db.session.execute(insert(comment_tag).values(comment_id=comment_id, tag_id=tag.id))
            audit.record(
                "comment.tag",
                actor,
                record_type="comment",
                record_id=comment_id,
                details={"tag_id": tag.id},
                now=now,
            )
            db.session.commit()
            return tag
        except IntegrityError:
            # Someone made the same theme, or gave it to this comment, at the same moment:
            # start again and find theirs.
            db.session.rollback()
    raise Conflict(f"Could not tag comment {comment_id}")


def _has_tag(comment_id: int, tag_id: int) -> bool:
    return (
        db.session.scalar(
            select(comment_tag.c.tag_id).where(
                comment_tag.c.comment_id == comment_id, comment_tag.c.tag_id == tag_id
            )
        )
        is not None
    )


def remove_tag(comment_id: int, tag_id: int, actor: StaffUser, now: datetime | None = None) -> bool:
    """Take a theme off a comment. False if it did not have it."""
    _require_comment(comment_id)
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(comment_tag).where(comment_tag.c.comment_id == comment_id, comment_tag.c.tag_id == tag_id)
        ),
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    audit.record(
        "comment.untag",
        actor,
        record_type="comment",
        record_id=comment_id,
        details={"tag_id": tag_id},
        now=now,
    )
    db.session.commit()
    return True


def _require_comment(comment_id: int) -> None:
    if db.session.scalar(select(Comment.id).where(Comment.id == comment_id)) is None:
        raise NotFound(f"No comment {comment_id}")
