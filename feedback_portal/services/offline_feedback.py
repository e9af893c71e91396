"""Feedback that reached the council another way (on paper, by email, by phone, at an event),
entered by staff on the person's behalf. It then goes through moderation like any comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Channel, Comment, CommentState, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.consultations import get_current_consultation
from feedback_portal.services.documents import get_current_version, get_practice_item, get_section_page
from feedback_portal.services.feedback import CommentTarget, new_reference, new_submission_key
from feedback_portal.uk_time import in_uk

ENTER_ACTION = "comment.enter_on_behalf"
EARLIEST_RECEIVED = date(2000, 1, 1)
# What staff may choose: every way but this site, where people type their own comments.
OFFLINE_CHANNELS = tuple(channel for channel in Channel if channel != Channel.ONLINE)


@dataclass(frozen=True)
class TargetChoices:
    """What a comment can be about, in the current version: sections, and examples by section."""

    sections: list[tuple[str, str]]
    # ("section-slug/item-key", "Section heading: example text")
    items: list[tuple[str, str]]


@dataclass(frozen=True)
class OfflineComment:
    """What staff typed in for someone, already validated by the form."""

    channel: str
    received_on: date
    text: str
    reaction: str | None
    name: str | None
    email: str | None
    section_slug: str | None
    # "section-slug/item-key": when set, the comment is about that example.
    item_ref: str | None
    submission_key: str | None = None


def today_in_uk(now: datetime | None = None) -> date:
    return in_uk(now or datetime.now(UTC)).date()


def list_target_choices() -> TargetChoices:
    version = get_current_version()
    return TargetChoices(
        sections=[(section.slug, section.heading) for section in version.sections],
        items=[
            (f"{section.slug}/{item.key}", f"{section.heading}: {item.text}")
            for section in version.sections
            for item in section.items
        ],
    )


def resolve_target(section_slug: str | None, item_ref: str | None) -> CommentTarget:
    """The example if one is chosen (its section goes with it), else the section, else the document."""
    if item_ref:
        slug, _, key = item_ref.partition("/")
        page, item = get_practice_item(slug, key)
        return CommentTarget(version=page.version, section=page.section, item=item)
    if section_slug:
        page = get_section_page(section_slug)
        return CommentTarget(version=page.version, section=page.section)
    return CommentTarget(version=get_current_version())


def enter_comment_on_behalf(entry: OfflineComment, actor: StaffUser, now: datetime | None = None) -> Comment:
    """Save the comment as pending, with how and when it came and who typed it, and audit it.

    No receipt is sent: the person did not use this site, and staff reply the way it came.
    The same form sent twice (a double click) makes one comment.
    """
    now = now or datetime.now(UTC)
    submission_key = entry.submission_key or new_submission_key()
    existing = db.session.scalar(select(Comment).where(Comment.submission_key == submission_key))
    if existing is not None:
        return existing
    target = resolve_target(entry.section_slug, entry.item_ref)
    comment = Comment(
        reference=new_reference(),
        submission_key=submission_key,
        document_version=target.version,
        # Staff enter it for the consultation the public sees now, whose document it is on.
        consultation=get_current_consultation(),
        section=target.section,
        practice_item=target.item,
        body=entry.text,
        reaction=entry.reaction,
        author_name=entry.name,
        author_email=entry.email,
        state=CommentState.PENDING,
        channel=entry.channel,
        received_at=entry.received_on,
        entered_by_id=actor.id,
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        ENTER_ACTION,
        actor,
        "comment",
        comment.id,
        after={"state": CommentState.PENDING.value, "channel": entry.channel},
        details={"received_on": entry.received_on.isoformat()},
        now=now,
    )
    db.session.commit()
    return comment
