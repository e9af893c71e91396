"""Writing summaries: a draft, saving it, publishing it and withdrawing it.

Each change is one transaction with one audit entry. A save names the revision the moderator
saw; a conditional UPDATE of the summary's row comes first, so the second of two moderators
changes nothing and is told, and the themes, quotes and actions are only replaced by the winner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import CursorResult

from feedback_portal.extensions import db
from feedback_portal.models import (
    ActionStatus,
    StaffUser,
    Summary,
    SummaryAction,
    SummaryQuote,
    SummaryState,
    Tag,
    summary_theme,
)
from feedback_portal.services import audit
from feedback_portal.services.exceptions import DomainError, SummaryChanged
from feedback_portal.services.summaries.reading import get_summary, list_quotable_comments, resolve_target

CREATE_ACTION = "summary.create"
EDIT_ACTION = "summary.edit"
AUDIT_ACTIONS = {
    SummaryState.DRAFT: "summary.save_draft",
    SummaryState.PUBLISHED: "summary.publish",
    SummaryState.WITHDRAWN: "summary.withdraw",
}


class SummaryNotValid(DomainError):
    """What was sent breaks a rule the form also checks: nothing was written."""


@dataclass(frozen=True)
class ActionDraft:
    description: str
    status: str
    # Only kept for "considered and not changing", where it is required.
    reason: str | None = None


@dataclass(frozen=True)
class SummaryDraft:
    you_said: str
    theme_ids: list[int]
    quote_comment_ids: list[int]
    actions: list[ActionDraft]


def create_summary(target: str, actor: StaffUser, now: datetime | None = None) -> Summary:
    """A new, empty draft about the whole document, a section or a practice item."""
    now = now or datetime.now(UTC)
    version, section, item = resolve_target(target)
    summary = Summary(
        document_version_id=version.id,
        section_id=section.id if section else None,
        practice_item_id=item.id if item else None,
        you_said="",
        state=SummaryState.DRAFT,
        revision=1,
        created_at=now,
        updated_at=now,
        author_id=actor.id,
    )
    db.session.add(summary)
    db.session.flush()
    audit.record(
        CREATE_ACTION, actor, record_type="summary", record_id=summary.id, after=_state(summary), now=now
    )
    db.session.commit()
    return get_summary(summary.id)


def save_summary(
    summary_id: int,
    expected_revision: int,
    draft: SummaryDraft,
    publish: bool,
    actor: StaffUser,
    now: datetime | None = None,
) -> Summary:
    """Save what was typed; publish it if asked. A published summary stays published when edited.

    Publishing a draft or a withdrawn summary sets published_at: the date the public sees, and
    what updates to the people who asked are gathered by. Editing a published one keeps its date.
    """
    now = now or datetime.now(UTC)
    current = get_summary(summary_id)
    if current.revision != expected_revision:
        _refuse(SummaryChanged(current.id, current.revision))
    from_state = current.state
    to_state = (
        SummaryState.PUBLISHED if publish or from_state == SummaryState.PUBLISHED else SummaryState.DRAFT
    )
    _check(current, draft, publishing=to_state == SummaryState.PUBLISHED)
    values: dict[str, Any] = {"you_said": draft.you_said, "state": to_state, "updated_at": now}
    if to_state == SummaryState.PUBLISHED and from_state != SummaryState.PUBLISHED:
        values["published_at"] = now
    _update(current, values)
    _replace_parts(summary_id, draft)
    action = EDIT_ACTION if from_state == to_state == SummaryState.PUBLISHED else AUDIT_ACTIONS[to_state]
    return _finish(summary_id, action, from_state, expected_revision, actor, now)


def withdraw_summary(
    summary_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None
) -> Summary:
    """Take a published summary off the public pages; staff can publish it again."""
    now = now or datetime.now(UTC)
    current = get_summary(summary_id)
    if current.revision != expected_revision:
        _refuse(SummaryChanged(current.id, current.revision))
    if current.state != SummaryState.PUBLISHED:
        _refuse(SummaryNotValid("Only a published summary can be withdrawn"))
    _update(current, {"state": SummaryState.WITHDRAWN, "updated_at": now})
    return _finish(
        summary_id,
        AUDIT_ACTIONS[SummaryState.WITHDRAWN],
        SummaryState.PUBLISHED,
        expected_revision,
        actor,
        now,
    )


def _check(summary: Summary, draft: SummaryDraft, publishing: bool) -> None:
    """The rules, again, below the form: quotes from published comments on the target only."""
    if not draft.you_said.strip():
        _refuse(SummaryNotValid("A summary needs its 'You said'"))
    if publishing and not draft.actions:
        _refuse(SummaryNotValid("A published summary needs at least one action"))
    for action in draft.actions:
        if action.status not in set(ActionStatus) or not action.description.strip():
            _refuse(SummaryNotValid("Each action needs a description and a status"))
        if action.status == ActionStatus.NOT_CHANGING and not (action.reason or "").strip():
            _refuse(SummaryNotValid("An action that is not changing needs its reason"))
    quotable = {comment.id for comment in list_quotable_comments(summary)}
    if not set(draft.quote_comment_ids) <= quotable:
        _refuse(SummaryNotValid("Quotes must come from published comments on what the summary covers"))
    themes = set(db.session.scalars(select(Tag.id).where(Tag.id.in_(draft.theme_ids))))
    if themes != set(draft.theme_ids):
        _refuse(SummaryNotValid("Themes must come from the list of themes"))


def _update(current: Summary, values: dict[str, Any]) -> None:
    """Change the row only if nobody else has since: the database decides who was first."""
    summary_id, expected_revision = current.id, current.revision
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(Summary)
            .where(Summary.id == summary_id, Summary.revision == expected_revision)
            .values(revision=Summary.revision + 1, **values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        db.session.rollback()
        latest = get_summary(summary_id)
        _refuse(SummaryChanged(latest.id, latest.revision))


def _replace_parts(summary_id: int, draft: SummaryDraft) -> None:
    # Deleted before the new rows go in, so a quote kept from the last save does not collide with itself.
    db.session.execute(delete(SummaryQuote).where(SummaryQuote.summary_id == summary_id))
    db.session.execute(delete(SummaryAction).where(SummaryAction.summary_id == summary_id))
    db.session.execute(delete(summary_theme).where(summary_theme.c.summary_id == summary_id))
    if draft.theme_ids:
        db.session.execute(
            insert(summary_theme),
            [{"summary_id": summary_id, "tag_id": tag_id} for tag_id in draft.theme_ids],
        )
    for position, comment_id in enumerate(dict.fromkeys(draft.quote_comment_ids)):
        db.session.add(SummaryQuote(summary_id=summary_id, comment_id=comment_id, position=position))
    for position, action in enumerate(draft.actions):
        reason = action.reason if action.status == ActionStatus.NOT_CHANGING else None
        db.session.add(
            SummaryAction(
                summary_id=summary_id,
                position=position,
                description=action.description,
                status=action.status,
                reason=reason,
            )
        )


def _finish(
    summary_id: int, action: str, from_state: str, expected_revision: int, actor: StaffUser, now: datetime
) -> Summary:
    """The audit entry goes in the same transaction as the change; then commit."""
    audit.record(
        action,
        actor,
        record_type="summary",
        record_id=summary_id,
        before={"state": from_state, "revision": expected_revision},
        after={"state": _new_state(action, from_state), "revision": expected_revision + 1},
        now=now,
    )
    db.session.commit()
    return get_summary(summary_id)


def _new_state(action: str, from_state: str) -> str:
    if action == EDIT_ACTION:
        return from_state
    return next(state for state, name in AUDIT_ACTIONS.items() if name == action)


def _state(summary: Summary) -> dict[str, Any]:
    return {"state": summary.state, "revision": summary.revision}


def _refuse(error: DomainError) -> NoReturn:
    """End the transaction without writing anything, and say why."""
    db.session.rollback()
    raise error
