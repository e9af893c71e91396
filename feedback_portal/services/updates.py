"""Updates to the people who asked: one email per person per run, each event told exactly once.

`flask updates send` runs from cron. It first reads everything due (a published response to
someone's comment, a published summary that covers it), then queues each person's email in
a transaction of its own with one UpdateDelivery row per event. Those rows are unique per
person and event, so a run that overlaps another, or follows one killed half way, inserts
nothing twice: its transaction fails and that person's email is left to the run that won.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError

from feedback_portal.addresses import UnsendableAddress, sendable_address
from feedback_portal.extensions import db
from feedback_portal.hashing import keyed_hash
from feedback_portal.models import (
    Comment,
    CommentResponse,
    CommentState,
    ConsentPurpose,
    ConsentRecord,
    DocumentVersion,
    ResponseState,
    Summary,
    UpdateDelivery,
)
from feedback_portal.services import notifications
from feedback_portal.services.summaries.coverage import covers
from feedback_portal.services.version_updates import ChangedPart, list_version_news

# Read this many people's earlier deliveries at a time, to keep each IN list small.
PEOPLE_PER_QUERY = 500


@dataclass
class UpdateEvent:
    """Something published that the person asked to hear of, and which of their comments it answers."""

    key: str
    published_at: datetime
    comments: list[Comment]
    response: CommentResponse | None = None
    summary: Summary | None = None
    # A new version of the document, and the parts the person commented on that it changed.
    version: DocumentVersion | None = None
    parts: list[ChangedPart] = field(default_factory=list)


@dataclass
class PersonUpdate:
    """Everything new for one person (one address), gathered into one email."""

    person_key: str
    address: str
    # Their newest comment: its stop-emails link stops them all.
    latest_comment: Comment
    events: dict[str, UpdateEvent] = field(default_factory=dict)


@dataclass
class UpdateRun:
    queued: int = 0
    events: int = 0
    already_done: int = 0


def person_key(address: str) -> str:
    """One code per mailbox, however its letters were typed (as "Stop these emails" matches them)."""
    return keyed_hash("update-recipient", address.lower())


def enqueue_due_updates(now: datetime | None = None) -> UpdateRun:
    """Queue, for each person, one email holding everything published for them since their last."""
    now = now or datetime.now(UTC)
    read_at = datetime.now(UTC)
    run = UpdateRun()
    for person in gather_updates(now):
        if _queue(person, read_at):
            run.queued += 1
            run.events += len(person.events)
        else:
            run.already_done += 1
    return run


def gather_updates(now: datetime) -> list[PersonUpdate]:
    """Each person with something published up to `now` that no earlier update told them of."""
    people: dict[str, PersonUpdate] = {}
    for comment, response in db.session.execute(
        select(Comment, CommentResponse)
        .join(CommentResponse, CommentResponse.comment_id == Comment.id)
        .where(
            *_wants_updates(),
            CommentResponse.state == ResponseState.PUBLISHED,
            CommentResponse.published_at <= now,
        )
        .order_by(CommentResponse.published_at, CommentResponse.id)
    ):
        person = _person(people, comment)
        assert response.published_at is not None  # the query asked for published ones
        if person is not None:
            key = f"response:{response.id}"
            person.events[key] = UpdateEvent(key, response.published_at, [comment], response=response)
    for comment, summary in db.session.execute(
        select(Comment, Summary)
        .join(Summary, covers())
        # Only what was published after the person commented is news to them.
        .where(*_wants_updates(), Summary.published_at <= now, Summary.published_at >= Comment.created_at)
        .order_by(Summary.published_at, Summary.id, Comment.id)
    ):
        person = _person(people, comment)
        assert summary.published_at is not None  # the query asked for published ones
        if person is not None:
            key = f"summary:{summary.id}"
            event = person.events.setdefault(key, UpdateEvent(key, summary.published_at, [], summary=summary))
            event.comments.append(comment)
    _gather_versions(people, now)
    _leave_out_delivered(people)
    return [person for person in people.values() if person.events]


def _gather_versions(people: dict[str, PersonUpdate], now: datetime) -> None:
    for news in list_version_news(now, _wants_updates()):
        person = _person(people, news.comment)
        version = news.version
        assert version.published_at is not None  # only published versions are news
        if person is None:
            continue
        key = f"version:{version.id}"
        event = person.events.setdefault(key, UpdateEvent(key, version.published_at, [], version=version))
        event.comments.append(news.comment)
        if news.part not in event.parts:
            event.parts.append(news.part)


def _wants_updates() -> list[ColumnElement[bool]]:
    """A published comment whose author asked to hear, still consents and can be emailed."""
    return [
        Comment.state == CommentState.PUBLISHED,
        Comment.wants_updates.is_(True),
        Comment.author_email.is_not(None),
        Comment.emails_stopped_at.is_(None),
        exists().where(
            ConsentRecord.comment_id == Comment.id,
            ConsentRecord.purpose == ConsentPurpose.FEEDBACK_UPDATES,
            ConsentRecord.withdrawn_at.is_(None),
        ),
    ]


def _person(people: dict[str, PersonUpdate], comment: Comment) -> PersonUpdate | None:
    assert comment.author_email is not None  # _wants_updates asks for one
    try:
        address = sendable_address(comment.author_email)
    except UnsendableAddress:
        return None  # saved before today's rule for addresses: nothing can reach it
    key = person_key(address)
    person = people.get(key)
    if person is None:
        person = people[key] = PersonUpdate(person_key=key, address=address, latest_comment=comment)
    elif comment.created_at > person.latest_comment.created_at:
        person.latest_comment = comment
    return person


def _leave_out_delivered(people: dict[str, PersonUpdate]) -> None:
    """Drop each event already told to the person, known by their code or by their comment."""
    keys = list(people)
    for start in range(0, len(keys), PEOPLE_PER_QUERY):
        for key, event_key in db.session.execute(
            select(UpdateDelivery.person_key, UpdateDelivery.event_key).where(
                UpdateDelivery.person_key.in_(keys[start : start + PEOPLE_PER_QUERY])
            )
        ):
            people[key].events.pop(event_key, None)
    by_comment = {
        (comment.id, event.key): person
        for person in people.values()
        for event in person.events.values()
        for comment in event.comments
    }
    comment_ids = sorted({comment_id for comment_id, _ in by_comment})
    for start in range(0, len(comment_ids), PEOPLE_PER_QUERY):
        for comment_id, event_key in db.session.execute(
            select(UpdateDelivery.comment_id, UpdateDelivery.event_key).where(
                UpdateDelivery.comment_id.in_(comment_ids[start : start + PEOPLE_PER_QUERY])
            )
        ):
            person = by_comment.get((comment_id, event_key))
            if person is not None:
                person.events.pop(event_key, None)


def _queue(person: PersonUpdate, read_at: datetime) -> bool:
    """Queue one person's email and record its events, together; False if another run did first."""
    events = sorted(person.events.values(), key=lambda event: (event.published_at, event.key))
    digest = hashlib.sha256(" ".join(sorted(person.events)).encode()).hexdigest()[:32]
    try:
        message = notifications.enqueue_update(
            person.address, person.latest_comment, events, f"update:{person.person_key[:32]}:{digest}"
        )
        if message is None:
            db.session.rollback()
            return False
        # Stamped with the moment the consents were read: "Stop these emails" used after it
        # cancels this email at sending, even if it was queued a moment later.
        message.created_at = read_at
        db.session.flush()
        db.session.add_all(
            UpdateDelivery(
                person_key=person.person_key,
                event_key=event.key,
                outbox_message_id=message.id,
                comment_id=event.comments[0].id,
            )
            for event in events
        )
        db.session.commit()
    except IntegrityError:
        # Another run, perhaps on another machine, told this person of one of these first.
        db.session.rollback()
        return False
    return True
