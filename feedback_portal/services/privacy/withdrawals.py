"""What people withdraw or erase themselves, by the links they were given.

Withdrawing a comment or erasing the contact details given with it, by the links in its
receipt; withdrawing a get-involved offer by its link. Each function here commits its own change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, InvolvementOffer

# The module, not its names: involvement imports notifications, which leads back here.
from feedback_portal.services import audit, involvement
from feedback_portal.services.exceptions import AlreadyDone, Conflict, NotFound

# Comments, by the links in their receipt -------------------------------------------------------


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="comment-link")


def comment_link_token(comment: Comment, action: str) -> str:
    """A signed token for a receipt's link: it names the comment and the one thing it does."""
    return _link_serializer().dumps({"comment": comment.id, "action": action})


def get_comment_from_link(reference: str, token: str, action: str) -> Comment:
    """The comment a receipt's link is for; NotFound if tampered with, expired or already used."""
    max_age = current_app.config["EMAIL_LINK_LIFETIME_DAYS"] * 24 * 3600
    try:
        payload = _link_serializer().loads(token, max_age=max_age)
    except BadSignature:
        raise NotFound("link") from None
    comment = db.session.get(Comment, payload.get("comment")) if isinstance(payload, dict) else None
    if comment is None or payload.get("action") != action or comment.reference != reference:
        raise NotFound("link")
    if action == "withdraw" and comment.state == CommentState.WITHDRAWN:
        raise AlreadyDone("comment-withdrawn")
    if action == "erase" and comment.author_email is None and comment.author_name is None:
        raise AlreadyDone("contact-erased")
    return comment


def withdraw_comment(reference: str, token: str, now: datetime | None = None) -> None:
    """The author takes their comment back: it leaves every public page and export, and its text is erased.

    A conditional update, like a moderator's action, so that it cannot race one unseen.
    """
    now = now or datetime.now(UTC)
    comment = get_comment_from_link(reference, token, "withdraw")
    from_state, revision = comment.state, comment.revision
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(Comment)
            .where(Comment.id == comment.id, Comment.revision == revision, Comment.state == from_state)
            .values(
                state=CommentState.WITHDRAWN,
                body="",
                public_body=None,
                state_changed_at=now,
                state_changed_by_id=None,
                revision=revision + 1,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict("The comment changed while it was being withdrawn; try the link again")
    audit.record(
        "comment.withdrawn_by_author",
        None,
        "comment",
        comment.id,
        before={"state": from_state, "revision": revision},
        after={"state": CommentState.WITHDRAWN, "revision": revision + 1},
        now=now,
    )
    db.session.commit()


def erase_contact_details(reference: str, token: str, now: datetime | None = None) -> None:
    """Erase the name and email given with a comment, and withdraw any consent given with them."""
    now = now or datetime.now(UTC)
    comment = get_comment_from_link(reference, token, "erase")
    comment.author_name = None
    comment.author_email = None
    comment.wants_updates = False
    comment.wants_involvement = False
    for consent in comment.consents:
        consent.withdrawn_at = consent.withdrawn_at or now
    involvement.forget_offers_from_comment(comment.id, now)
    db.session.commit()


# Get-involved offers, by their withdrawal link -------------------------------------------------


def get_offer_by_withdraw_token(token: str) -> InvolvementOffer:
    offer = db.session.scalar(
        select(InvolvementOffer).where(
            InvolvementOffer.withdraw_token_hash == involvement.withdraw_token_hash(token)
        )
    )
    if offer is None:
        raise NotFound("withdrawal link")
    if offer.withdrawn_at is not None:
        raise AlreadyDone("offer-withdrawn")
    return offer


def withdraw_offer(token: str, now: datetime | None = None) -> None:
    """Withdraw consent and delete the person's details; keep only that consent was withdrawn."""
    now = now or datetime.now(UTC)
    involvement.forget_offer(get_offer_by_withdraw_token(token), now)
    db.session.commit()
