"""A new version of the document, as news for the people who commented on a part of it that changed.

For each published version after the first, a person hears of it once (the event
"version:<id>" in UpdateDelivery), listing only the sections and examples they commented on
in an earlier version whose words differ from the version before it. updates.py gathers these
with the responses and summaries, and sends them the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import Comment, DocumentVersion, PracticeItem, Section
from feedback_portal.services.document_versions.history import compare


@dataclass(frozen=True)
class ChangedPart:
    """A section, or one example in it, that a person commented on and that the version changed."""

    heading: str
    section_slug: str
    example: str | None = None


@dataclass(frozen=True)
class VersionNews:
    version: DocumentVersion
    comment: Comment
    part: ChangedPart


def _changed_items(before: DocumentVersion, after: DocumentVersion) -> set[str]:
    now = {item.key: item.text for section in after.sections for item in section.items}
    return {
        item.key for section in before.sections for item in section.items if now.get(item.key) != item.text
    }


def list_version_news(now: datetime, wants_updates: Sequence[ColumnElement[bool]]) -> list[VersionNews]:
    """Each comment, by someone who asked to hear, on a part that a version published by `now` changed."""
    published = list(
        db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.published_at.is_not(None), DocumentVersion.published_at <= now)
            .options(selectinload(DocumentVersion.sections).selectinload(Section.items))
            .order_by(DocumentVersion.document_id, DocumentVersion.number)
        )
    )
    news: list[VersionNews] = []
    for before, after in itertools.pairwise(published):
        if before.document_id != after.document_id:
            continue
        news.extend(_news_of(before, after, wants_updates))
    return news


def _news_of(
    before: DocumentVersion, after: DocumentVersion, wants_updates: Sequence[ColumnElement[bool]]
) -> list[VersionNews]:
    sections = {change.slug: change.heading for change in compare(before, after).sections}
    items = _changed_items(before, after)
    if not sections and not items:
        return []
    rows = db.session.execute(
        select(Comment, Section, PracticeItem)
        .join(DocumentVersion, DocumentVersion.id == Comment.document_version_id)
        .join(Section, Section.id == Comment.section_id)
        .outerjoin(PracticeItem, PracticeItem.id == Comment.practice_item_id)
        .where(
            *wants_updates,
            DocumentVersion.document_id == after.document_id,
            DocumentVersion.number < after.number,
        )
        .order_by(Comment.created_at, Comment.id)
    )
    found = []
    for comment, section, item in rows:
        part = _changed_part(section, item, sections, items)
        if part is not None:
            found.append(VersionNews(after, comment, part))
    return found


def _changed_part(
    section: Section, item: PracticeItem | None, sections: dict[str, str], items: set[str]
) -> ChangedPart | None:
    """The part the comment was made on, if the new version changed it; an example by its own words."""
    if item is not None:
        if item.key not in items:
            return None
        return ChangedPart(sections.get(section.slug, section.heading), section.slug, item.text)
    if section.slug not in sections:
        return None
    return ChangedPart(sections[section.slug], section.slug)
