""" "You said, we did": what the team heard about one part of the document, and what it did.

A summary covers the whole document (no section, no item), one section, or one practice item,
of one document version, like a comment does. Its quotes point at comments rather than copying
them, so a quote shows the comment's published (redacted) text as it is now, and vanishes when
the comment stops being published or is erased.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model, db
from feedback_portal.models.document import DocumentVersion, PracticeItem, Section, utc_now
from feedback_portal.models.feedback import Comment
from feedback_portal.models.moderation import Tag
from feedback_portal.models.staff import StaffUser


class SummaryState(StrEnum):
    # Being written: only staff see it.
    DRAFT = "draft"
    PUBLISHED = "published"
    # Taken down by staff after it was published.
    WITHDRAWN = "withdrawn"


class ActionStatus(StrEnum):
    """Where one thing the team did, or decided, stands."""

    CHANGED = "changed"
    WILL_CHANGE = "will-change"
    # Needs a reason, said to the public.
    NOT_CHANGING = "not-changing"
    CONSIDERING = "considering"


summary_theme = Table(
    "summary_theme",
    db.metadata,
    Column("summary_id", ForeignKey("summary.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True, index=True),
)


class Summary(Model):
    """What people said about one part of the document, the themes in it, and what the team did."""

    id: Mapped[int] = mapped_column(primary_key=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"), index=True)
    # Neither set: the summary is about the document as a whole.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    practice_item_id: Mapped[int | None] = mapped_column(ForeignKey("practice_item.id"), index=True)
    # "You said": the feedback in plain words.
    you_said: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=SummaryState.DRAFT)
    # Bumped on every change, so that two moderators cannot overwrite each other.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    # When it was last published: the date the public sees, and what updates are gathered by.
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))

    document_version: Mapped[DocumentVersion] = relationship()
    section: Mapped[Section | None] = relationship()
    practice_item: Mapped[PracticeItem | None] = relationship()
    author: Mapped[StaffUser] = relationship()
    themes: Mapped[list[Tag]] = relationship(secondary=summary_theme, order_by="Tag.name")
    quotes: Mapped[list[SummaryQuote]] = relationship(
        order_by="SummaryQuote.position", cascade="all, delete-orphan"
    )
    actions: Mapped[list[SummaryAction]] = relationship(
        order_by="SummaryAction.position", cascade="all, delete-orphan"
    )


class SummaryQuote(Model):
    """A published comment chosen to show what people said, in its published (redacted) words."""

    __table_args__ = (UniqueConstraint("summary_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summary.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    position: Mapped[int]

    comment: Mapped[Comment] = relationship()


class SummaryAction(Model):
    """One thing the team did or decided because of the feedback: "We did"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summary.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    # Why the team is not changing something; shown to the public with the action.
    reason: Mapped[str | None] = mapped_column(Text)
