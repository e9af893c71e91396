"""Which email each event causes, and building it: every email the portal sends is made here.

Each function adds its email to the current transaction through `feedback_portal.email`
and never commits: the service whose change causes the email commits both together.
An offer to get involved gets one receipt, with its withdrawal link; no other email follows,
so it carries no "Stop these emails" link: withdrawing is how to stop hearing from the team.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from feedback_portal import email, links
from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentState,
    InvolvementOffer,
    OutboxMessage,
    PasswordLink,
    Report,
    Role,
    StaffUser,
)
from feedback_portal.services.outcomes import view_token
from feedback_portal.services.unsubscribe import stop_emails_token
from feedback_portal.vocabulary import REJECTION_REASONS_IN_PLAIN_WORDS

if TYPE_CHECKING:
    from feedback_portal.services.digests import DigestContent
    from feedback_portal.services.updates import UpdateEvent

# The most of a response's words an update email quotes; the link leads to the rest.
RESPONSE_EXCERPT_LENGTH = 200


def enqueue_receipt(comment: Comment, target_label: str, withdraw_token: str, erase_token: str) -> None:
    """The receipt for a comment that gave an email address, with its withdraw and erase links."""
    assert comment.author_email is not None  # only called for a comment that gave one
    email.enqueue(
        "receipt",
        f"receipt:comment:{comment.id}",
        comment.author_email,
        f"We have your comment {comment.reference}",
        "receipt",
        comment=comment,
        target=target_label,
        withdraw_url=links.public_url(
            "public.view_withdraw_comment", reference=comment.reference, token=withdraw_token
        ),
        erase_url=links.public_url(
            "public.view_erase_contact", reference=comment.reference, token=erase_token
        ),
        my_comment_url=links.public_url(
            "public.view_my_comment", reference=comment.reference, token=view_token(comment)
        ),
        **_stop_emails_links(comment),
    )


def enqueue_offer_receipt(offer: InvolvementOffer, withdraw_token: str) -> None:
    """The receipt for an offer to get involved that gave an email address: what happens next,
    and the link to withdraw it. `offer` must already have its id."""
    assert offer.email is not None  # only called for an offer that gave one
    email.enqueue(
        "receipt",
        f"receipt:offer:{offer.id}",
        offer.email,
        "Thank you for offering to get involved",
        "involvement_receipt",
        offer=offer,
        from_comment=offer.comment is not None,
        withdraw_url=links.public_url("public.view_withdraw_involvement", token=withdraw_token),
    )


def _stop_emails_links(comment: Comment) -> dict[str, str]:
    """The visible "Stop these emails" link (a page with one button) and the one-click address."""
    values = {"reference": comment.reference, "token": stop_emails_token(comment)}
    return {
        "stop_emails_url": links.public_url("public.view_stop_emails", **values),
        "unsubscribe_url": links.public_url("public.stop_emails_in_one_click", **values),
    }


def enqueue_decision_email(comment: Comment) -> None:
    """Queue the email about a publish or reject decision, if the person asked to hear.

    One email per comment and outcome: publishing again after a hide and restore sends nothing new.
    """
    if not comment.wants_updates or not comment.author_email:
        return
    published = comment.state == CommentState.PUBLISHED
    if comment.practice_item is not None:
        assert comment.section is not None  # a comment on an example also names its section
        target = f"the example ‘{comment.practice_item.text}’"
        link = links.public_url(
            "public.view_practice_item", slug=comment.section.slug, key=comment.practice_item.key
        )
    elif comment.section is not None:
        target = f"‘{comment.section.heading}’"
        link = links.public_url("public.view_section", slug=comment.section.slug)
    else:
        target = "the whole definition"
        link = links.public_url("public.view_definition")
    email.enqueue(
        "decision",
        f"decision:{comment.id}:{comment.state}",
        comment.author_email,
        f"Your comment {comment.reference} has been published"
        if published
        else f"Your comment {comment.reference} was not published",
        "decision",
        comment=comment,
        target=target,
        published=published,
        redacted=comment.public_body is not None,
        reason=REJECTION_REASONS_IN_PLAIN_WORDS.get(
            comment.rejection_reason or "other", REJECTION_REASONS_IN_PLAIN_WORDS["other"]
        ),
        comment_url=f"{link}#comment-{comment.reference}",
        **_stop_emails_links(comment),
    )


def enqueue_urgent_alerts(report: Report) -> None:
    """Tell the moderators who asked, at once, that a comment may expose someone's personal information."""
    moderators = db.session.scalars(
        select(StaffUser).where(
            StaffUser.wants_urgent_alerts.is_(True),
            StaffUser.is_disabled.is_(False),
            StaffUser.role.in_([Role.ADMIN, Role.MODERATOR]),
        )
    )
    for moderator in moderators:
        email.enqueue(
            "alert",
            f"alert:report:{report.id}:{moderator.id}",
            moderator.email,
            f"Urgent: comment {report.comment.reference} reported for personal information",
            "urgent_alert",
            report=report,
            comment_url=links.public_url("staff.view_comment", comment_id=report.comment_id),
            reported_url=links.public_url("staff.list_reported_comments"),
        )


def enqueue_password_link(
    user: StaffUser, link: PasswordLink, token: str, setting: bool, lifetime: timedelta
) -> None:
    """The email carrying a set-password or reset-password link; `link` must already have its id."""
    subject, template, context = _password_link_email(token, setting, lifetime)
    email.enqueue("account", f"password-link:{link.id}", user.email, subject, template, **context)


def render_unsent_password_link(token: str, lifetime: timedelta) -> None:
    """Build a reset email and throw it away: the work of sending one, for an answer that sends none.

    So that asking for a reset for an unknown account takes as long as for a known one.
    """
    subject, template, context = _password_link_email(token, False, lifetime)
    email.render(subject, template, **context)


def _password_link_email(token: str, setting: bool, lifetime: timedelta) -> tuple[str, str, dict[str, Any]]:
    subject = "Set your password" if setting else "Reset your password"
    context = {
        "setting": setting,
        "link_url": links.public_url("staff.set_password", token=token),
        "hours": int(lifetime.total_seconds() // 3600),
    }
    return subject, "password_link", context


def enqueue_digest(person: StaffUser, content: DigestContent, until: datetime) -> OutboxMessage | None:
    """A staff member's digest for the period ending `until`; None if it was already queued."""
    return email.enqueue(
        "digest",
        f"digest:{person.id}:{until.isoformat()}",
        person.email,
        f"Feedback digest: {content.new_total} new comment{'s' if content.new_total != 1 else ''}",
        "digest",
        digest=content,
        frequency=person.digest_frequency,
        queue_url=links.public_url("staff.list_comments", state="pending"),
        reported_url=links.public_url("staff.list_reported_comments"),
        account_url=links.public_url("staff.view_account"),
    )


def enqueue_update(
    address: str, latest_comment: Comment, events: list[UpdateEvent], dedupe_key: str
) -> OutboxMessage | None:
    """One person's update: each response and summary published for them, with a link to each comment.

    None if this very update was already queued.
    """
    return email.enqueue(
        "update",
        dedupe_key,
        address,
        "What has happened with your feedback",
        "update",
        events=[
            {
                "response": event.response,
                "excerpt": _excerpt(event.response.body) if event.response else None,
                "summary": event.summary,
                "version": event.version,
                "parts": [
                    (part, links.public_url("public.view_changes") + f"#{part.section_slug}")
                    for part in event.parts
                ],
                "comments": [
                    (comment, links.public_url("public.view_my_comment", reference=comment.reference))
                    for comment in event.comments
                ],
            }
            for event in events
        ],
        **_stop_emails_links(latest_comment),
    )


def _excerpt(text: str) -> str:
    if len(text) <= RESPONSE_EXCERPT_LENGTH:
        return text
    return text[: RESPONSE_EXCERPT_LENGTH - 1].rstrip() + "…"
