"""What became of a comment: the summaries that cover it, and the page for its reference.

`covers` is the one rule for which published summaries answer which comments, read by the
my-comment page and by the update emails alike. A published comment's page is for anyone;
an unpublished one is shown only through the signed link in its receipt, and then only what
its author may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentResponse,
    CommentState,
    ResponseState,
    Summary,
    SummaryState,
)
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.privacy import comment_link_token, get_comment_from_link

VIEW_ACTION = "view"


def covers() -> ColumnElement[bool]:
    """Whether a Summary covers a Comment, as a condition joining the two.

    An item's summary covers that item's comments; a section's, the comments on the section
    and on its items (a comment on an item names its section too); the whole document's,
    every comment on that version. Only published summaries cover anything.
    """
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


def summaries_covering(comment: Comment) -> list[Summary]:
    """The published summaries that answer this comment, the whole document's first."""
    return list(
        db.session.scalars(
            select(Summary)
            .join(Comment, covers())
            .where(Comment.id == comment.id)
            .options(selectinload(Summary.actions), selectinload(Summary.section))
            .order_by(Summary.practice_item_id.is_not(None), Summary.section_id.is_not(None), Summary.id)
        )
    )


def view_token(comment: Comment) -> str:
    """The token of a comment's page link in its receipt and on its thank-you page."""
    return comment_link_token(comment, VIEW_ACTION)


@dataclass
class MyComment:
    """What the page for a comment's reference may show to whoever is asking."""

    comment: Comment
    # Reached through the author's own link: they may see its state and their own words.
    as_author: bool
    response: CommentResponse | None = None
    summaries: list[Summary] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.comment.state == CommentState.PUBLISHED


def get_my_comment(reference: str, token: str | None) -> MyComment:
    """The comment behind /comments/<reference>; NotFound, saying nothing, if the asker may not see it.

    A link that was changed or has expired counts as no link: a published comment is still
    shown to everyone, an unpublished one is not found.
    """
    comment = _from_link(reference, token) if token else None
    as_author = comment is not None
    if comment is None:
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
    if comment is None or (comment.state != CommentState.PUBLISHED and not as_author):
        raise NotFound(reference)
    page = MyComment(comment=comment, as_author=as_author)
    if page.published:
        response = comment.response
        page.response = response if response and response.state == ResponseState.PUBLISHED else None
        page.summaries = summaries_covering(comment)
    return page


def _from_link(reference: str, token: str) -> Comment | None:
    try:
        return get_comment_from_link(reference, token, VIEW_ACTION)
    except NotFound:
        return None
