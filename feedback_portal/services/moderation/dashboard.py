"""The staff dashboard: how many comments are in each state, per section."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, true

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, CommentTally, Report, Section
from feedback_portal.services.comment_filters import WHOLE_DOCUMENT
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.figures.counts import counts_by_section
from feedback_portal.services.moderation.queue import STATES


@dataclass
class SectionCounts:
    label: str
    section_id: int | None
    by_state: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    reported: int = 0
    # The value of the queue's `section` filter for this row: a section's slug, or "document".
    queue_section: str = WHOLE_DOCUMENT


@dataclass
class CommentSummary:
    rows: list[SectionCounts]
    totals: dict[str, int]
    reported: int
    oldest_pending_age: timedelta | None


def summarise_comments(now: datetime | None = None) -> CommentSummary:
    """Counts per section and state, reports, and how long the oldest pending comment has waited.

    Three small queries, however many comments there are: the tallies, the open reports, and
    the oldest pending comment by its index.
    """
    now = now or datetime.now(UTC)
    version = get_current_version()
    # Keyed by slug: a comment made on an earlier version counts for the same section now.
    rows: dict[str | None, SectionCounts] = {None: SectionCounts(label="The whole document", section_id=None)}
    for section in version.sections:
        rows[section.slug] = SectionCounts(
            label=section.heading, section_id=section.id, queue_section=section.slug
        )
    # From the comment tallies, counted as the figures count them: by section id, then slug.
    for key, by_state in counts_by_section(CommentTally, CommentTally.state, true()).items():
        slug = None if key == WHOLE_DOCUMENT else key
        for state, count in by_state.items():
            if slug in rows and state in rows[slug].by_state:
                rows[slug].by_state[state] += count
    for slug, count in db.session.execute(
        select(Section.slug, func.count(func.distinct(Comment.id)))
        .select_from(Comment)
        .join(Report, Report.comment_id == Comment.id)
        .outerjoin(Section, Section.id == Comment.section_id)
        .where(Report.resolved_at.is_(None))
        .group_by(Section.slug)
    ):
        if slug in rows:
            rows[slug].reported += count
    oldest = db.session.scalar(
        select(func.min(Comment.created_at)).where(Comment.state == CommentState.PENDING)
    )
    totals: dict[str, int] = defaultdict(int)
    for row in rows.values():
        for state, count in row.by_state.items():
            totals[state] += count
    ordered = [rows[None], *(rows[section.slug] for section in version.sections)]
    return CommentSummary(
        rows=ordered,
        totals=dict(totals),
        reported=sum(row.reported for row in ordered),
        oldest_pending_age=(now - oldest) if oldest else None,
    )
