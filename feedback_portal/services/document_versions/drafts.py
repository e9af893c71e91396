"""The one draft of a document: starting it, locking it against lost edits, publishing it.

A draft is a version with no `published_at`, made by copying the current version's sections,
practice items (with their keys), contact details and corrections. Every edit names the
draft's revision that the admin saw; the draft's row is locked and its revision compared and
bumped in the same transaction, so the second of two admins editing at once is told and
nothing of the first's is overwritten.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    ContentCorrection,
    DocumentVersion,
    PracticeItem,
    Section,
    StaffUser,
)
from feedback_portal.services import audit
from feedback_portal.services.document_versions.checks import publishing_problems
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.exceptions import Conflict, DomainError, NotFound

RECORD_TYPE = "document_version"
START_ACTION = "document.draft_start"
EDIT_ACTION = "document.draft_edit"
PUBLISH_ACTION = "document.publish"
UNDO_CORRECTION_ACTION = "document.correction_undo"
SUMMARY_MAX_LENGTH = 2000


class DraftChanged(Conflict):
    """Someone else changed the draft since the admin opened it: nothing was written."""

    def __init__(self, revision: int) -> None:
        super().__init__(
            "Someone else changed this draft while you were editing it. "
            "Nothing you typed has been saved: check their change, then make yours again."
        )
        self.revision = revision


class PublishRefused(DomainError):
    """The draft cannot be published as it is; `reasons` say why, in words for the admin."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _draft_query(document_id: int):
    return (
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id, DocumentVersion.published_at.is_(None))
        .options(
            selectinload(DocumentVersion.sections).selectinload(Section.items),
            selectinload(DocumentVersion.corrections),
            selectinload(DocumentVersion.document),
        )
    )


def find_draft(document_id: int | None = None) -> DocumentVersion | None:
    """The draft of the document (the current one unless named), or None when nobody started one."""
    if document_id is None:
        document_id = get_current_version().document_id
    return db.session.scalar(_draft_query(document_id))


def get_draft(document_id: int | None = None) -> DocumentVersion:
    draft = find_draft(document_id)
    if draft is None:
        raise NotFound("There is no draft of the document")
    return draft


def start_draft(actor: StaffUser, now: datetime | None = None) -> DocumentVersion:
    """The draft, started from the current version if there is none yet (a second start finds it)."""
    current = get_current_version()
    existing = find_draft(current.document_id)
    if existing is not None:
        return existing
    highest = db.session.scalar(
        select(func.max(DocumentVersion.number)).where(DocumentVersion.document_id == current.document_id)
    )
    draft = DocumentVersion(
        document_id=current.document_id,
        number=(highest or 0) + 1,
        summary="",
        contact_details=current.contact_details,
        published_at=None,
        revision=1,
        created_at=now or datetime.now(UTC),
    )
    for section in current.sections:
        copy = Section(
            position=section.position,
            slug=section.slug,
            heading=section.heading,
            body=section.body,
            items_intro=section.items_intro,
        )
        copy.items = [
            PracticeItem(position=item.position, key=item.key, text=item.text) for item in section.items
        ]
        draft.sections.append(copy)
    draft.corrections = [
        ContentCorrection(
            section_slug=c.section_slug, original=c.original, corrected=c.corrected, reason=c.reason
        )
        for c in current.corrections
    ]
    db.session.add(draft)
    try:
        db.session.flush()
        audit.record(START_ACTION, actor, RECORD_TYPE, draft.id, details={"number": draft.number}, now=now)
        db.session.commit()
    except IntegrityError:
        # Another admin started it at the same moment (the version number is unique): use theirs.
        db.session.rollback()
        return get_draft(current.document_id)
    return get_draft(current.document_id)


def lock_draft(revision: int) -> DocumentVersion:
    """The draft, locked for this transaction, if it is still at the revision the admin saw."""
    document_id = get_current_version().document_id
    draft = db.session.scalar(
        _draft_query(document_id)
        .with_for_update(of=DocumentVersion)
        .execution_options(populate_existing=True)
    )
    if draft is None:
        raise NotFound("There is no draft of the document")
    if draft.revision != revision:
        raise DraftChanged(draft.revision)
    return draft


def save_edit(draft: DocumentVersion, actor: StaffUser, details: dict, action: str = EDIT_ACTION) -> int:
    """Bump the draft's revision, audit the edit and commit it; the new revision."""
    draft.revision += 1
    audit.record(action, actor, RECORD_TYPE, draft.id, details=details)
    db.session.commit()
    return draft.revision


def publish_draft(
    revision: int, summary: str, actor: StaffUser, now: datetime | None = None
) -> DocumentVersion:
    """Make the draft the current version, with what changed and why, or refuse and say why."""
    draft = lock_draft(revision)
    summary = (summary or "").strip()
    reasons = publishing_problems(draft)
    if not summary:
        reasons.insert(0, "Enter what you changed and why")
    if reasons:
        db.session.rollback()
        raise PublishRefused(reasons)
    now = now or datetime.now(UTC)
    draft.summary = summary
    draft.published_at = now
    draft.revision += 1
    audit.record(
        PUBLISH_ACTION,
        actor,
        RECORD_TYPE,
        draft.id,
        after={"number": draft.number, "published_at": now.isoformat()},
        now=now,
    )
    db.session.commit()
    return draft


def undo_correction(revision: int, correction_id: int, actor: StaffUser) -> ContentCorrection:
    """Put the team's published wording back in the draft where the portal corrected it.

    Where the corrected words are still in the section they are swapped back; where an admin
    has since reworded that place, the original wording is added at the end of the section.
    """
    draft = lock_draft(revision)
    correction = next((c for c in draft.corrections if c.id == correction_id), None)
    if correction is None:
        db.session.rollback()
        raise NotFound(f"No correction {correction_id} in the draft")
    section = next((s for s in draft.sections if s.slug == correction.section_slug), None)
    if section is not None:
        if correction.corrected in section.body:
            section.body = section.body.replace(correction.corrected, correction.original, 1)
        else:
            section.body = f"{section.body.rstrip()}\n\n{correction.original}".strip()
    draft.corrections.remove(correction)
    save_edit(
        draft,
        actor,
        {"correction": correction_id, "section": correction.section_slug},
        action=UNDO_CORRECTION_ACTION,
    )
    return correction
