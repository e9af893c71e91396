"""Themes as a managed list: describing, renaming, merging and deleting the themes (tags).

Themes are still created the first time a moderator gives one to a comment
(moderation/notes_and_tags.py); here staff look after the list. Each change is one transaction
with one audit entry. A change names the revision of the theme the person saw, and the theme's
row is locked before anything is written, so the second of two staff acting on the same theme
is told instead of losing or duplicating anything. When two themes are locked they are locked
in id order, so that merging A into B and B into A at once cannot deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

from sqlalchemy import Integer, Table, case, delete, func, insert, literal, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from feedback_portal.extensions import db
from feedback_portal.models import (
    AuditEntry,
    Comment,
    CommentState,
    StaffUser,
    Tag,
    comment_tag,
    summary_theme,
)
from feedback_portal.services import audit
from feedback_portal.services.exceptions import Conflict, DomainError, NotFound
from feedback_portal.services.moderation import is_valid_tag_name, normalise_tag_name

DESCRIPTION_MAX_LENGTH = 500
RECORD_TYPE = "theme"
RENAME_ACTION = "theme.rename"
DESCRIBE_ACTION = "theme.describe"
MERGE_ACTION = "theme.merge"
DELETE_ACTION = "theme.delete"
THEME_ACTIONS = (RENAME_ACTION, DESCRIBE_ACTION, MERGE_ACTION, DELETE_ACTION)


class ThemeChanged(Conflict):
    """Someone else changed, merged or deleted the theme since the person loaded it."""

    def __init__(self, tag_id: int, current: Tag | None) -> None:
        self.tag_id = tag_id
        # None: the theme is gone (merged into another, or deleted).
        self.current_name = current.name if current is not None else None
        super().__init__(f"Theme {tag_id} changed")


class ThemeNameTaken(DomainError):
    """Another theme already has the name: the person can merge into it instead."""

    def __init__(self, existing: Tag) -> None:
        self.existing_id = existing.id
        self.existing_name = existing.name
        super().__init__(f"Theme {existing.id} is already called that")


class ThemeInUse(DomainError):
    """A theme that comments or summaries use cannot be deleted: it can be merged."""

    def __init__(self, comments: int, summaries: int) -> None:
        self.comments = comments
        self.summaries = summaries
        super().__init__(f"The theme is used by {comments} comments and {summaries} summaries")


class NotATheme(DomainError):
    """A theme cannot be merged into itself, or be given a name that is not a theme's."""


@dataclass(frozen=True)
class ThemeUse:
    """A theme with how much uses it, as the list and the theme's page show it."""

    id: int
    name: str
    description: str | None
    revision: int
    comments: int
    published: int
    summaries: int

    @property
    def in_use(self) -> bool:
        return bool(self.comments or self.summaries)


@dataclass(frozen=True)
class MergeResult:
    into: Tag
    # Comments that had only the merged theme, and now have the one it merged into.
    comments_moved: int
    # Comments that had both: they keep one.
    comments_with_both: int
    summaries_moved: int


def _uses_query() -> Any:
    published = func.count(case((Comment.state == CommentState.PUBLISHED, Comment.id)))
    summaries = (
        select(func.count())
        .select_from(summary_theme)
        .where(summary_theme.c.tag_id == Tag.id)
        .correlate(Tag)
        .scalar_subquery()
    )
    return (
        select(Tag, func.count(Comment.id), published, summaries)
        .outerjoin(comment_tag, comment_tag.c.tag_id == Tag.id)
        .outerjoin(Comment, Comment.id == comment_tag.c.comment_id)
        .group_by(Tag.id)
    )


def _to_use(row: Any) -> ThemeUse:
    tag, comments, published, summaries = row
    return ThemeUse(tag.id, tag.name, tag.description, tag.revision, comments, published, summaries)


def list_themes() -> list[ThemeUse]:
    """Every theme, by name, with the comments (all and published) and summaries that use it."""
    return [_to_use(row) for row in db.session.execute(_uses_query().order_by(Tag.name))]


def get_theme(tag_id: int) -> ThemeUse:
    row = db.session.execute(
        _uses_query().where(Tag.id == tag_id).execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise NotFound(f"No theme {tag_id}")
    return _to_use(row)


def list_other_themes(tag_id: int) -> list[Tag]:
    """The themes another one can be merged into."""
    return list(db.session.scalars(select(Tag).where(Tag.id != tag_id).order_by(Tag.name)))


def list_version() -> int:
    """A number that grows whenever a theme is made, given, taken off, renamed, merged or deleted.

    Every such change is in the audit log, whose ids only grow: for an ETag over anything that
    shows themes (0 before the first).
    """
    actions = (*THEME_ACTIONS, "comment.tag", "comment.untag")
    return db.session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.action.in_(actions))) or 0


def update_theme(
    tag_id: int,
    expected_revision: int,
    name: str,
    description: str | None,
    actor: StaffUser,
    now: datetime | None = None,
) -> Tag:
    """Rename and describe a theme. A name another theme has is refused: merge into it instead."""
    now = now or datetime.now(UTC)
    name = normalise_tag_name(name)
    if not is_valid_tag_name(name):
        raise NotATheme("Not a theme name")
    tag = _lock(tag_id, expected_revision)
    taken = db.session.scalar(select(Tag).where(Tag.name == name, Tag.id != tag_id))
    if taken is not None:
        _refuse(ThemeNameTaken(taken))
    if tag.name == name and (tag.description or None) == (description or None):
        # Nothing to change: not worth a revision or an audit entry.
        db.session.rollback()
        return tag
    before = {"name": tag.name}
    description_changed = (tag.description or None) != (description or None)
    action = RENAME_ACTION if tag.name != name else DESCRIBE_ACTION
    tag.name, tag.description, tag.revision = name, description or None, tag.revision + 1
    try:
        db.session.flush()
    except IntegrityError:
        # A moderator gave a comment a new theme of this name a moment ago.
        db.session.rollback()
        existing = db.session.scalar(select(Tag).where(Tag.name == name))
        raise ThemeNameTaken(existing) if existing is not None else Conflict("Try again") from None
    audit.record(
        action,
        actor,
        record_type=RECORD_TYPE,
        record_id=tag_id,
        before=before,
        after={"name": name},
        details={"description_changed": description_changed},
        now=now,
    )
    db.session.commit()
    return tag


def merge_themes(
    source_id: int, expected_revision: int, target_id: int, actor: StaffUser, now: datetime | None = None
) -> MergeResult:
    """Move every comment and summary of one theme to another, then delete the first.

    A comment or summary that had both keeps the one it is merged into, once.
    """
    now = now or datetime.now(UTC)
    if source_id == target_id:
        raise NotATheme("A theme cannot be merged into itself")
    locked = _lock_both(source_id, expected_revision, target_id)
    source, target = locked[source_id], locked[target_id]
    comments_moved, comments_with_both = _move_links(comment_tag, "comment_id", source_id, target_id)
    summaries_moved, _ = _move_links(summary_theme, "summary_id", source_id, target_id)
    source_name = source.name
    db.session.delete(source)
    target.revision += 1
    try:
        db.session.flush()
    except IntegrityError:
        # A moderator gave a comment the merged theme while it was being merged.
        db.session.rollback()
        _refuse(ThemeChanged(source_id, db.session.get(Tag, source_id)))
    audit.record(
        MERGE_ACTION,
        actor,
        record_type=RECORD_TYPE,
        record_id=target_id,
        before={"merged_theme_id": source_id, "merged_theme": source_name},
        after={"theme_id": target_id, "theme": target.name},
        details={
            "comments_moved": comments_moved,
            "comments_with_both": comments_with_both,
            "summaries_moved": summaries_moved,
        },
        now=now,
    )
    db.session.commit()
    return MergeResult(target, comments_moved, comments_with_both, summaries_moved)


def delete_theme(tag_id: int, expected_revision: int, actor: StaffUser, now: datetime | None = None) -> str:
    """Delete a theme no comment or summary uses; returns its name."""
    now = now or datetime.now(UTC)
    tag = _lock(tag_id, expected_revision)
    comments = _count(comment_tag, tag_id)
    summaries = _count(summary_theme, tag_id)
    if comments or summaries:
        _refuse(ThemeInUse(comments, summaries))
    name = tag.name
    db.session.delete(tag)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _refuse(ThemeInUse(_count(comment_tag, tag_id), _count(summary_theme, tag_id)))
    audit.record(
        DELETE_ACTION, actor, record_type=RECORD_TYPE, record_id=tag_id, before={"name": name}, now=now
    )
    db.session.commit()
    return name


# Locking and moving -----------------------------------------------------------------------------


def _lock(tag_id: int, expected_revision: int) -> Tag:
    """The theme, locked for this transaction, if it is still at the revision the person saw."""
    _claim(tag_id, expected_revision)
    tag = db.session.get(Tag, tag_id, populate_existing=True)
    assert tag is not None
    return tag


def _lock_both(source_id: int, expected_revision: int, target_id: int) -> dict[int, Tag]:
    for tag_id in sorted((source_id, target_id)):
        _claim(tag_id, expected_revision if tag_id == source_id else None)
    return {
        tag_id: cast(Tag, db.session.get(Tag, tag_id, populate_existing=True))
        for tag_id in (source_id, target_id)
    }


def _claim(tag_id: int, expected_revision: int | None) -> None:
    """Lock the theme's row by writing to it: on PostgreSQL a second writer waits for the first
    to commit, then finds the revision moved on (or the row gone) and is refused; on SQLite
    the first write takes the database's write lock."""
    condition = [Tag.id == tag_id]
    if expected_revision is not None:
        condition.append(Tag.revision == expected_revision)
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(Tag)
            .where(*condition)
            .values(revision=Tag.revision)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ThemeChanged(tag_id, db.session.get(Tag, tag_id, populate_existing=True))


def _move_links(table: Table, owner: str, source_id: int, target_id: int) -> tuple[int, int]:
    """Give the target theme to everything that had the source, once; remove the source's links.

    Returns how many moved, and how many already had the target. Counted before moving: not
    every driver reports how many rows INSERT ... SELECT wrote (psycopg gives -1).
    """
    owner_column = table.c[owner]
    already = select(owner_column).where(table.c.tag_id == target_id)
    from_source = table.c.tag_id == source_id
    moving = db.session.scalar(
        select(func.count()).select_from(table).where(from_source, owner_column.not_in(already))
    )
    total = _count(table, source_id)
    db.session.execute(
        insert(table).from_select(
            [owner, "tag_id"],
            select(owner_column, literal(target_id, Integer)).where(
                from_source, owner_column.not_in(already)
            ),
        )
    )
    db.session.execute(delete(table).where(from_source))
    return moving or 0, total - (moving or 0)


def _count(table: Table, tag_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(table).where(table.c.tag_id == tag_id)) or 0


def _refuse(error: DomainError) -> NoReturn:
    """End the transaction without writing anything, and say why."""
    db.session.rollback()
    raise error
