"""What the theme figures count: comments per theme, and per theme within each section.

The figures themselves are built by services/figures.py from these rows and counts, like
every other figure. A comment with two themes counts once under each. Counts are aggregate
queries keyed by theme id, so a rename never splits a theme's row.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, func, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, Section, Tag, comment_tag
from feedback_portal.services.documents import get_current_version

WHOLE_DOCUMENT = "document"
WHOLE_DOCUMENT_LABEL = "The whole document"


def theme_labels() -> list[tuple[str, str]]:
    """(key, name) of every theme, by name."""
    return [
        (str(tag_id), name)
        for tag_id, name in db.session.execute(select(Tag.id, Tag.name).order_by(Tag.name))
    ]


def section_theme_labels() -> list[tuple[str, str]]:
    """(key, 'Section: theme') for every theme in every section of the current version, in order."""
    themes = db.session.execute(select(Tag.id, Tag.name).order_by(Tag.name)).all()
    sections = [(WHOLE_DOCUMENT, WHOLE_DOCUMENT_LABEL)] + [
        (section.slug, section.heading) for section in get_current_version().sections
    ]
    return [
        (f"{slug}/{tag_id}", f"{heading}: {name}") for slug, heading in sections for tag_id, name in themes
    ]


def counts_by_theme(model: Any, column: Any, condition: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    _only_comments(model)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for tag_id, value, count in db.session.execute(
        select(comment_tag.c.tag_id, column, func.count(Comment.id))
        .select_from(comment_tag)
        .join(Comment, Comment.id == comment_tag.c.comment_id)
        .where(condition)
        .group_by(comment_tag.c.tag_id, column)
    ):
        counts[str(tag_id)][value] = count
    return counts


def counts_by_section_and_theme(
    model: Any, column: Any, condition: ColumnElement[bool]
) -> dict[str, dict[str, int]]:
    """A section's counts include the comments on its practice examples, as the section figures do."""
    _only_comments(model)
    # Counted by section id first, then the few groups named by slug. Grouped by theme first, so
    # that SQLite reads the themed comments from comment_tag rather than every comment.
    by_section_id = (
        select(
            Comment.section_id,
            comment_tag.c.tag_id,
            column.label("value"),
            func.count(Comment.id).label("rows"),
        )
        .select_from(comment_tag)
        .join(Comment, Comment.id == comment_tag.c.comment_id)
        .where(condition)
        .group_by(comment_tag.c.tag_id, Comment.section_id, column)
        .subquery()
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for slug, tag_id, value, count in db.session.execute(
        select(Section.slug, by_section_id.c.tag_id, by_section_id.c.value, by_section_id.c.rows)
        .select_from(by_section_id)
        .outerjoin(Section, Section.id == by_section_id.c.section_id)
    ):
        counts[f"{slug or WHOLE_DOCUMENT}/{tag_id}"][value] += count
    return counts


def _only_comments(model: Any) -> None:
    # Themes are given to comments: an answer on its own has none.
    if model is not Comment:
        raise ValueError("Theme figures count comments only")
