"""The published versions of a document, and what changed in each, section by section."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import DocumentVersion, Section
from feedback_portal.services.document_versions.word_diff import Run, word_diff
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.exceptions import NotFound


def section_text(section: Section | None) -> str:
    """A section's words as the changes page compares them: heading, text, then each example."""
    if section is None:
        return ""
    parts = [section.heading, section.body]
    if section.items:
        parts.append(section.items_intro)
        parts.extend(f"- {item.text}" for item in section.items)
    return "\n\n".join(part for part in parts if part)


@dataclass(frozen=True)
class SectionChange:
    slug: str
    heading: str
    # "added", "removed" or "changed"
    kind: str
    runs: list[Run]


@dataclass(frozen=True)
class VersionChanges:
    version: DocumentVersion
    sections: list[SectionChange]
    contact_runs: list[Run] | None


def _published(document_id: int):
    return (
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id, DocumentVersion.published_at.is_not(None))
        .options(
            selectinload(DocumentVersion.sections).selectinload(Section.items),
            selectinload(DocumentVersion.corrections),
            selectinload(DocumentVersion.document),
        )
        .order_by(DocumentVersion.number)
    )


def list_published_versions(document_id: int | None = None) -> list[DocumentVersion]:
    """Every published version of the document (the current one unless named), oldest first."""
    if document_id is None:
        document_id = get_current_version().document_id
    return list(db.session.scalars(_published(document_id)))


def get_published_version(number: int, document_id: int | None = None) -> DocumentVersion:
    if document_id is None:
        document_id = get_current_version().document_id
    version = db.session.scalar(_published(document_id).where(DocumentVersion.number == number))
    if version is None:
        raise NotFound(f"No published version {number}")
    return version


def compare(before: DocumentVersion, after: DocumentVersion) -> VersionChanges:
    """What changed from one version to the next: sections by slug, in the newer version's order."""
    old = {section.slug: section for section in before.sections}
    new_slugs = {section.slug for section in after.sections}
    changes: list[SectionChange] = []
    for section in after.sections:
        previous = old.get(section.slug)
        before_text, after_text = section_text(previous), section_text(section)
        if before_text != after_text:
            kind = "changed" if previous is not None else "added"
            changes.append(
                SectionChange(section.slug, section.heading, kind, word_diff(before_text, after_text))
            )
    for section in before.sections:
        if section.slug not in new_slugs:
            changes.append(
                SectionChange(section.slug, section.heading, "removed", word_diff(section_text(section), ""))
            )
    contact = None
    if before.contact_details != after.contact_details:
        contact = word_diff(before.contact_details, after.contact_details)
    return VersionChanges(after, changes, contact)


def list_changes(versions: list[DocumentVersion]) -> list[VersionChanges]:
    """Each version's changes from the one before it, newest first; the first version has none."""
    changes = [VersionChanges(versions[0], [], None)] if versions else []
    changes += [compare(before, after) for before, after in itertools.pairwise(versions)]
    return list(reversed(changes))


def changed_slugs(before: DocumentVersion, after: DocumentVersion) -> set[str]:
    return {change.slug for change in compare(before, after).sections}
