"""The definition document: loading it from its source and reading it for the pages."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    Consultation,
    ConsultationStatus,
    ContentCorrection,
    Document,
    DocumentVersion,
    PracticeItem,
    Section,
)
from feedback_portal.services.exceptions import NotFound

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
DEFINITION_SOURCE = CONTENT_DIR / "co-production-definition.toml"


@dataclass(frozen=True)
class SeedResult:
    created: bool
    document_slug: str
    sections: int
    items: int


def read_source(path: Path = DEFINITION_SOURCE) -> dict:
    with path.open("rb") as source:
        return tomllib.load(source)


def seed_document(path: Path = DEFINITION_SOURCE, now: datetime | None = None) -> SeedResult:
    """Load a document's first version from its source file, once.

    Running it again changes nothing: a document that exists is left as the team has it.
    """
    source = read_source(path)
    slug = source["document_slug"]
    existing = db.session.scalar(select(Document).where(Document.slug == slug))
    if existing is not None:
        version = existing.versions[-1]
        return SeedResult(
            created=False,
            document_slug=slug,
            sections=len(version.sections),
            items=sum(len(section.items) for section in version.sections),
        )

    now = now or datetime.now(UTC)
    document = Document(slug=slug, title=source["title"], item_key_sequence=0)
    version = DocumentVersion(
        document=document,
        number=1,
        summary=source.get("summary", ""),
        contact_details=source.get("contact_details", "").strip(),
        published_at=now,
    )
    item_count = 0
    for position, entry in enumerate(source["sections"], start=1):
        section = Section(
            version=version,
            position=position,
            slug=entry["slug"],
            heading=entry["heading"],
            body=entry.get("body", "").strip(),
            items_intro=entry.get("items_intro", ""),
        )
        for item_position, text in enumerate(entry.get("items", []), start=1):
            section.items.append(
                PracticeItem(position=item_position, key=f"{entry['slug']}-{item_position}", text=text)
            )
            item_count += 1
        document.item_key_sequence = max(document.item_key_sequence, len(entry.get("items", [])))
    for correction in source.get("corrections", []):
        version.corrections.append(
            ContentCorrection(
                section_slug=correction["section"],
                original=correction["original"],
                corrected=correction["corrected"],
                reason=correction["reason"],
            )
        )
    db.session.add(document)
    # Its dates are the team's to choose, at /staff/consultations: a draft opens nothing.
    db.session.add(Consultation(document=document, title=source["title"], status=ConsultationStatus.DRAFT))
    db.session.commit()
    return SeedResult(created=True, document_slug=slug, sections=len(source["sections"]), items=item_count)


def get_current_version(document_slug: str | None = None) -> DocumentVersion:
    """The newest published version of the document (the only one, until admins publish more)."""
    query = (
        select(DocumentVersion)
        .join(Document)
        .where(DocumentVersion.published_at.is_not(None))
        .order_by(DocumentVersion.number.desc())
        .options(
            selectinload(DocumentVersion.sections).selectinload(Section.items),
            selectinload(DocumentVersion.corrections),
        )
        .limit(1)
    )
    if document_slug:
        query = query.where(Document.slug == document_slug)
    version = db.session.scalar(query)
    if version is None:
        raise NotFound("No published document. Run `flask seed` to load it.")
    return version


@dataclass(frozen=True)
class SectionPage:
    section: Section
    previous: Section | None
    next: Section | None
    version: DocumentVersion


def get_section_page(slug: str) -> SectionPage:
    version = get_current_version()
    sections = version.sections
    for index, section in enumerate(sections):
        if section.slug == slug:
            return SectionPage(
                section=section,
                previous=sections[index - 1] if index > 0 else None,
                next=sections[index + 1] if index + 1 < len(sections) else None,
                version=version,
            )
    raise NotFound(f"No section {slug!r}")


def get_practice_item(section_slug: str, key: str) -> tuple[SectionPage, PracticeItem]:
    page = get_section_page(section_slug)
    for item in page.section.items:
        if item.key == key:
            return page, item
    raise NotFound(f"No practice item {key!r} in {section_slug!r}")
