"""The moderation queue: its filters, its pages, the next comment, and one comment with its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from feedback_portal import vocabulary
from feedback_portal.extensions import db
from feedback_portal.models import (
    AuditEntry,
    Comment,
    CommentNote,
    CommentState,
    Report,
    Tag,
)
from feedback_portal.services import audit, paging
from feedback_portal.services.comment_filters import (
    CommentFilters,
    apply_comment_filters,
    current_consultation_id,
)
from feedback_portal.services.consultations import list_consultations
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.exceptions import NotFound

STATES = [state.value for state in CommentState]
QUEUE_PAGE_SIZE = 50
# Characters that can reorder the text around them: embeddings, overrides, isolates and marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
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
    "response.save_draft": "Saved a draft response",
    "response.publish": "Published a response",
    "response.edit": "Changed the published response",
    "response.withdraw": "Withdrew the response",
    "comment.enter_on_behalf": "Entered for the person who sent it",
}


# The queue --------------------------------------------------------------------------------------

# The queue's filters are the comment filters every staff page shares; its default state is pending.
QueueFilters = CommentFilters


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ended: the last row's creation time and id (keyset pagination)."""

    created_at: datetime
    comment_id: int

    def encode(self) -> str:
        return paging.encode_cursor(self.created_at, self.comment_id)

    @classmethod
    def decode(cls, value: str | None) -> QueueCursor | None:
        """The cursor in a page link, or None when there is none or it is not one of ours."""
        decoded = paging.decode_cursor(value)
        if decoded is None:
            return None
        created_at, comment_id = decoded
        return cls(created_at=created_at, comment_id=comment_id)


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
    # Every consultation (id, title), newest first, and the one the filter starts at.
    consultations: list[tuple[int, str]] = field(default_factory=list)
    current_consultation: int | None = None


def list_filter_choices() -> FilterChoices:
    version = get_current_version()
    sections = [(section.slug, section.heading) for section in version.sections]
    items = [
        (item.key, f"{section.heading}: {item.text}")
        for section in version.sections
        for item in section.items
    ]
    tags = list(db.session.scalars(select(Tag.name).order_by(Tag.name)))
    return FilterChoices(
        sections=sections,
        items=items,
        tags=tags,
        consultations=[(each.id, each.title) for each in list_consultations()],
        current_consultation=current_consultation_id(),
    )


def _after(query: Select, filters: QueueFilters, cursor: QueueCursor) -> Select:
    return query.where(
        paging.after_key(
            Comment.created_at,
            Comment.id,
            cursor.created_at,
            cursor.comment_id,
            descending=not filters.oldest_first,
        )
    )


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
    query = apply_comment_filters(select(Comment, open_reports), filters)
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
    query = _after(
        apply_comment_filters(select(Comment.id), filters), filters, QueueCursor(created_at, comment_id)
    )
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
            selectinload(Comment.entered_by),
        )
    )
    if comment is None:
        raise NotFound(f"No comment {comment_id}")
    return comment


def get_comment_history(comment_id: int) -> list[AuditEntry]:
    """What staff did to a comment, oldest first, from the audit log."""
    return audit.list_entries_for("comment", comment_id)


@dataclass(frozen=True)
class HistoryRow:
    """One line of a comment's history as its staff page shows it: plain text, nothing to decode."""

    when: datetime
    # The staff member's email address, or None for something the system did.
    who: str | None
    # What happened, with its reason and counts: "Rejected: it is not about the document".
    label: str
    # How the state moved, such as "Pending to published", or "" when it did not.
    details: str


def describe_comment_history(comment_id: int) -> list[HistoryRow]:
    """A comment's history, oldest first, in the words its staff page uses."""
    return [_history_row(entry) for entry in get_comment_history(comment_id)]


def _history_row(entry: AuditEntry) -> HistoryRow:
    details = entry.details if isinstance(entry.details, dict) else {}
    label = HISTORY_LABELS.get(entry.action, entry.action)
    if details.get("reason"):
        reason = details["reason"]
        label += f": {vocabulary.REJECTION_REASONS.get(reason, reason).lower()}"
    if details.get("count"):
        label += f" ({details['count']})"
    if details.get("reports_resolved"):
        resolved = details["reports_resolved"]
        label += f", and dealt with {resolved} open report{'s' if resolved != 1 else ''}"
    state_change = ""
    if entry.before and entry.after and entry.before.get("state"):
        state_change = f"{str(entry.before['state']).capitalize()} to {entry.after.get('state', '')}"
    return HistoryRow(
        when=entry.occurred_at,
        who=entry.actor.email if entry.actor else None,
        label=label,
        details=state_change,
    )


def has_bidi_controls(*texts: str | None) -> bool:
    """Whether any of the texts a person typed holds characters that could reorder what is shown
    around it: comment text, names, interests, access needs alike, for the staff warning."""
    return any(character in BIDI_CONTROLS for text in texts if text for character in text)
