"""Answers to "Does this make sense to you?" given on their own, and the totals of every answer.

An answer on its own holds nothing about the person who gave it: no name, no email address,
no client address. The public only ever sees totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from feedback_portal import vocabulary
from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, Reaction, StandaloneReaction
from feedback_portal.services.feedback import CommentTarget, ensure_consultation_open

ALONE = "alone"
WITH_COMMENTS = "with-comments"


@dataclass(frozen=True)
class ReactionSubmission:
    """What a person sent, already validated by the form."""

    submission_key: str
    reaction: str
    # Why this looks automated (honeypot filled, sent too fast), or None for a person.
    spam_signal: str | None = None


def submit_reaction(
    target: CommentTarget, submission: ReactionSubmission, now: datetime | None = None
) -> StandaloneReaction | None:
    """Count one answer, exactly once however often the same form is sent.

    An answer that looks automated is dropped: the sender is thanked all the same, so it
    learns nothing, and it is never counted. Returns the answer counted, or None.
    """
    now = now or datetime.now(UTC)
    ensure_consultation_open(now)
    if submission.spam_signal is not None:
        return None
    existing = _by_submission_key(submission.submission_key)
    if existing is not None:
        return existing
    answer = StandaloneReaction(
        submission_key=submission.submission_key,
        document_version_id=target.version.id,
        section_id=target.section.id if target.section is not None else None,
        practice_item_id=target.item.id if target.item is not None else None,
        reaction=Reaction(submission.reaction).value,
        created_at=now.replace(minute=0, second=0, microsecond=0),
    )
    db.session.add(answer)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form sent again at the same moment was counted first.
        db.session.rollback()
        existing = _by_submission_key(submission.submission_key)
        if existing is None:
            raise
        return existing
    return answer


def _by_submission_key(key: str) -> StandaloneReaction | None:
    return db.session.scalar(select(StandaloneReaction).where(StandaloneReaction.submission_key == key))


@dataclass(frozen=True)
class ReactionCounts:
    """How many people answered yes, partly and no: on their own, and with a published comment."""

    alone: dict[str, int] = field(default_factory=dict)
    with_comments: dict[str, int] = field(default_factory=dict)

    def count(self, reaction: str) -> int:
        return self.alone.get(reaction, 0) + self.with_comments.get(reaction, 0)

    @property
    def total_alone(self) -> int:
        return sum(self.alone.values())

    @property
    def total_with_comments(self) -> int:
        return sum(self.with_comments.values())

    @property
    def total(self) -> int:
        return self.total_alone + self.total_with_comments

    @property
    def in_words(self) -> str:
        """Like "7 yes, 3 partly, 2 no", in the vocabulary's words."""
        return ", ".join(
            f"{self.count(reaction):,} {label.lower()}"
            for reaction, label in vocabulary.REACTION_LABELS.items()
        )


def reaction_counts(
    document_version_id: int,
    section_id: int | None = None,
    practice_item_id: int | None = None,
    *,
    with_practice_items: bool = False,
) -> ReactionCounts:
    """The answers about exactly one target, in one aggregate query.

    The target is the whole document (no section, no item), a section as a whole, or one
    practice item, as for comments; `with_practice_items` adds a section's items to it.
    Answers given with a comment count once the comment is published, so that the totals
    the public sees never move for feedback a moderator has not yet read.
    """
    alone = select(literal(ALONE), StandaloneReaction.reaction, func.count()).where(
        *_on_target(
            StandaloneReaction, document_version_id, section_id, practice_item_id, with_practice_items
        )
    )
    with_comments = select(literal(WITH_COMMENTS), Comment.reaction, func.count()).where(
        *_on_target(Comment, document_version_id, section_id, practice_item_id, with_practice_items),
        Comment.state == CommentState.PUBLISHED,
        Comment.reaction.is_not(None),
    )
    query: CompoundSelect[Any] = union_all(
        alone.group_by(StandaloneReaction.reaction), with_comments.group_by(Comment.reaction)
    )
    counts: dict[str, dict[str, int]] = {ALONE: {}, WITH_COMMENTS: {}}
    for source, reaction, count in db.session.execute(query):
        counts[source][reaction] = count
    return ReactionCounts(alone=counts[ALONE], with_comments=counts[WITH_COMMENTS])


def _on_target(
    model: type[Comment] | type[StandaloneReaction],
    document_version_id: int,
    section_id: int | None,
    practice_item_id: int | None,
    with_practice_items: bool,
) -> list[ColumnElement[bool]]:
    conditions = [model.document_version_id == document_version_id]
    if practice_item_id is not None:
        conditions.append(model.practice_item_id == practice_item_id)
    elif section_id is not None:
        conditions.append(model.section_id == section_id)
        if not with_practice_items:
            conditions.append(model.practice_item_id.is_(None))
    else:
        conditions += [model.section_id.is_(None), model.practice_item_id.is_(None)]
    return conditions


def counts_for(target: CommentTarget) -> ReactionCounts:
    return reaction_counts(
        target.version.id,
        target.section.id if target.section is not None else None,
        target.item.id if target.item is not None else None,
    )
