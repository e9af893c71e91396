"""What became of a comment: the summaries that cover it, and the page for its reference.

Which summaries answer a comment is summaries.coverage's one rule. A published comment's page
is for anyone; an unpublished one is shown only through the signed link in its receipt, and
then only what its author may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentResponse,
    CommentState,
    ResponseState,
    Summary,
)
from feedback_portal.services import summaries
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.privacy import comment_link_token, get_comment_from_link
from feedback_portal.services.summaries.coverage import covers

VIEW_ACTION = "view"


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
    summaries: list[summaries.ShownSummary] = field(default_factory=list)

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
        page.summaries = summaries.show(summaries_covering(comment))
    return page


def _from_link(reference: str, token: str) -> Comment | None:
    try:
        return get_comment_from_link(reference, token, VIEW_ACTION)
    except NotFound:
        return None
