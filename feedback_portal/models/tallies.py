"""How many comments there are of each kind, kept by the database as comments change.

The figures page counts a consultation's comments by section, practice example, state, answer
and channel, and by hour received. Counted from the comments themselves, that read every
comment (five seconds at a million on SQLite). These tallies hold the same counts, one row
per kind: triggers on the comment table (migration e4a7c9b2d6f1) add one on each insert, and
on each change take one from the comment's old kind and add one to its new, in the same
transaction, whichever code or SQL makes the change. Kinds with no comment left stay at 0.

The comment's empty values are stored as 0 (no section, no practice example) and '' (no
answer), because a unique constraint treats two NULLs as different rows.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback_portal.extensions import Model

NO_SECTION = 0
NO_PRACTICE_ITEM = 0
NO_REACTION = ""


class CommentTally(Model):
    """The number of a consultation's comments of one kind."""

    __tablename__ = "comment_tally"
    __table_args__ = (
        UniqueConstraint(
            "consultation_id",
            "section_id",
            "practice_item_id",
            "state",
            "reaction",
            "channel",
            name="uq_comment_tally_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    # Not foreign keys: 0 stands for none.
    section_id: Mapped[int] = mapped_column(Integer)
    practice_item_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    reaction: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    comments: Mapped[int] = mapped_column(Integer)


class CommentHourTally(Model):
    """The number of a consultation's comments in one state received in one hour (UTC), as
    'YYYY-MM-DD HH'. Hours, not days: a UK day is a whole number of UTC hours."""

    __tablename__ = "comment_hour_tally"
    __table_args__ = (
        UniqueConstraint("consultation_id", "hour", "state", name="uq_comment_hour_tally_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    hour: Mapped[str] = mapped_column(String(13))
    state: Mapped[str] = mapped_column(String(20))
    comments: Mapped[int] = mapped_column(Integer)
