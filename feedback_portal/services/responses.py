"""The team's public response to a comment: saving, publishing, editing and withdrawing it.

Each change is one transaction with one audit entry and one saved version. A change names the
revision the moderator saw (0 for "there was no response yet"); a conditional UPDATE, or the
unique comment id on a first save, makes the second of two moderators fail instead of overwrite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentResponse,
    CommentResponseVersion,
    CommentState,
    ResponseState,
    StaffUser,
)
from feedback_portal.services import audit
from feedback_portal.services.exceptions import Conflict, DomainError, NotFound

NO_RESPONSE_YET = 0
AUDIT_ACTIONS = {
    ResponseState.DRAFT: "response.save_draft",
    ResponseState.PUBLISHED: "response.publish",
    ResponseState.WITHDRAWN: "response.withdraw",
}
EDIT_ACTION = "response.edit"


class ResponseChanged(Conflict):
    """Someone else saved the response since the moderator loaded it: nothing was written."""

    def __init__(self, comment_id: int, response: CommentResponse | None) -> None:
        self.comment_id = comment_id
        self.state = response.state if response else None
        self.revision = response.revision if response else NO_RESPONSE_YET
        self.changed_at = response.updated_at if response else None
        self.changed_by_email = response.author.email if response else None
        super().__init__(f"The response to comment {comment_id} is at revision {self.revision}")


class ResponseNotAllowed(DomainError):
    """Only a published comment gets a public response, and only a published one is withdrawn."""


def get_response(comment_id: int) -> CommentResponse | None:
    """The response to a comment as the database holds it now, with its versions, or None."""
    return db.session.scalar(
        select(CommentResponse)
        .where(CommentResponse.comment_id == comment_id)
        .options(
            selectinload(CommentResponse.author),
            selectinload(CommentResponse.versions).selectinload(CommentResponseVersion.saved_by),
        )
        .execution_options(populate_existing=True)
    )


def save_response(
    comment_id: int,
    expected_revision: int,
    body: str,
    publish: bool,
    actor: StaffUser,
    now: datetime | None = None,
) -> CommentResponse:
    """Save the response's text as a draft, or publish it (a published one stays published)."""
    now = now or datetime.now(UTC)
    _published_comment(comment_id)
    current = get_response(comment_id)
    if (current.revision if current else NO_RESPONSE_YET) != expected_revision:
        _refuse(ResponseChanged(comment_id, current))
    from_state = current.state if current else None
    to_state = (
        ResponseState.PUBLISHED if publish or from_state == ResponseState.PUBLISHED else ResponseState.DRAFT
    )
    values: dict[str, Any] = {"body": body, "state": to_state, "updated_at": now, "author_id": actor.id}
    if to_state == ResponseState.PUBLISHED and from_state != ResponseState.PUBLISHED:
        values["published_at"] = now
    response = _insert(comment_id, values) if current is None else _update(current, values)
    action = EDIT_ACTION if from_state == to_state == ResponseState.PUBLISHED else AUDIT_ACTIONS[to_state]
    return _finish(response, action, from_state, expected_revision, actor, now)


def withdraw_response(
    comment_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None
) -> CommentResponse:
    """Take a published response off the public pages; its versions stay for staff."""
    now = now or datetime.now(UTC)
    current = get_response(comment_id)
    if current is None or current.revision != expected_revision:
        _refuse(ResponseChanged(comment_id, current))
    if current.state != ResponseState.PUBLISHED:
        _refuse(ResponseNotAllowed("Only a published response can be withdrawn"))
    response = _update(current, {"state": ResponseState.WITHDRAWN, "updated_at": now, "author_id": actor.id})
    return _finish(
        response,
        AUDIT_ACTIONS[ResponseState.WITHDRAWN],
        ResponseState.PUBLISHED,
        expected_revision,
        actor,
        now,
    )


def _published_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment {comment_id}")
    if comment.state != CommentState.PUBLISHED:
        raise ResponseNotAllowed("Only a published comment can have a public response")
    return comment


def _insert(comment_id: int, values: dict[str, Any]) -> CommentResponse:
    response = CommentResponse(comment_id=comment_id, revision=1, created_at=values["updated_at"], **values)
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # Another moderator saved the first response to this comment a moment before.
        db.session.rollback()
        _refuse(ResponseChanged(comment_id, get_response(comment_id)))
    return response


def _update(current: CommentResponse, values: dict[str, Any]) -> CommentResponse:
    """Change the row only if nobody else has since: the database decides who was first."""
    comment_id, expected_revision = current.comment_id, current.revision
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(CommentResponse)
            .where(CommentResponse.id == current.id, CommentResponse.revision == expected_revision)
            .values(revision=CommentResponse.revision + 1, **values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        db.session.rollback()
        _refuse(ResponseChanged(comment_id, get_response(comment_id)))
    response = get_response(comment_id)
    assert response is not None
    return response


def _finish(
    response: CommentResponse,
    action: str,
    from_state: str | None,
    expected_revision: int,
    actor: StaffUser,
    now: datetime,
) -> CommentResponse:
    """Keep the version and the audit entry in the same transaction as the change, and commit."""
    db.session.add(
        CommentResponseVersion(
            response_id=response.id,
            revision=response.revision,
            body=response.body,
            state=response.state,
            saved_at=now,
            saved_by_id=actor.id,
        )
    )
    audit.record(
        action,
        actor,
        record_type="comment",
        record_id=response.comment_id,
        before={"response_state": from_state, "response_revision": expected_revision},
        after={"response_state": response.state, "response_revision": response.revision},
        now=now,
    )
    db.session.commit()
    refreshed = get_response(response.comment_id)
    assert refreshed is not None
    return refreshed


def _refuse(error: DomainError) -> NoReturn:
    """End the transaction without writing anything, and say why."""
    db.session.rollback()
    raise error
