"""Answers to "Does this make sense to you?" given on their own, without a comment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now


class StandaloneReaction(Model):
    """One answer, and what it is about. Nothing about the person: no name, email or address.

    The public only ever sees totals of these.
    """

    __table_args__ = (
        Index("ix_standalone_reaction_target", "document_version_id", "section_id", "practice_item_id"),
        CheckConstraint("reaction IN ('yes', 'partly', 'no')", name="reaction_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per rendered form, so a double click or a resubmission counts once.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))
    # Neither set: the answer is about the document as a whole. An example's answer has both.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    practice_item_id: Mapped[int | None] = mapped_column(ForeignKey("practice_item.id"))
    reaction: Mapped[str] = mapped_column(String(10))
    # To the hour: an exact time could be matched to a line in a web server's log.
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
