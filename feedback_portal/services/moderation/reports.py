"""Comments the public reported: the list waiting for staff, and dismissing reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from feedback_portal import vocabulary
from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, Report, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.moderation.notes_and_tags import _require_comment
from feedback_portal.services.moderation.transitions import _resolve_open_reports

REPORTED_PAGE_SIZE = 50
REPORT_REASONS = vocabulary.REPORT_REASONS


@dataclass(frozen=True)
class ReportedComment:
    comment: Comment
    open_reports: list[Report]
    first_reported_at: datetime


def list_reported_comments(limit: int = REPORTED_PAGE_SIZE) -> list[ReportedComment]:
    """Published comments with reports nobody has dealt with, the longest-waiting report first."""
    first_report = (
        select(Report.comment_id, func.min(Report.created_at).label("first_reported_at"))
        .where(Report.resolved_at.is_(None))
        .group_by(Report.comment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Comment, first_report.c.first_reported_at)
        .join(first_report, first_report.c.comment_id == Comment.id)
        .where(Comment.state == CommentState.PUBLISHED)
        .order_by(first_report.c.first_reported_at, Comment.id)
        .options(selectinload(Comment.section), selectinload(Comment.practice_item))
        .limit(limit)
    ).all()
    reports: dict[int, list[Report]] = defaultdict(list)
    if rows:
        for report in db.session.scalars(
            select(Report)
            .where(Report.comment_id.in_([comment.id for comment, _ in rows]), Report.resolved_at.is_(None))
            .order_by(Report.created_at, Report.id)
        ):
            reports[report.comment_id].append(report)
    return [
        ReportedComment(comment=comment, open_reports=reports[comment.id], first_reported_at=first)
        for comment, first in rows
    ]


def dismiss_reports(comment_id: int, actor: StaffUser, now: datetime | None = None) -> int:
    """Mark a comment's open reports as dealt with, leaving the comment up. Returns how many."""
    now = now or datetime.now(UTC)
    _require_comment(comment_id)
    count = _resolve_open_reports(comment_id, now)
    if not count:
        db.session.rollback()
        return 0
    audit.record(
        "comment.reports_dismissed",
        actor,
        record_type="comment",
        record_id=comment_id,
        details={"count": count},
        now=now,
    )
    db.session.commit()
    return count
