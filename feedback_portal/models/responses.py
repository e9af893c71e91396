"""The team's public response to one comment, and every version of it that staff saved."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now
from feedback_portal.models.staff import StaffUser


class ResponseState(StrEnum):
    # Saved but never shown to the public.
    DRAFT = "draft"
    PUBLISHED = "published"
    # Taken down by staff; its versions stay for staff.
    WITHDRAWN = "withdrawn"


class CommentResponse(Model):
    """What the team says back to one comment. The public sees it only while it is published."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=ResponseState.DRAFT)
    # Bumped on every change, so that two moderators cannot overwrite each other.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    # When it was last published: the date the public sees.
    published_at: Mapped[datetime | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))

    author: Mapped[StaffUser] = relationship()
    versions: Mapped[list[CommentResponseVersion]] = relationship(
        order_by="CommentResponseVersion.revision", viewonly=True
    )


class CommentResponseVersion(Model):
    """One saved version of a response: its text and state at that revision, and who saved it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("comment_response.id"), index=True)
    revision: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    saved_at: Mapped[datetime] = mapped_column(default=utc_now)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))

    saved_by: Mapped[StaffUser] = relationship()
