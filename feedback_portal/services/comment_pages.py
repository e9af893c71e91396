"""A section's own comments a page at a time: its most recent on the section's page, and every
one of them, oldest first, on pages of keyset links behind it.

A section with thousands of comments stays a page: each page is found from the (published_at,
id) position of its first or last comment, so page 40 costs what page 1 does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, Consultation, DocumentVersion, Section
from feedback_portal.services.feedback import published_comments_query
from feedback_portal.services.paging import after_key, decode_cursor, encode_cursor


@dataclass(frozen=True)
class CommentPage:
    """Some of a section's comments, oldest first, with links to the pages either side."""

    comments: list[Comment]
    total: int
    # Cursors: the page before starts before `earlier`, the page after starts after `later`.
    earlier: str | None
    later: str | None


def most_recent(
    version: DocumentVersion, section: Section, consultation: Consultation | None, size: int
) -> CommentPage:
    """The section's `size` most recent comments of its own, oldest of them first."""
    return _page(version, section, consultation, size, cursor=None, backwards=True)


def page_of_comments(
    version: DocumentVersion,
    section: Section,
    consultation: Consultation | None,
    size: int,
    after: str | None = None,
    before: str | None = None,
) -> CommentPage:
    """A page of the section's comments: the first, or the one after or before a cursor. A
    cursor that is not one of ours gives the first page."""
    if (position := decode_cursor(before)) is not None:
        return _page(version, section, consultation, size, cursor=position, backwards=True)
    return _page(version, section, consultation, size, cursor=decode_cursor(after), backwards=False)


def _page(
    version: DocumentVersion,
    section: Section,
    consultation: Consultation | None,
    size: int,
    cursor: tuple | None,
    backwards: bool,
) -> CommentPage:
    query = published_comments_query(version, section, consultation=consultation, on_section="own")
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if cursor is not None:
        query = query.where(after_key(Comment.published_at, Comment.id, *cursor, descending=backwards))
    if backwards:
        query = query.order_by(Comment.published_at.desc(), Comment.id.desc())
    else:
        query = query.order_by(Comment.published_at, Comment.id)
    rows = list(db.session.scalars(query.limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first_key = _key(rows[0]) if rows else None
    last_key = _key(rows[-1]) if rows else None
    # Going back, there are more before if the query found them, and after if we came from there.
    has_earlier = more if backwards else cursor is not None
    has_later = (cursor is not None) if backwards else more
    return CommentPage(
        comments=rows,
        total=total,
        earlier=first_key if has_earlier and rows else None,
        later=last_key if has_later and rows else None,
    )


def _key(comment: Comment) -> str:
    assert comment.published_at is not None  # a published comment has its moment
    return encode_cursor(comment.published_at, comment.id)
