"""Staff digests: what came in since each person's last digest, made once per person and period.

`flask digest send` runs from cron. The outbox's unique key per person and period makes
each digest exactly once, however many runs start, on however many machines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select, true
from sqlalchemy.exc import IntegrityError

from feedback_portal import links
from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, PracticeItem, Report, Section, StaffUser
from feedback_portal.services import comment_tallies, involvement_pipeline, notifications
from feedback_portal.services.comment_filters import (
    EVERY_FEEDBACK_STATE,
    NOT_FEEDBACK,
    WHOLE_DOCUMENT,
    current_consultation_id,
)
from feedback_portal.services.documents import get_current_version
from feedback_portal.uk_time import in_uk, start_of_uk_day

FREQUENCIES = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
EXCERPT_LENGTH = 140
EXCERPTS = 5


def last_complete_period_end(frequency: str, now: datetime) -> datetime:
    """Digests cover whole UK days (to midnight) or whole weeks (to Monday midnight), in UTC."""
    today = in_uk(now).date()
    if frequency == "weekly":
        today -= timedelta(days=today.weekday())
    return start_of_uk_day(today)


@dataclass
class DigestContent:
    since: datetime
    until: datetime
    new_by_target: list[tuple[str, int, str]] = field(default_factory=list)  # label, count, queue link
    reactions: Counter = field(default_factory=Counter)
    new_total: int = 0
    pending: int = 0
    oldest_pending: datetime | None = None
    reported: int = 0
    excerpts: list[tuple[str, str, str]] = field(default_factory=list)  # reference, excerpt, link
    # Offers to get involved made in the period, and the list showing them: a count, never names.
    new_offers: int = 0
    offers_link: str = ""

    @property
    def has_news(self) -> bool:
        return bool(self.new_total or self.pending or self.reported or self.new_offers)


def build_digest(since: datetime, until: datetime, consultation_id: int | None = None) -> DigestContent:
    """A handful of aggregate queries, whatever the number of comments: about one consultation's
    comments, the current one's unless named."""
    content = DigestContent(since=since, until=until)
    consultation_id = consultation_id or current_consultation_id()
    in_consultation = Comment.consultation_id == consultation_id if consultation_id else true()
    in_period = (
        (Comment.created_at >= since)
        & (Comment.created_at < until)
        & Comment.state.not_in(NOT_FEEDBACK)
        & in_consultation
    )
    # The queue, showing exactly what is counted: the consultation, the same states and the
    # period's UK days.
    counted = {
        "state": EVERY_FEEDBACK_STATE,
        "created_from": in_uk(since).date().isoformat(),
        "created_to": in_uk(until - timedelta(microseconds=1)).date().isoformat(),
        "consultation": consultation_id or "",
    }
    content.new_by_target = _new_by_part(in_period, counted)
    content.new_total = sum(count for _, count, _ in content.new_by_target)
    content.reactions = Counter(
        dict(
            db.session.execute(
                select(Comment.reaction, func.count())
                .where(in_period, Comment.reaction.is_not(None))
                .group_by(Comment.reaction)
            ).all()
        )
    )
    # Counted from the tallies: the queue's index would read every waiting comment to count them.
    content.pending = comment_tallies.count_in_state(CommentState.PENDING, consultation_id)
    content.oldest_pending = db.session.scalar(
        select(func.min(Comment.created_at)).where(Comment.state == CommentState.PENDING, in_consultation)
    )
    if content.oldest_pending is not None and content.oldest_pending.tzinfo is None:
        content.oldest_pending = content.oldest_pending.replace(tzinfo=UTC)
    # Read from the few open reports, each checked for its comment's consultation: a join lets
    # SQLite read every comment of the consultation and look each one's reports up.
    content.reported = db.session.execute(
        select(func.count(func.distinct(Report.comment_id))).where(
            Report.resolved_at.is_(None), exists().where(Comment.id == Report.comment_id, in_consultation)
        )
    ).scalar_one()
    content.excerpts = _pending_excerpts(in_period)
    content.new_offers = involvement_pipeline.count_new_offers(since, until)
    content.offers_link = links.public_url(
        "staff.list_offers", received_from=counted["created_from"], received_to=counted["created_to"]
    )
    return content


def _new_by_part(in_period: ColumnElement[bool], counted: dict[str, int | str]) -> list[tuple[str, int, str]]:
    """The period's comments per part of the document, in its order, each linking to the queue."""
    version = get_current_version()
    # By slug and key: a comment made on an earlier version counts for the same part now.
    headings = {section.slug: section.heading for section in version.sections}
    texts = {item.key: item.text for section in version.sections for item in section.items}
    parts = [part for section in version.sections for part in (section.slug, *(i.key for i in section.items))]
    order = {part: number for number, part in enumerate(parts)}
    rows = list(
        db.session.execute(
            select(
                Section.slug,
                PracticeItem.key,
                func.max(Section.heading),
                func.max(PracticeItem.text),
                func.count(),
            )
            .select_from(Comment)
            .outerjoin(Section, Section.id == Comment.section_id)
            .outerjoin(PracticeItem, PracticeItem.id == Comment.practice_item_id)
            .where(in_period)
            .group_by(Section.slug, PracticeItem.key)
        )
    )
    # In the document's order; parts no longer in it last.
    rows.sort(
        key=lambda row: (-1 if row[0] is None else order.get(row[0], len(order)), order.get(row[1], -1))
    )
    counts = []
    for slug, key, old_heading, old_text, count in rows:
        heading = headings.get(slug, old_heading)
        if key is not None:
            label = f"{heading}: ‘{texts.get(key, old_text)}’"
            link = links.public_url("staff.list_comments", **counted, section=slug, item=key)
        elif slug is not None:
            label = heading
            link = links.public_url("staff.list_comments", **counted, section=slug)
        else:
            label = "The whole document"
            link = links.public_url("staff.list_comments", **counted, section=WHOLE_DOCUMENT)
        counts.append((label, count, link))
    return counts


def _pending_excerpts(in_period: ColumnElement[bool]) -> list[tuple[str, str, str]]:
    """The newest comments of the period still waiting, shortened, each linking to its page."""
    excerpts = []
    for reference, body, comment_id in db.session.execute(
        select(Comment.reference, Comment.body, Comment.id)
        .where(in_period, Comment.state == CommentState.PENDING)
        .order_by(Comment.created_at.desc())
        .limit(EXCERPTS)
    ):
        excerpt = body if len(body) <= EXCERPT_LENGTH else body[: EXCERPT_LENGTH - 1] + "…"
        excerpts.append((reference, excerpt, links.public_url("staff.view_comment", comment_id=comment_id)))
    return excerpts


@dataclass
class DigestRun:
    queued: int = 0
    already_done: int = 0
    nothing_to_say: int = 0


def enqueue_due_digests(now: datetime | None = None) -> DigestRun:
    """Queue one digest per person whose period has ended since their last one."""
    now = now or datetime.now(UTC)
    run = DigestRun()
    built: dict[tuple[datetime, datetime], DigestContent] = {}
    people = db.session.scalars(
        select(StaffUser).where(
            StaffUser.is_disabled.is_(False), StaffUser.digest_frequency.in_(list(FREQUENCIES))
        )
    ).all()
    for person in people:
        until = last_complete_period_end(person.digest_frequency, now)
        # Nothing from before the account existed: a first digest covers its own time only.
        since = max(
            person.digest_covered_until or (until - FREQUENCIES[person.digest_frequency]),
            person.created_at,
        )
        if since >= until:
            continue
        if (since, until) not in built:
            built[(since, until)] = build_digest(since, until)
        content = built[(since, until)]
        # Nothing to say (nothing new, waiting or reported): no email, but the period is covered.
        queued = notifications.enqueue_digest(person, content, until) if content.has_news else None
        person.digest_covered_until = until
        try:
            db.session.commit()
        except IntegrityError:
            # Another run, perhaps on another machine, queued this digest first.
            db.session.rollback()
            queued = None
        if queued is not None:
            run.queued += 1
        elif content.has_news:
            run.already_done += 1
        else:
            run.nothing_to_say += 1
    return run
