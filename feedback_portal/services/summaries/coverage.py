"""Which comments a summary answers: the one rule, in the three forms its readers need.

An item's summary covers that item's comments; a section's, the comments on the section and on
its items (a comment on an item names its section too); the whole document's, every comment on
that version. The counts behind a summary, the comments its links lead to, the my-comment page
and the update emails all read it from here, so they cannot disagree.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from feedback_portal.models import Comment, Summary, SummaryState


def covers() -> ColumnElement[bool]:
    """A condition joining Summary to Comment: the published summaries that answer each comment."""
    return and_(
        Summary.state == SummaryState.PUBLISHED,
        Summary.published_at.is_not(None),
        Summary.document_version_id == Comment.document_version_id,
        or_(
            and_(Summary.section_id.is_(None), Summary.practice_item_id.is_(None)),
            and_(Summary.practice_item_id.is_(None), Summary.section_id == Comment.section_id),
            Summary.practice_item_id == Comment.practice_item_id,
        ),
    )


def comments_covered_by(summary: Summary) -> ColumnElement[bool]:
    """A condition on Comment: the comments this one summary answers, whatever their state."""
    on_version = Comment.document_version_id == summary.document_version_id
    if summary.practice_item_id is not None:
        return and_(on_version, Comment.practice_item_id == summary.practice_item_id)
    if summary.section_id is not None:
        return and_(on_version, Comment.section_id == summary.section_id)
    return on_version


def covers_part(summary: Summary, section_id: int | None, item_id: int | None) -> bool:
    """Whether the summary answers feedback on this part of its version (counts grouped by part)."""
    if summary.practice_item_id is not None:
        return item_id == summary.practice_item_id
    if summary.section_id is not None:
        return section_id == summary.section_id
    return True
