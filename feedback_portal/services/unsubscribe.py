"""Stop these emails: the link in every email to a member of the public, and its one-click form.

The link names one comment, signed like the receipt's other links; using it stops the emails
about every comment sent from that address, as a person would expect of "stop emails to me".
It withdraws their "tell me what happens" consent and marks the time, so that the outbox
does not send an email queued before it (RFC 8058 asks that unsubscribing take effect at once).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, func, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, ConsentPurpose
from feedback_portal.services.exceptions import AlreadyDone, InvalidLink, NotFound
from feedback_portal.services.privacy import comment_link_token, get_comment_from_link

ACTION = "stop-emails"


def stop_emails_token(comment: Comment) -> str:
    """The signed token of a comment's stop-emails links: it names the comment and this purpose."""
    return comment_link_token(comment, ACTION)


def get_comment_from_stop_link(reference: str, token: str) -> Comment:
    """The comment a stop-emails link is for; InvalidLink if tampered with or expired."""
    try:
        return get_comment_from_link(reference, token, ACTION)
    except NotFound:
        raise InvalidLink(ACTION) from None


def check_emails_not_stopped(comment: Comment) -> None:
    """AlreadyDone if every comment from this address has had its emails stopped already."""
    if comment.author_email is None or not db.session.scalar(
        select(exists().where(_from_address(comment.author_email), Comment.emails_stopped_at.is_(None)))
    ):
        raise AlreadyDone("emails-stopped")


def stop_emails(reference: str, token: str, now: datetime | None = None) -> None:
    """Stop the emails about every comment from the link's address. Doing it again changes nothing."""
    now = now or datetime.now(UTC)
    comment = get_comment_from_stop_link(reference, token)
    if comment.author_email is None:
        return  # the address was erased: there is no one left to email
    for each in db.session.scalars(select(Comment).where(_from_address(comment.author_email))):
        each.wants_updates = False
        each.emails_stopped_at = now
        for consent in each.consents:
            if consent.purpose == ConsentPurpose.FEEDBACK_UPDATES:
                consent.withdrawn_at = consent.withdrawn_at or now
    db.session.commit()


def stopped_since(address: str, since: datetime) -> bool:
    """Whether the person at `address` stopped their emails at or after `since`."""
    return bool(
        db.session.scalar(select(exists().where(Comment.emails_stopped_at >= since, _from_address(address))))
    )


def _from_address(address: str):
    # One mailbox, however its letters were typed on each comment.
    return func.lower(Comment.author_email) == address.lower()
