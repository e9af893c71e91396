"""The filters staff use to narrow feedback, and the one query that applies them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, column, or_, select, table, text

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, PracticeItem, Report, Section, Tag, comment_tag
from feedback_portal.services.consultations import find_current_consultation
from feedback_portal.uk_time import start_of_uk_day

# The `section` filter's value for comments on the whole document rather than one section.
WHOLE_DOCUMENT = "document"
# Spam says nothing about what people think, and a withdrawn comment is gone: what the figures
# and digests count as feedback is every other state, which the `state` filter calls this.
EVERY_FEEDBACK_STATE = "feedback"
NOT_FEEDBACK = (CommentState.SPAM, CommentState.WITHDRAWN)


@dataclass(frozen=True)
class CommentFilters:
    """Which comments a staff page shows: the queue, the export page and `flask export csv`.

    Every field comes from a page's URL or the command line. A state of None means any state;
    EVERY_FEEDBACK_STATE means any but spam and withdrawn.
    """

    state: str | None = CommentState.PENDING
    # A consultation's id; None for every consultation. The pages and `flask export` start at
    # the current one (current_consultation_id).
    consultation: int | None = None
    # A section's slug, or "document" for comments on the whole document.
    section: str | None = None
    item: str | None = None
    reaction: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    tag: str | None = None
    has_reports: bool = False
    # Words in the comment, or its reference; with `text_in_contact_details`, the name or email too.
    text: str | None = None
    text_in_contact_details: bool = False

    @property
    def oldest_first(self) -> bool:
        # Work through what is waiting in the order it came; anything else, newest first.
        return self.state == CommentState.PENDING


# A reference as people quote it: "CP-ESRBMC", "cp esrbmc" or "ESRBMC".
_QUOTED_REFERENCE = re.compile(r"^(?:CP[\s-]*)?([A-Z0-9]{6})$")


def reference_in(text: str) -> str | None:
    """The comment reference `text` is, however it was typed; None if it is not one."""
    match = _QUOTED_REFERENCE.match(text.strip().upper())
    return f"CP-{match.group(1)}" if match else None


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def apply_comment_filters(query: Select, filters: CommentFilters) -> Select:
    """`query` narrowed to the comments these filters describe."""
    if filters.consultation is not None:
        query = query.where(Comment.consultation_id == filters.consultation)
    if filters.state == EVERY_FEEDBACK_STATE:
        query = query.where(Comment.state.not_in(NOT_FEEDBACK))
    elif filters.state is not None:
        query = query.where(Comment.state == filters.state)
    if filters.section == WHOLE_DOCUMENT:
        query = query.where(Comment.section_id.is_(None))
    elif filters.section:
        query = query.where(Comment.section_id.in_(_ids_of(Section.id, Section.slug == filters.section)))
    if filters.item:
        query = query.where(
            Comment.practice_item_id.in_(_ids_of(PracticeItem.id, PracticeItem.key == filters.item))
        )
    if filters.reaction:
        query = query.where(Comment.reaction == filters.reaction)
    if filters.created_from:
        query = query.where(Comment.created_at >= start_of_uk_day(filters.created_from))
    if filters.created_to:
        query = query.where(Comment.created_at < start_of_uk_day(filters.created_to + timedelta(days=1)))
    if filters.tag:
        query = query.where(
            Comment.id.in_(
                select(comment_tag.c.comment_id).where(
                    comment_tag.c.tag_id.in_(_ids_of(Tag.id, Tag.name == filters.tag))
                )
            )
        )
    if filters.has_reports:
        # The few comments with open reports, looked up from the reports: not every comment
        # checked for a report of its own.
        query = query.where(Comment.id.in_(select(Report.comment_id).where(Report.resolved_at.is_(None))))
    if filters.text:
        query = query.where(_text_matches(filters.text, filters.text_in_contact_details))
    return query


def _ids_of(id_column: Any, condition: ColumnElement[bool]) -> list[int]:
    """The ids a section slug, practice item key or theme name stands for, looked up first: the
    database then plans the comment query for those very ids, and reads the index of the section,
    item or theme when it has few comments, instead of every comment in the queue's order."""
    return list(db.session.scalars(select(id_column).where(condition)))


def current_consultation_id() -> int | None:
    """Where the consultation filter starts: the consultation the public sees now."""
    current = find_current_consultation()
    return current.id if current is not None else None


def _text_matches(text: str, in_contact_details: bool) -> ColumnElement[bool]:
    pattern = like_pattern(text)
    places = [Comment.body, Comment.public_body]
    if in_contact_details:
        places += [Comment.author_name, Comment.author_email]
    found: ColumnElement[bool] = or_(*[place.ilike(pattern, escape="\\") for place in places])
    if _searches_through_fts5(text):
        # The index names the comments that can match; the same LIKE as ever decides.
        found = and_(Comment.id.in_(_fts5_candidates(text)), found)
    reference = reference_in(text)
    if reference:
        found = or_(found, Comment.reference == reference)
    return found


# Made by the migration c5d8e2a7f3b1: on PostgreSQL a trigram index serves ILIKE as it is; on
# SQLite an FTS5 table of the same columns with the trigram tokenizer, case folded, which finds
# the comments holding every trigram of the words: all those the LIKE finds, and a few more.
COMMENT_SEARCH_TABLE = "comment_search"
_comment_search = table(COMMENT_SEARCH_TABLE, column("rowid"), column(COMMENT_SEARCH_TABLE))
# Trigrams: a shorter phrase is in no index, so it is looked for in every comment.
SHORTEST_INDEXED_TEXT = 3


def _searches_through_fts5(words: str) -> bool:
    if db.engine.dialect.name != "sqlite" or len(words) < SHORTEST_INDEXED_TEXT:
        return False
    # A SQLite too old for trigrams gets no table (see the migration), and searches as before.
    # Looked up each time (microseconds on SQLite), so that a database migrated either way
    # while the app runs is searched right.
    return (
        db.session.scalar(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": COMMENT_SEARCH_TABLE},
        )
        is not None
    )


def _fts5_candidates(words: str) -> Select:
    # Every trigram of the words, each an FTS5 string (every character literal, " doubled).
    # The table keeps no positions, nor which column (detail=none): the LIKE decides those.
    trigrams = dict.fromkeys(words[start : start + 3] for start in range(len(words) - 2))
    query = " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)
    return select(_comment_search.c.rowid).where(_comment_search.c[COMMENT_SEARCH_TABLE].match(query))
