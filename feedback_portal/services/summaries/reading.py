"""Reading summaries: for staff (every state), for the public (published only), and the counts behind them.

The counts are worked out when asked, never stored, so they follow moderation: a comment that is
hidden or withdrawn after the summary was written stops counting, and its quote stops showing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentState,
    DocumentVersion,
    PracticeItem,
    Reaction,
    Section,
    StandaloneReaction,
    Summary,
    SummaryQuote,
    SummaryState,
    Tag,
)
from feedback_portal.services.documents import get_current_version, get_practice_item, get_section_page
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.summaries.coverage import comments_covered_by, covers_part

WHOLE_DOCUMENT = "document"


@dataclass(frozen=True)
class TargetChoice:
    # "document", "section-slug" or "section-slug/item-key"
    value: str
    label: str
    kind: str


@dataclass(frozen=True)
class Counts:
    """The published comments behind a summary, and how they answered 'Does this make sense?'."""

    comments: int = 0
    # Answers with a published comment and answers given on their own, together.
    reactions: dict[str, int] = field(default_factory=dict)
    # Of those, the answers given without a comment.
    alone: int = 0

    @property
    def reacted(self) -> int:
        return sum(self.reactions.values())


@dataclass(frozen=True)
class ShownSummary:
    """A summary as a page shows it: the counts behind it and the quotes still published."""

    summary: Summary
    counts: Counts
    quotes: list[Comment]
    label: str


@dataclass(frozen=True)
class PartOfDocument:
    """A part of the document and its published summaries, for the outcome page."""

    key: str
    heading: str
    summaries: list[ShownSummary]


def _loaded(query: Select) -> Select:
    return query.options(
        selectinload(Summary.section),
        selectinload(Summary.practice_item).selectinload(PracticeItem.section),
        selectinload(Summary.author),
        selectinload(Summary.themes),
        selectinload(Summary.quotes).selectinload(SummaryQuote.comment).selectinload(Comment.practice_item),
        selectinload(Summary.quotes).selectinload(SummaryQuote.comment).selectinload(Comment.section),
        selectinload(Summary.actions),
    )


def get_summary(summary_id: int) -> Summary:
    """The summary as the database holds it now, in any state (for staff)."""
    summary = db.session.scalar(
        _loaded(select(Summary).where(Summary.id == summary_id)).execution_options(populate_existing=True)
    )
    if summary is None:
        raise NotFound(f"No summary {summary_id}")
    return summary


def get_published_summary(summary_id: int) -> Summary:
    summary = get_summary(summary_id)
    if summary.state != SummaryState.PUBLISHED:
        raise NotFound(f"No published summary {summary_id}")
    return summary


def list_summaries() -> list[Summary]:
    """Every summary, in the order of the document: the whole document, then each section and its items."""
    return sorted(db.session.scalars(_loaded(select(Summary))), key=_document_order)


def list_published(
    version: DocumentVersion, section: Section | None = None, item: PracticeItem | None = None
) -> list[Summary]:
    """Published summaries of exactly this target: a section's own, not its items'.

    The target in any version of the document (a section by slug, an example by key), so a
    summary written before a new version was published still shows with its part.
    """
    query = (
        select(Summary)
        .join(DocumentVersion, DocumentVersion.id == Summary.document_version_id)
        .where(DocumentVersion.document_id == version.document_id, Summary.state == SummaryState.PUBLISHED)
    )
    if item is not None:
        query = query.where(
            Summary.practice_item_id.in_(select(PracticeItem.id).where(PracticeItem.key == item.key))
        )
    elif section is not None:
        query = query.where(
            Summary.section_id.in_(select(Section.id).where(Section.slug == section.slug)),
            Summary.practice_item_id.is_(None),
        )
    else:
        query = query.where(Summary.section_id.is_(None), Summary.practice_item_id.is_(None))
    return list(db.session.scalars(_loaded(query).order_by(Summary.published_at, Summary.id)))


def show(summaries: list[Summary]) -> list[ShownSummary]:
    counts = count_behind(summaries)
    return [
        ShownSummary(summary, counts[summary.id], public_quotes(summary), target_label(summary))
        for summary in summaries
    ]


def show_published(
    version: DocumentVersion, section: Section | None = None, item: PracticeItem | None = None
) -> list[ShownSummary]:
    return show(list_published(version, section, item))


def list_published_by_part(version: DocumentVersion) -> list[PartOfDocument]:
    """Every published summary, grouped by part of the document: the whole document, then each section."""
    published = list(
        db.session.scalars(
            _loaded(
                select(Summary)
                .join(DocumentVersion, DocumentVersion.id == Summary.document_version_id)
                .where(
                    DocumentVersion.document_id == version.document_id,
                    Summary.state == SummaryState.PUBLISHED,
                )
            )
        )
    )
    shown = show(sorted(published, key=_document_order))
    parts = [
        PartOfDocument(
            WHOLE_DOCUMENT, "The whole document", [s for s in shown if s.summary.section_id is None]
        )
    ]
    for section in version.sections:
        mine = [s for s in shown if s.summary.section is not None and s.summary.section.slug == section.slug]
        parts.append(PartOfDocument(section.slug, section.heading, mine))
    return [part for part in parts if part.summaries]


def _document_order(summary: Summary) -> tuple[int, int, int, int]:
    section = summary.section.position if summary.section is not None else -1
    item = summary.practice_item.position if summary.practice_item is not None else -1
    return (summary.document_version_id, section, item, summary.id)


# What a summary covers ------------------------------------------------------------------------


def list_target_choices() -> list[TargetChoice]:
    version = get_current_version()
    choices = [TargetChoice(WHOLE_DOCUMENT, "The whole document", "document")]
    choices += [TargetChoice(section.slug, section.heading, "section") for section in version.sections]
    choices += [
        TargetChoice(f"{section.slug}/{item.key}", f"{section.heading}: {item.text}", "item")
        for section in version.sections
        for item in section.items
    ]
    return choices


def resolve_target(value: str) -> tuple[DocumentVersion, Section | None, PracticeItem | None]:
    """The part of the current version a target choice names; NotFound for anything else."""
    if value == WHOLE_DOCUMENT:
        return get_current_version(), None, None
    slug, _, key = value.partition("/")
    if key:
        page, item = get_practice_item(slug, key)
        return page.version, page.section, item
    page = get_section_page(slug)
    return page.version, page.section, None


def target_label(summary: Summary) -> str:
    if summary.practice_item is not None:
        return f"{summary.practice_item.section.heading}: {summary.practice_item.text}"
    if summary.section is not None:
        return summary.section.heading
    return "The whole document"


# The comments behind a summary ----------------------------------------------------------------


def _published_on_target(summary: Summary) -> Select:
    """Published comments on the summary's target: a section's include its items'; the document's, all."""
    return select(Comment).where(comments_covered_by(summary), Comment.state == CommentState.PUBLISHED)


def list_quotable_comments(summary: Summary) -> list[Comment]:
    """The comments staff may quote: published, on the target, newest first."""
    query = _published_on_target(summary).options(
        selectinload(Comment.section), selectinload(Comment.practice_item)
    )
    return list(db.session.scalars(query.order_by(Comment.published_at.desc(), Comment.id.desc())))


def list_comments_behind(summary: Summary, theme: Tag | None = None) -> list[Comment]:
    """The published comments a summary speaks for, or those of one of its themes; oldest first."""
    query = _published_on_target(summary)
    if theme is not None:
        query = query.where(Comment.tags.any(Tag.id == theme.id))
    query = query.options(selectinload(Comment.response), selectinload(Comment.document_version))
    return list(db.session.scalars(query.order_by(Comment.published_at, Comment.id)))


def find_theme(summary: Summary, theme_id: int) -> Tag:
    for theme in summary.themes:
        if theme.id == theme_id:
            return theme
    raise NotFound(f"Summary {summary.id} has no theme {theme_id}")


def public_quotes(summary: Summary) -> list[Comment]:
    """The quoted comments that are still published: one hidden or withdrawn since drops out."""
    return [quote.comment for quote in summary.quotes if quote.comment.state == CommentState.PUBLISHED]


def count_behind(summaries: list[Summary]) -> dict[int, Counts]:
    """Each summary's counts, from two aggregate queries per document version."""
    counts: dict[int, Counts] = {}
    for version_id in {summary.document_version_id for summary in summaries}:
        comments = db.session.execute(
            select(Comment.section_id, Comment.practice_item_id, Comment.reaction, func.count())
            .where(Comment.document_version_id == version_id, Comment.state == CommentState.PUBLISHED)
            .group_by(Comment.section_id, Comment.practice_item_id, Comment.reaction)
        ).all()
        alone = db.session.execute(
            select(
                StandaloneReaction.section_id,
                StandaloneReaction.practice_item_id,
                StandaloneReaction.reaction,
                func.count(),
            )
            .where(StandaloneReaction.document_version_id == version_id)
            .group_by(
                StandaloneReaction.section_id,
                StandaloneReaction.practice_item_id,
                StandaloneReaction.reaction,
            )
        ).all()
        for summary in summaries:
            if summary.document_version_id == version_id:
                counts[summary.id] = _counts_for(summary, comments, alone)
    return counts


def _counts_for(summary: Summary, comments: Sequence[Any], alone: Sequence[Any]) -> Counts:
    reactions = Counter[str]()
    number_of_comments = number_alone = 0
    for section_id, item_id, reaction, number in comments:
        if covers_part(summary, section_id, item_id):
            number_of_comments += number
            if reaction:
                reactions[reaction] += number
    for section_id, item_id, reaction, number in alone:
        if covers_part(summary, section_id, item_id):
            number_alone += number
            reactions[reaction] += number
    return Counts(number_of_comments, {r.value: reactions[r.value] for r in Reaction}, number_alone)


def list_themes() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.name)))
