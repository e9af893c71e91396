"""Changing a comment's state safely, one comment or many.

Every change of state is one transaction: a conditional UPDATE that only succeeds if the
comment is still at the revision the moderator saw, and exactly one audit entry. Two
moderators acting on the same comment at once: the first wins, the second is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from feedback_portal import vocabulary
from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, Report, StaffUser
from feedback_portal.services import audit, notifications
from feedback_portal.services.exceptions import Conflict, DomainError, NotFound

REDACTION_MAX_LENGTH = 5000
REJECTION_REASONS = vocabulary.REJECTION_REASONS


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


def allowed_actions(comment: Comment) -> frozenset[str]:
    """The actions that apply to the comment in its state now: what its page offers."""
    return frozenset(name for name, transition in TRANSITIONS.items() if comment.state in transition.from_to)


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
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(Comment)
            .where(
                Comment.id == comment_id,
                Comment.revision == expected_revision,
                Comment.state == from_state,
            )
            .values(revision=Comment.revision + 1, **values)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


def _refuse(error: DomainError) -> NoReturn:
    """End the transaction without writing anything, and say why."""
    db.session.rollback()
    raise error


def _resolve_open_reports(comment_id: int, now: datetime) -> int:
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(Report)
            .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount


def _changes_for(
    action: str,
    from_state: str,
    to_state: str,
    actor: StaffUser,
    now: datetime,
    values: dict[str, Any] | None,
) -> dict[str, Any]:
    """The columns one transition writes, besides the revision."""
    changes = dict(values or {})
    if action == "publish-redacted" and from_state == CommentState.PENDING:
        changes["published_at"] = now
    if action == "publish":
        changes["published_at"] = now
    if action == "restore" and to_state == CommentState.PENDING:
        changes.update(rejection_reason=None, rejection_note=None)
    changes.update(state=to_state, state_changed_at=now, state_changed_by_id=actor.id)
    return changes


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
    changes = _changes_for(action, from_state, to_state, actor, now, values)
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
        notifications.enqueue_decision_email(_load_current(comment_id))
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
    comment_id: int, expected_revision: int, reason: str, actor: StaffUser, now: datetime | None = None
) -> Comment:
    """Take a published comment down, for a reason the audit log keeps; its open reports are dealt with."""
    if reason not in REJECTION_REASONS:
        raise ValueError(f"Unknown reason for hiding {reason!r}")
    return _change_state("hide", comment_id, expected_revision, actor, now, details={"reason": reason})


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
