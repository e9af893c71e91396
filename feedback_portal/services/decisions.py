"""Telling people who asked what happened to their comment."""

from __future__ import annotations

from feedback_portal import email
from feedback_portal.models import Comment, CommentState

# The rejection reasons, as the person who wrote the comment should read them.
REASONS_IN_PLAIN_WORDS = {
    "personal-information": "it included personal information about someone",
    "abusive": "it was abusive or offensive",
    "off-topic": "it was not about the definition",
    "spam": "it looked like advertising or spam",
    "duplicate": "it repeated a comment we already have",
    "other": "it did not follow our rules for comments",
}


def enqueue_decision_email(comment: Comment) -> None:
    """Queue the email about a publish or reject decision, if the person asked to hear.

    One email per comment and outcome: publishing again after a hide and restore sends nothing new.
    """
    if not comment.wants_updates or not comment.author_email:
        return
    published = comment.state == CommentState.PUBLISHED
    if comment.practice_item is not None:
        target = f"the example ‘{comment.practice_item.text}’"
        link = email.absolute_url(
            "public.view_practice_item", slug=comment.section.slug, key=comment.practice_item.key
        )
    elif comment.section is not None:
        target = f"‘{comment.section.heading}’"
        link = email.absolute_url("public.view_section", slug=comment.section.slug)
    else:
        target = "the whole definition"
        link = email.absolute_url("public.view_definition")
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
        reason=REASONS_IN_PLAIN_WORDS.get(
            comment.rejection_reason or "other", REASONS_IN_PLAIN_WORDS["other"]
        ),
        comment_url=f"{link}#comment-{comment.reference}",
    )
