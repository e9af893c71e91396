"""The definition document: loading it from its source and reading it for the pages."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
from feedback_portal.services.consultations.current import viewed_consultation
from feedback_portal.services.exceptions import DocumentExists, NotFound

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


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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
    return _create_document(source, now or datetime.now(UTC))


def import_document(path: Path, now: datetime | None = None) -> SeedResult:
    """A new document from a source file in the seed's format: its version 1, and a draft
    consultation on it that admins then schedule. A slug already taken is refused."""
    try:
        source = read_source(path)
    except (OSError, tomllib.TOMLDecodeError) as problem:
        raise DocumentExists(f"{path} is not a document source: {problem}") from problem
    missing = [key for key in ("document_slug", "title", "sections") if not source.get(key)]
    if missing:
        raise DocumentExists(f"{path} is not a document source: it has no {', '.join(missing)}")
    slug = source["document_slug"]
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise DocumentExists(f"The document slug {slug!r} must be lower-case letters, digits and hyphens")
    if db.session.scalar(select(Document.id).where(Document.slug == slug)) is not None:
        raise DocumentExists(
            f"A document with the slug {slug!r} already exists. Change document_slug in the file "
            "to import it as a new document, or edit the existing one at /staff/document."
        )
    return _create_document(source, now or datetime.now(UTC))


def _create_document(source: dict, now: datetime) -> SeedResult:
    slug = source["document_slug"]
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


# The document a request is about, when it is not the current consultation's: a staff page
# for a chosen document, or a public page of another consultation. Set for one request only.
_chosen_document: ContextVar[int | None] = ContextVar("chosen_document", default=None)


@contextmanager
def document_chosen(document_id: int | None) -> Iterator[None]:
    token = _chosen_document.set(document_id)
    try:
        yield
    finally:
        _chosen_document.reset(token)


def choose_document(document_id: int | None) -> None:
    """Make this document the one pages read, for the rest of the request (None: the current)."""
    _chosen_document.set(document_id)


def get_document(slug: str) -> Document:
    document = db.session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise NotFound(f"No document {slug!r}")
    return document


def viewed_document_id() -> int | None:
    """The chosen document, else the viewed consultation's (the current one unless a page chose
    another), else None (then the newest version of any)."""
    chosen = _chosen_document.get()
    if chosen is not None:
        return chosen
    consultation = viewed_consultation()
    return consultation.document_id if consultation is not None else None


def get_current_version(
    document_slug: str | None = None, *, document_id: int | None = None, with_contents: bool = True
) -> DocumentVersion:
    """The newest published version of the named document; unnamed, of the chosen document, else
    of the current consultation's. Without its contents, its sections load only if read."""
    query = (
        select(DocumentVersion)
        .join(Document)
        .where(DocumentVersion.published_at.is_not(None))
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )
    if with_contents:
        query = query.options(
            selectinload(DocumentVersion.sections).selectinload(Section.items),
            selectinload(DocumentVersion.corrections),
        )
    if document_slug:
        query = query.where(Document.slug == document_slug)
    elif document_id is not None or (document_id := viewed_document_id()) is not None:
        query = query.where(DocumentVersion.document_id == document_id)
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


def get_part(
    document_id: int | None, section_slug: str | None = None, item_key: str | None = None
) -> tuple[DocumentVersion, Section | None, PracticeItem | None]:
    """The current version of a document, and one of its sections and examples, by slug and key:
    what a comment is about, read without the rest of the document."""
    version = get_current_version(document_id=document_id, with_contents=False)
    if section_slug is None:
        return version, None, None
    section = db.session.scalar(
        select(Section).where(Section.version_id == version.id, Section.slug == section_slug)
    )
    if section is None:
        raise NotFound(f"No section {section_slug!r}")
    if item_key is None:
        return version, section, None
    item = db.session.scalar(
        select(PracticeItem).where(PracticeItem.section_id == section.id, PracticeItem.key == item_key)
    )
    if item is None:
        raise NotFound(f"No practice item {item_key!r} in {section_slug!r}")
    return version, section, item


def get_practice_item(section_slug: str, key: str) -> tuple[SectionPage, PracticeItem]:
    page = get_section_page(section_slug)
    for item in page.section.items:
        if item.key == key:
            return page, item
    raise NotFound(f"No practice item {key!r} in {section_slug!r}")
