"""Moderating comments: what is waiting, and changing a comment's state safely.

Every change of state is one transaction: a conditional UPDATE that only succeeds if the
comment is still at the revision the moderator saw, and exactly one audit entry. Two
moderators acting on the same comment at once: the first wins, the second is told.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NoReturn

from sqlalchemy import Select, delete, exists, func, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    AuditEntry,
    Comment,
    CommentNote,
    CommentState,
    PracticeItem,
    Report,
    Section,
    StaffUser,
    Tag,
    comment_tag,
)
from feedback_portal.services import audit, decisions
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.errors import Conflict, DomainError, NotFound

STATES = [state.value for state in CommentState]
QUEUE_PAGE_SIZE = 50
REPORTED_PAGE_SIZE = 50
WHOLE_DOCUMENT = "document"
TAG_MAX_LENGTH = 60
NOTE_MAX_LENGTH = 2000
REDACTION_MAX_LENGTH = 5000
# Characters that can reorder the text around them: embeddings, overrides, isolates and marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

REJECTION_REASONS: dict[str, str] = {
    "personal-information": "It contains personal information",
    "abusive": "It is abusive or offensive",
    "off-topic": "It is not about the document",
    "spam": "It is spam or advertising",
    "duplicate": "It repeats another comment",
    "other": "Another reason",
}

REPORT_REASONS: dict[str, str] = {
    "personal-information": "It contains someone’s personal information",
    "abusive": "It is abusive or offensive",
    "spam": "It is spam or advertising",
    "off-topic": "It is not about this document",
    "other": "Something else",
}
# How a comment's history page says each audit action.
HISTORY_LABELS: dict[str, str] = {
    "comment.publish": "Published",
    "comment.publish_redacted": "Published with a redaction",
    "comment.reject": "Rejected",
    "comment.spam": "Marked as spam",
    "comment.hide": "Hidden",
    "comment.restore": "Restored",
    "comment.note": "Added a note",
    "comment.tag": "Added a theme",
    "comment.untag": "Removed a theme",
    "comment.reports_dismissed": "Dismissed reports",
}


# The dashboard --------------------------------------------------------------------------------


@dataclass
class SectionCounts:
    label: str
    section_id: int | None
    by_state: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    reported: int = 0
    # The value of the queue's `section` filter for this row: a section's slug, or "document".
    queue_section: str = WHOLE_DOCUMENT


@dataclass
class CommentSummary:
    rows: list[SectionCounts]
    totals: dict[str, int]
    reported: int
    oldest_pending_age: timedelta | None


def summarise_comments(now: datetime | None = None) -> CommentSummary:
    """Counts per section and state, reports, and how long the oldest pending comment has waited.

    Three aggregate queries, however many comments there are.
    """
    now = now or datetime.now(UTC)
    version = get_current_version()
    rows = {None: SectionCounts(label="The whole document", section_id=None)}
    for section in version.sections:
        rows[section.id] = SectionCounts(
            label=section.heading, section_id=section.id, queue_section=section.slug
        )
    for section_id, state, count in db.session.execute(
        select(Comment.section_id, Comment.state, func.count()).group_by(Comment.section_id, Comment.state)
    ):
        if section_id in rows and state in rows[section_id].by_state:
            rows[section_id].by_state[state] += count
    for section_id, count in db.session.execute(
        select(Comment.section_id, func.count(func.distinct(Comment.id)))
        .join(Report, Report.comment_id == Comment.id)
        .where(Report.resolved_at.is_(None))
        .group_by(Comment.section_id)
    ):
        if section_id in rows:
            rows[section_id].reported += count
    oldest = db.session.scalar(
        select(func.min(Comment.created_at)).where(Comment.state == CommentState.PENDING)
    )
    totals: dict[str, int] = defaultdict(int)
    for row in rows.values():
        for state, count in row.by_state.items():
            totals[state] += count
    ordered = [rows[None], *(rows[section.id] for section in version.sections)]
    return CommentSummary(
        rows=ordered,
        totals=dict(totals),
        reported=sum(row.reported for row in ordered),
        oldest_pending_age=(now - oldest) if oldest else None,
    )


# The queue --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the moderator narrowed the queue to. Every field comes from the page's URL."""

    state: str = CommentState.PENDING
    # A section's slug, or "document" for comments on the whole document.
    section: str | None = None
    item: str | None = None
    reaction: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    tag: str | None = None
    has_reports: bool = False
    text: str | None = None

    @property
    def oldest_first(self) -> bool:
        # Work through what is waiting in the order it came; anything else, newest first.
        return self.state == CommentState.PENDING


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ended: the last row's creation time and id (keyset pagination)."""

    created_at: datetime
    comment_id: int

    def encode(self) -> str:
        moment = self.created_at.astimezone(UTC)
        microseconds = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        return f"{microseconds}-{self.comment_id}"

    @classmethod
    def decode(cls, value: str | None) -> QueueCursor | None:
        """The cursor in a page link, or None when there is none or it is not one of ours."""
        if not value:
            return None
        microseconds, _, comment_id = value.partition("-")
        if not (microseconds.isascii() and microseconds.isdigit() and comment_id.isascii()):
            return None
        if not comment_id.isdigit() or len(microseconds) > 18 or len(comment_id) > 18:
            return None
        try:
            created_at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(microseconds))
        except OverflowError:
            return None
        return cls(created_at=created_at, comment_id=int(comment_id))


@dataclass(frozen=True)
class QueueRow:
    comment: Comment
    open_reports: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: QueueCursor | None


@dataclass(frozen=True)
class FilterChoices:
    """What the queue's filters can be set to: sections, practice items and tags that exist."""

    sections: list[tuple[str, str]]
    items: list[tuple[str, str]]
    tags: list[str]


def list_filter_choices() -> FilterChoices:
    version = get_current_version()
    sections = [(section.slug, section.heading) for section in version.sections]
    items = [
        (item.key, f"{section.heading}: {item.text}")
        for section in version.sections
        for item in section.items
    ]
    tags = list(db.session.scalars(select(Tag.name).order_by(Tag.name)))
    return FilterChoices(sections=sections, items=items, tags=tags)


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _open_reports_exist() -> Any:
    return exists().where(Report.comment_id == Comment.id, Report.resolved_at.is_(None))


def _filtered(query: Select, filters: QueueFilters) -> Select:
    query = query.where(Comment.state == filters.state)
    if filters.section == WHOLE_DOCUMENT:
        query = query.where(Comment.section_id.is_(None))
    elif filters.section:
        query = query.where(Comment.section_id.in_(select(Section.id).where(Section.slug == filters.section)))
    if filters.item:
        query = query.where(
            Comment.practice_item_id.in_(select(PracticeItem.id).where(PracticeItem.key == filters.item))
        )
    if filters.reaction:
        query = query.where(Comment.reaction == filters.reaction)
    if filters.created_from:
        query = query.where(Comment.created_at >= _start_of(filters.created_from))
    if filters.created_to:
        query = query.where(Comment.created_at < _start_of(filters.created_to + timedelta(days=1)))
    if filters.tag:
        query = query.where(
            Comment.id.in_(
                select(comment_tag.c.comment_id)
                .join(Tag, Tag.id == comment_tag.c.tag_id)
                .where(Tag.name == filters.tag)
            )
        )
    if filters.has_reports:
        query = query.where(_open_reports_exist())
    if filters.text:
        pattern = like_pattern(filters.text)
        query = query.where(
            or_(
                Comment.body.ilike(pattern, escape="\\"),
                Comment.public_body.ilike(pattern, escape="\\"),
            )
        )
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _after(query: Select, filters: QueueFilters, cursor: QueueCursor) -> Select:
    position = tuple_(Comment.created_at, Comment.id)
    if filters.oldest_first:
        return query.where(position > tuple_(cursor.created_at, cursor.comment_id))
    return query.where(position < tuple_(cursor.created_at, cursor.comment_id))


def _in_queue_order(query: Select, filters: QueueFilters) -> Select:
    if filters.oldest_first:
        return query.order_by(Comment.created_at, Comment.id)
    return query.order_by(Comment.created_at.desc(), Comment.id.desc())


def list_queue(
    filters: QueueFilters, after: QueueCursor | None = None, page_size: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """One page of the queue, after `after`. Keyset pagination: as fast on page 1,000 as on page 1."""
    open_reports = (
        select(func.count(Report.id))
        .where(Report.comment_id == Comment.id, Report.resolved_at.is_(None))
        .correlate(Comment)
        .scalar_subquery()
    )
    query = _filtered(select(Comment, open_reports), filters)
    if after is not None:
        query = _after(query, filters, after)
    query = (
        _in_queue_order(query, filters)
        .options(selectinload(Comment.section), selectinload(Comment.practice_item))
        .limit(page_size + 1)
    )
    rows = [QueueRow(comment=comment, open_reports=count) for comment, count in db.session.execute(query)]
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = (
        QueueCursor(created_at=rows[-1].comment.created_at, comment_id=rows[-1].comment.id) if more else None
    )
    return QueuePage(rows=rows, next_cursor=next_cursor)


def find_next_in_queue(filters: QueueFilters, comment_id: int) -> int | None:
    """The comment after this one in the filtered queue, whatever state this one is now in."""
    created_at = db.session.scalar(select(Comment.created_at).where(Comment.id == comment_id))
    if created_at is None:
        return None
    query = _after(_filtered(select(Comment.id), filters), filters, QueueCursor(created_at, comment_id))
    return db.session.scalar(_in_queue_order(query, filters).limit(1))


# One comment ------------------------------------------------------------------------------------


def get_comment(comment_id: int) -> Comment:
    """A comment with everything its staff page shows, or NotFound."""
    comment = db.session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(
            selectinload(Comment.section),
            selectinload(Comment.practice_item),
            selectinload(Comment.document_version),
            selectinload(Comment.reports),
            selectinload(Comment.tags),
            selectinload(Comment.notes).selectinload(CommentNote.author),
            selectinload(Comment.state_changed_by),
        )
    )
    if comment is None:
        raise NotFound(f"No comment {comment_id}")
    return comment


def get_comment_history(comment_id: int) -> list[AuditEntry]:
    """What staff did to a comment, oldest first, from the audit log."""
    return audit.list_entries_for("comment", comment_id)


def has_bidi_controls(text: str | None) -> bool:
    """Whether text holds characters that could reorder what is shown around it."""
    return bool(text) and any(character in BIDI_CONTROLS for character in text)


# Changing a comment's state ---------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """A moderation action: its name in the audit log, how to say it, and the states it moves."""

    audit_action: str
    verb: str
    done: str
    from_to: dict[str, str]


TRANSITIONS: dict[str, Transition] = {
    "publish": Transition(
        "comment.publish", "published", "Published", {CommentState.PENDING: CommentState.PUBLISHED}
    ),
    "publish-redacted": Transition(
        "comment.publish_redacted",
        "published with a redaction",
        "Published with a redaction",
        {CommentState.PENDING: CommentState.PUBLISHED, CommentState.PUBLISHED: CommentState.PUBLISHED},
    ),
    "reject": Transition(
        "comment.reject", "rejected", "Rejected", {CommentState.PENDING: CommentState.REJECTED}
    ),
    "spam": Transition(
        "comment.spam",
        "marked as spam",
        "Marked as spam",
        {CommentState.PENDING: CommentState.SPAM, CommentState.PUBLISHED: CommentState.SPAM},
    ),
    "hide": Transition("comment.hide", "hidden", "Hidden", {CommentState.PUBLISHED: CommentState.HIDDEN}),
    "restore": Transition(
        "comment.restore",
        "restored",
        "Restored",
        {
            CommentState.HIDDEN: CommentState.PUBLISHED,
            CommentState.REJECTED: CommentState.PENDING,
            CommentState.SPAM: CommentState.PENDING,
        },
    ),
}
BULK_ACTIONS = ("publish", "reject", "spam")


class ActionNotAllowed(DomainError):
    """The action does not apply to a comment in this state, such as hiding a pending comment."""

    def __init__(self, comment: Comment, action: str) -> None:
        self.comment_id = comment.id
        self.reference = comment.reference
        self.state = comment.state
        self.action = action
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"A {self.state} comment cannot be {TRANSITIONS[self.action].verb}."


class CommentChanged(Conflict):
    """The comment moved on since the moderator loaded it: who changed it, when, and to what."""

    def __init__(self, comment: Comment) -> None:
        self.comment_id = comment.id
        self.reference = comment.reference
        self.state = comment.state
        self.revision = comment.revision
        self.changed_at = comment.state_changed_at
        self.changed_by_email = comment.state_changed_by.email if comment.state_changed_by else None
        super().__init__(f"Comment {comment.id} is at revision {comment.revision}")


def _load_current(comment_id: int) -> Comment:
    """The comment as it is in the database now, not as this session last saw it."""
    comment = db.session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(selectinload(Comment.state_changed_by))
        .execution_options(populate_existing=True)
    )
    if comment is None:
        raise NotFound(f"No comment {comment_id}")
    return comment


def _conditional_update(comment_id: int, expected_revision: int, from_state: str, values: dict) -> bool:
    """Change the row only if nobody else has since: the database decides who was first."""
    result = db.session.execute(
        update(Comment)
        .where(
            Comment.id == comment_id,
            Comment.revision == expected_revision,
            Comment.state == from_state,
        )
        .values(revision=Comment.revision + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _refuse(error: DomainError) -> NoReturn:
    """End the transaction without writing anything, and say why."""
    db.session.rollback()
    raise error


def _resolve_open_reports(comment_id: int, now: datetime) -> int:
    result = db.session.execute(
        update(Report)
        .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _change_state(
    action: str,
    comment_id: int,
    expected_revision: int,
    actor: StaffUser,
    now: datetime | None = None,
    values: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> Comment:
    """Move a comment through one transition, in one transaction, with exactly one audit entry.

    Raises CommentChanged when the comment is no longer at `expected_revision` (nothing is
    written), ActionNotAllowed when the action does not apply to its state, NotFound.
    """
    transition = TRANSITIONS[action]
    now = now or datetime.now(UTC)
    comment = _load_current(comment_id)
    if comment.revision != expected_revision:
        _refuse(CommentChanged(comment))
    from_state = comment.state
    if from_state not in transition.from_to:
        _refuse(ActionNotAllowed(comment, action))
    to_state = transition.from_to[from_state]
    changes = dict(values or {})
    if action == "publish-redacted" and from_state == CommentState.PENDING:
        changes["published_at"] = now
    if action == "publish":
        changes["published_at"] = now
    if action == "restore" and to_state == CommentState.PENDING:
        changes.update(rejection_reason=None, rejection_note=None)
    changes.update(state=to_state, state_changed_at=now, state_changed_by_id=actor.id)
    if not _conditional_update(comment_id, expected_revision, from_state, changes):
        # Someone else changed it between our read and our write.
        db.session.rollback()
        _refuse(CommentChanged(_load_current(comment_id)))
    details = dict(details or {})
    if from_state == CommentState.PUBLISHED and to_state in (CommentState.HIDDEN, CommentState.SPAM):
        resolved = _resolve_open_reports(comment_id, now)
        if resolved:
            details["reports_resolved"] = resolved
    audit.record(
        transition.audit_action,
        actor,
        record_type="comment",
        record_id=comment_id,
        before={"state": from_state, "revision": expected_revision},
        after={"state": to_state, "revision": expected_revision + 1},
        details=details or None,
        now=now,
    )
    if to_state != from_state and to_state in (CommentState.PUBLISHED, CommentState.REJECTED):
        # In the same transaction as the decision: sent once it is saved, and only then.
        decisions.enqueue_decision_email(_load_current(comment_id))
    db.session.commit()
    return _load_current(comment_id)


def publish_comment(
    comment_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None
) -> Comment:
    """Publish a pending comment. A redaction made earlier stays: publishing never clears it."""
    return _change_state("publish", comment_id, expected_revision, actor, now)


def publish_redacted_comment(
    comment_id: int, expected_revision: int, public_text: str, actor: StaffUser, now: datetime | None = None
) -> Comment:
    """Publish an edited text in place of what the person wrote; the original stays for staff."""
    return _change_state(
        "publish-redacted", comment_id, expected_revision, actor, now, values={"public_body": public_text}
    )


def reject_comment(
    comment_id: int,
    expected_revision: int,
    reason: str,
    note: str | None,
    actor: StaffUser,
    now: datetime | None = None,
) -> Comment:
    if reason not in REJECTION_REASONS:
        raise ValueError(f"Unknown rejection reason {reason!r}")
    return _change_state(
        "reject",
        comment_id,
        expected_revision,
        actor,
        now,
        values={"rejection_reason": reason, "rejection_note": note or None},
        details={"reason": reason},
    )


def mark_comment_as_spam(
    comment_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None
) -> Comment:
    return _change_state("spam", comment_id, expected_revision, actor, now)


def hide_comment(
    comment_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None
) -> Comment:
    """Take a published comment down. Its open reports are dealt with by that."""
    return _change_state("hide", comment_id, expected_revision, actor, now)


def restore_comment(
    comment_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None
) -> Comment:
    """Put a hidden comment back up, or a rejected or spam one back in the pending queue."""
    return _change_state("restore", comment_id, expected_revision, actor, now)


# Bulk actions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    comment_id: int
    reference: str | None
    applied: bool
    message: str


def bulk_moderate(
    selection: list[tuple[int, int]],
    action: str,
    actor: StaffUser,
    reason: str | None = None,
    now: datetime | None = None,
) -> list[BulkOutcome]:
    """Apply one action to many comments, each on its own terms.

    `selection` holds (comment id, the revision the moderator saw). Each comment is its own
    transaction with its own audit entry; one that changed or does not allow the action is
    skipped, and the others go ahead.
    """
    if action not in BULK_ACTIONS:
        raise ValueError(f"Not a bulk action: {action!r}")
    outcomes = []
    for comment_id, revision in selection:
        try:
            if action == "publish":
                comment = publish_comment(comment_id, revision, actor, now)
            elif action == "reject":
                comment = reject_comment(comment_id, revision, reason or "", None, actor, now)
            else:
                comment = mark_comment_as_spam(comment_id, revision, actor, now)
        except CommentChanged as changed:
            outcomes.append(
                BulkOutcome(
                    comment_id, changed.reference, False, "Skipped: it changed since you loaded the queue"
                )
            )
        except ActionNotAllowed as refused:
            message = f"Skipped: a {refused.state} comment cannot be {TRANSITIONS[action].verb}"
            outcomes.append(BulkOutcome(comment_id, refused.reference, False, message))
        except NotFound:
            outcomes.append(BulkOutcome(comment_id, None, False, "Skipped: there is no such comment"))
        else:
            outcomes.append(BulkOutcome(comment_id, comment.reference, True, TRANSITIONS[action].done))
    return outcomes


# Notes and tags ---------------------------------------------------------------------------------


def add_note(comment_id: int, text: str, actor: StaffUser, now: datetime | None = None) -> CommentNote:
    """An internal note for the team. The audit log records that it was written, not what it says."""
    now = now or datetime.now(UTC)
    _require_comment(comment_id)
    note = CommentNote(comment_id=comment_id, author_id=actor.id, text=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    audit.record(
        "comment.note",
        actor,
        record_type="comment",
        record_id=comment_id,
        details={"note_id": note.id},
        now=now,
    )
    db.session.commit()
    return note


def normalise_tag_name(name: str) -> str:
    """One spelling per theme: lower case, single spaces."""
    return " ".join(name.split()).lower()


def is_valid_tag_name(name: str) -> bool:
    return 0 < len(name) <= TAG_MAX_LENGTH and all(
        character in " -" or unicodedata.category(character)[0] in "LN" for character in name
    )


def add_tag(comment_id: int, name: str, actor: StaffUser, now: datetime | None = None) -> Tag:
    """Give a comment a theme, creating the theme the first time anyone uses it."""
    now = now or datetime.now(UTC)
    name = normalise_tag_name(name)
    if not is_valid_tag_name(name):
        raise ValueError("Not a tag name")
    _require_comment(comment_id)
    for _attempt in range(2):
        tag = db.session.scalar(select(Tag).where(Tag.name == name))
        if tag is not None and _has_tag(comment_id, tag.id):
            db.session.rollback()
            return tag
        try:
            if tag is None:
                tag = Tag(name=name, created_at=now)
                db.session.add(tag)
                db.session.flush()
            db.session.execute(insert(comment_tag).values(comment_id=comment_id, tag_id=tag.id))
            audit.record(
                "comment.tag",
                actor,
                record_type="comment",
                record_id=comment_id,
                details={"tag_id": tag.id},
                now=now,
            )
            db.session.commit()
            return tag
        except IntegrityError:
            # Someone made the same theme, or gave it to this comment, at the same moment:
            # start again and find theirs.
            db.session.rollback()
    raise Conflict(f"Could not tag comment {comment_id}")


def _has_tag(comment_id: int, tag_id: int) -> bool:
    return (
        db.session.scalar(
            select(comment_tag.c.tag_id).where(
                comment_tag.c.comment_id == comment_id, comment_tag.c.tag_id == tag_id
            )
        )
        is not None
    )


def remove_tag(comment_id: int, tag_id: int, actor: StaffUser, now: datetime | None = None) -> bool:
    """Take a theme off a comment. False if it did not have it."""
    _require_comment(comment_id)
    result = db.session.execute(
        delete(comment_tag).where(comment_tag.c.comment_id == comment_id, comment_tag.c.tag_id == tag_id)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    audit.record(
        "comment.untag",
        actor,
        record_type="comment",
        record_id=comment_id,
        details={"tag_id": tag_id},
        now=now,
    )
    db.session.commit()
    return True


def _require_comment(comment_id: int) -> None:
    if db.session.scalar(select(Comment.id).where(Comment.id == comment_id)) is None:
        raise NotFound(f"No comment {comment_id}")


# Reported comments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportedComment:
    comment: Comment
    open_reports: list[Report]
    first_reported_at: datetime


def list_reported_comments(limit: int = REPORTED_PAGE_SIZE) -> list[ReportedComment]:
    """Published comments with reports nobody has dealt with, the longest-waiting report first."""
    first_report = (
        select(Report.comment_id, func.min(Report.created_at).label("first_reported_at"))
        .where(Report.resolved_at.is_(None))
        .group_by(Report.comment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Comment, first_report.c.first_reported_at)
        .join(first_report, first_report.c.comment_id == Comment.id)
        .where(Comment.state == CommentState.PUBLISHED)
        .order_by(first_report.c.first_reported_at, Comment.id)
        .options(selectinload(Comment.section), selectinload(Comment.practice_item))
        .limit(limit)
    ).all()
    reports: dict[int, list[Report]] = defaultdict(list)
    if rows:
        for report in db.session.scalars(
            select(Report)
            .where(Report.comment_id.in_([comment.id for comment, _ in rows]), Report.resolved_at.is_(None))
            .order_by(Report.created_at, Report.id)
        ):
            reports[report.comment_id].append(report)
    return [
        ReportedComment(comment=comment, open_reports=reports[comment.id], first_reported_at=first)
        for comment, first in rows
    ]


def dismiss_reports(comment_id: int, actor: StaffUser, now: datetime | None = None) -> int:
    """Mark a comment's open reports as dealt with, leaving the comment up. Returns how many."""
    now = now or datetime.now(UTC)
    _require_comment(comment_id)
    count = _resolve_open_reports(comment_id, now)
    if not count:
        db.session.rollback()
        return 0
    audit.record(
        "comment.reports_dismissed",
        actor,
        record_type="comment",
        record_id=comment_id,
        details={"count": count},
        now=now,
    )
    db.session.commit()
    return count


__all__ = [
    "BULK_ACTIONS",
    "HISTORY_LABELS",
    "REJECTION_REASONS",
    "REPORT_REASONS",
    "TRANSITIONS",
    "ActionNotAllowed",
    "BulkOutcome",
    "CommentChanged",
    "CommentSummary",
    "FilterChoices",
    "QueueCursor",
    "QueueFilters",
    "QueuePage",
    "QueueRow",
    "ReportedComment",
    "Section",
    "SectionCounts",
    "add_note",
    "add_tag",
    "bulk_moderate",
    "dismiss_reports",
    "find_next_in_queue",
    "get_comment",
    "get_comment_history",
    "has_bidi_controls",
    "hide_comment",
    "list_filter_choices",
    "list_queue",
    "list_reported_comments",
    "mark_comment_as_spam",
    "publish_comment",
    "publish_redacted_comment",
    "reject_comment",
    "remove_tag",
    "restore_comment",
    "summarise_comments",
]
