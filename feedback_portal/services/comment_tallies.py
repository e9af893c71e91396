"""The comment tallies (models/tallies.py): counts read from them, and the tallies counted afresh.

Triggers keep the tallies as comments change, so the running service never recounts. That is
for comments loaded with those triggers switched off (the benchmark's million, bulk imports),
and for an operator who wants to be sure: `flask tallies recount`.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentHourTally, CommentTally
from feedback_portal.models.tallies import NO_PRACTICE_ITEM, NO_REACTION, NO_SECTION
from feedback_portal.services.sql_functions import utc_hour


def count_in_state(state: str, consultation_id: int | None = None) -> int:
    """How many comments are in this state: in one consultation, or in all of them."""
    query = select(func.coalesce(func.sum(CommentTally.comments), 0)).where(CommentTally.state == state)
    if consultation_id:
        query = query.where(CommentTally.consultation_id == consultation_id)
    return int(db.session.scalar(query) or 0)


def recount_comment_tallies() -> int:
    """Count every comment into its kind and hour again, in one transaction; returns how many."""
    if db.engine.dialect.name == "postgresql":
        # Longer than a web request may take: counting a million comments takes seconds.
        db.session.execute(text("SET LOCAL statement_timeout = 0"))
        db.session.execute(text("SET LOCAL lock_timeout = '60s'"))
        # Writers wait until the recount commits: a comment added meanwhile would be counted twice
        # or not at all. SQLite has one writer at a time already.
        db.session.execute(text("LOCK TABLE comment IN SHARE MODE"))
    db.session.execute(delete(CommentTally))
    db.session.execute(delete(CommentHourTally))
    kind = (
        Comment.consultation_id,
        func.coalesce(Comment.section_id, NO_SECTION),
        func.coalesce(Comment.practice_item_id, NO_PRACTICE_ITEM),
        Comment.state,
        func.coalesce(Comment.reaction, NO_REACTION),
        Comment.channel,
    )
    db.session.execute(
        insert(CommentTally).from_select(
            ["consultation_id", "section_id", "practice_item_id", "state", "reaction", "channel", "comments"],
            select(*kind, func.count()).group_by(*kind),
        )
    )
    hour = (Comment.consultation_id, utc_hour(Comment.created_at), Comment.state)
    db.session.execute(
        insert(CommentHourTally).from_select(
            ["consultation_id", "hour", "state", "comments"], select(*hour, func.count()).group_by(*hour)
        )
    )
    counted = db.session.scalar(select(func.coalesce(func.sum(CommentTally.comments), 0))) or 0
    db.session.commit()
    return int(counted)
