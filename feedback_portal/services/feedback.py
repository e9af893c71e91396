"""Comments from the public: saving them once, and reading what is published.

Withdrawing a comment or erasing its contact details, by its receipt's links, is in
`feedback_portal.services.privacy`.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from feedback_portal.extensions import db
from feedback_portal.hashing import keyed_hash
from feedback_portal.models import (
    Comment,
    CommentState,
    ConsentPurpose,
    ConsentRecord,
    Consultation,
    DocumentVersion,
    PracticeItem,
    Report,
    ReportReason,
    Section,
)
from feedback_portal.services import documents, involvement, notifications
from feedback_portal.services.consultations import notice_for, viewed_consultation
from feedback_portal.services.exceptions import ConsultationClosed, NotFound
from feedback_portal.services.privacy import comment_link_token

# No 0/O, 1/I/L or U: a reference read aloud over the phone should not be misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6

UPDATES_CONSENT_VERSION = "feedback-updates-v1"
UPDATES_CONSENT_WORDING = "Tell me what happens with my feedback"
INVOLVEMENT_CONSENT_VERSION = "comment-involvement-v1"
INVOLVEMENT_CONSENT_WORDING = "I'd like to work with the Citizen Involvement Team on specific pieces of work"


@dataclass(frozen=True)
class CommentTarget:
    """What a comment is about: the whole document, one section, or one practice item."""

    version: DocumentVersion
    section: Section | None = None
    item: PracticeItem | None = None

    @property
    def label(self) -> str:
        if self.item is not None:
            return f"the example ‘{self.item.text}’"
        if self.section is not None:
            return f"the section ‘{self.section.heading}’"
        return "the whole document"


@dataclass(frozen=True)
class CommentSubmission:
    """What a person sent, already validated by the form."""

    submission_key: str
    text: str
    reaction: str | None
    name: str | None
    email: str | None
    wants_updates: bool
    wants_involvement: bool
    client_address: str | None
    # Why this looks automated (honeypot filled, sent too fast), or None for a person.
    spam_signal: str | None = None


def new_reference() -> str:
    return "CP-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def ensure_consultation_open(
    now: datetime | None = None, consultation: Consultation | None = None
) -> Consultation:
    """The consultation (the page's, the current one unless another was chosen, unless named), or a
    refusal saying when people can comment, unless it is open now."""
    now = now or datetime.now(UTC)
    consultation = consultation or viewed_consultation(now)
    if consultation is None or not consultation.is_open(now):
        raise ConsultationClosed(notice_for(consultation, now).sentence + ".")
    return consultation


def comment_target(
    section_slug: str | None = None, item_key: str | None = None
) -> tuple[CommentTarget, Consultation | None]:
    """What a comment sent from a page is about, and the consultation it is for: the page's."""
    consultation = viewed_consultation()
    version, section, item = documents.get_part(
        consultation.document_id if consultation is not None else None, section_slug, item_key
    )
    return CommentTarget(version, section, item), consultation


def submit_comment(
    target: CommentTarget,
    submission: CommentSubmission,
    now: datetime | None = None,
    consultation: Consultation | None = None,
) -> Comment:
    """Save a comment on the consultation its form was for (the page's unless named) and any
    consent given with it, in one transaction, exactly once.

    Sending the same form again (a double click, back and resubmit) returns the comment
    the first send made.
    """
    now = now or datetime.now(UTC)
    consultation = ensure_consultation_open(now, consultation)
    if consultation.document_id != target.version.document_id:
        raise NotFound("That part is not in this consultation's document")
    # A form sent twice is caught by the submission key's unique constraint, below.
    published_at_once = consultation.moderation_mode == "post" and submission.spam_signal is None
    for _attempt in range(5):
        try:
            return _save_comment(target, submission, consultation, published_at_once, now)
        except IntegrityError:
            # The same form sent again at the same moment saved it first (its submission key
            # is unique): every sending gets that comment. Otherwise the reference was taken.
            db.session.rollback()
            existing = _comment_by_submission_key(submission.submission_key)
            if existing is not None:
                return existing
    raise RuntimeError("Could not find an unused reference")


def _save_comment(
    target: CommentTarget,
    submission: CommentSubmission,
    consultation: Consultation,
    published_at_once: bool,
    now: datetime,
) -> Comment:
    """Add the comment, its receipt and its consents, and commit them together."""
    comment = Comment(
        reference=new_reference(),
        submission_key=submission.submission_key,
        document_version=target.version,
        consultation=consultation,
        section=target.section,
        practice_item=target.item,
        body=submission.text,
        reaction=submission.reaction,
        author_name=submission.name,
        author_email=submission.email,
        wants_updates=submission.wants_updates,
        wants_involvement=submission.wants_involvement,
        state=CommentState.SPAM
        if submission.spam_signal
        else (CommentState.PUBLISHED if published_at_once else CommentState.PENDING),
        spam_signal=submission.spam_signal,
        client_key=keyed_hash("client-address", submission.client_address)
        if submission.client_address
        else None,
        created_at=now,
        published_at=now if published_at_once else None,
    )
    db.session.add(comment)
    if submission.email and submission.spam_signal is None:
        db.session.flush()  # the receipt names the comment's id
        notifications.enqueue_receipt(
            comment,
            CommentTarget(comment.document_version, comment.section, comment.practice_item).label,
            withdraw_token=comment_link_token(comment, "withdraw"),
            erase_token=comment_link_token(comment, "erase"),
        )
    _record_consents(comment, submission, now)
    if submission.wants_involvement and submission.email and submission.spam_signal is None:
        [consent] = [each for each in comment.consents if each.purpose == ConsentPurpose.INVOLVEMENT]
        involvement.add_offer_from_comment(comment, consent, now)
    _commit_keeping(comment)
    return comment


def _commit_keeping(comment: Comment) -> None:
    """Commit, keeping what the comment was saved with: the page that follows reads its
    reference and consultation, and reloading them would cost a query for nothing."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _record_consents(comment: Comment, submission: CommentSubmission, now: datetime) -> None:
    for purpose, wording, version, given in (
        (
            ConsentPurpose.FEEDBACK_UPDATES,
            UPDATES_CONSENT_WORDING,
            UPDATES_CONSENT_VERSION,
            submission.wants_updates,
        ),
        (
            ConsentPurpose.INVOLVEMENT,
            INVOLVEMENT_CONSENT_WORDING,
            INVOLVEMENT_CONSENT_VERSION,
            submission.wants_involvement,
        ),
    ):
        if given:
            comment.consents.append(
                ConsentRecord(purpose=purpose, wording=wording, wording_version=version, given_at=now)
            )


def _comment_by_submission_key(key: str) -> Comment | None:
    return db.session.scalar(select(Comment).where(Comment.submission_key == key))


def get_comment_for_thank_you(reference: str, allowed_references: list[str]) -> Comment:
    """The comment behind a thank-you page, only for the visitor who sent it."""
    if reference not in allowed_references:
        raise NotFound(reference)
    comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
    if comment is None:
        raise NotFound(reference)
    return comment


def list_published_comments(
    version: DocumentVersion,
    section: Section | None = None,
    item: PracticeItem | None = None,
    consultation: Consultation | None = None,
    on_section: Literal["own", "removed examples", "both"] = "both",
) -> list[Comment]:
    """Published comments on exactly this target (a section's page lists its own, not its items',
    except those of examples no longer in it), oldest first.

    A target is the same part in every version of the document: a section by its slug, an
    example by its key. Each comment comes with the version, section or example it was made
    on, in the same query, so a page can say which version that was and whether it changed.
    """
    query = published_comments_query(version, section, item, consultation, on_section)
    return list(db.session.scalars(query.order_by(Comment.published_at, Comment.id)))


def published_comments_query(
    version: DocumentVersion,
    section: Section | None = None,
    item: PracticeItem | None = None,
    consultation: Consultation | None = None,
    on_section: Literal["own", "removed examples", "both"] = "both",
) -> Select[Comment]:
    """The query behind list_published_comments, unordered. `on_section` narrows a section's
    comments to its own, or to those on examples since removed from it."""
    query = (
        select(Comment)
        .join(Comment.document_version)
        .where(DocumentVersion.document_id == version.document_id, Comment.state == CommentState.PUBLISHED)
        .options(contains_eager(Comment.document_version), selectinload(Comment.response))
    )
    if consultation is not None:
        query = query.where(Comment.consultation_id == consultation.id)
    if item is not None:
        return (
            query.join(Comment.practice_item)
            .where(PracticeItem.key == item.key)
            .options(contains_eager(Comment.practice_item))
        )
    if section is None:
        return query.where(Comment.section_id.is_(None), Comment.practice_item_id.is_(None))
    # With the section's own, the comments on its examples that have since been removed:
    # they have no page of their own any more.
    current_keys = [each.key for each in section.items]
    on_removed = and_(Comment.practice_item_id.is_not(None), PracticeItem.key.not_in(current_keys))
    which = {
        "own": Comment.practice_item_id.is_(None),
        "removed examples": on_removed,
        "both": or_(Comment.practice_item_id.is_(None), on_removed),
    }[on_section]
    return (
        query.join(Comment.section)
        .outerjoin(Comment.practice_item)
        .where(Section.slug == section.slug, which)
        .options(contains_eager(Comment.section), contains_eager(Comment.practice_item))
    )


@dataclass(frozen=True)
class PublishedCounts:
    by_section: Counter
    by_item: Counter
    whole_document: int


def count_published_comments(
    version: DocumentVersion, consultation: Consultation | None = None
) -> PublishedCounts:
    """How many published comments each section and item of this version has (of one
    consultation, if named), in one query.

    Comments made on earlier versions count for the same section (by slug) and example (by key).
    """
    query = (
        select(Section.slug, PracticeItem.key, func.count())
        .select_from(Comment)
        .join(Comment.document_version)
        .outerjoin(Section, Section.id == Comment.section_id)
        .outerjoin(PracticeItem, PracticeItem.id == Comment.practice_item_id)
        .where(DocumentVersion.document_id == version.document_id, Comment.state == CommentState.PUBLISHED)
        .group_by(Section.slug, PracticeItem.key)
    )
    if consultation is not None:
        query = query.where(Comment.consultation_id == consultation.id)
    rows = db.session.execute(query)
    section_ids = {section.slug: section.id for section in version.sections}
    item_ids = {item.key: item.id for section in version.sections for item in section.items}
    by_section: Counter = Counter()
    by_item: Counter = Counter()
    whole = 0
    for slug, key, count in rows:
        if key is not None and key in item_ids:
            by_item[item_ids[key]] += count
        if slug is None:
            whole += count
        elif slug in section_ids:
            by_section[section_ids[slug]] += count
    return PublishedCounts(by_section=by_section, by_item=by_item, whole_document=whole)


def get_published_comment(reference: str) -> Comment:
    comment = db.session.scalar(
        select(Comment).where(Comment.reference == reference, Comment.state == CommentState.PUBLISHED)
    )
    if comment is None:
        raise NotFound(reference)
    return comment


class AlreadyReported(Exception):
    """This visitor has already reported this comment."""


def report_comment(
    reference: str, reason: str, details: str | None, visitor_id: str, now: datetime | None = None
) -> Report:
    """Record a report on a published comment, once per visitor."""
    comment = get_published_comment(reference)
    reporter_key = keyed_hash("reporter", visitor_id)
    existing = db.session.scalar(
        select(Report).where(Report.comment_id == comment.id, Report.reporter_key == reporter_key)
    )
    if existing is not None:
        raise AlreadyReported(reference)
    report = Report(
        comment=comment,
        reason=reason,
        details=details,
        reporter_key=reporter_key,
        created_at=now or datetime.now(UTC),
    )
    db.session.add(report)
    if reason == ReportReason.PERSONAL_INFORMATION:
        db.session.flush()
        notifications.enqueue_urgent_alerts(report)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyReported(reference) from None
    return report
