"""What moderators add to comments: internal notes and themes (tags)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model, db
from feedback_portal.models.document import utc_now
from feedback_portal.models.staff import StaffUser

comment_tag = Table(
    "comment_tag",
    db.metadata,
    Column("comment_id", ForeignKey("comment.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True, index=True),
)


class Tag(Model):
    """A theme moderators give comments, created the first time someone uses it.

    Staff manage the list at /staff/themes: describe, rename, merge, delete when unused.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored in lower case, so "Power" and "power" are one theme.
    name: Mapped[str] = mapped_column(String(60), unique=True)
    # What the theme covers, in the team's words, so that everyone gives it to the same comments.
    description: Mapped[str | None] = mapped_column(Text)
    # Bumped by every rename, description and merge, so that two staff cannot overwrite each other.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class CommentNote(Model):
    """A note for the team about a comment. Never public."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    author: Mapped[StaffUser] = relationship()
