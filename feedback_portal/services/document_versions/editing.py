"""Editing the draft: its sections, their practice items, and the closing contact details.

Each function is one admin's action: it locks the draft at the revision they saw
(drafts.lock_draft), changes it, and commits with one audit entry. A section keeps its slug
(its address) when its heading changes; a new section's slug comes from its heading and is
never one the document has used before. A practice item keeps its key wherever it moves; a new
one takes the document's next key number.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Document, DocumentVersion, PracticeItem, Section, StaffUser
from feedback_portal.services.document_versions.drafts import lock_draft, save_edit
from feedback_portal.services.exceptions import DomainError, NotFound

SLUG_MAX_LENGTH = 80


class CannotMove(DomainError):
    """The section or example is already first or last."""


def _section(draft: DocumentVersion, section_id: int) -> Section:
    section = next((s for s in draft.sections if s.id == section_id), None)
    if section is None:
        db.session.rollback()
        raise NotFound(f"No section {section_id} in the draft")
    return section


def _item(draft: DocumentVersion, item_id: int) -> tuple[Section, PracticeItem]:
    for section in draft.sections:
        for item in section.items:
            if item.id == item_id:
                return section, item
    db.session.rollback()
    raise NotFound(f"No example {item_id} in the draft")


def _renumber(rows: list) -> None:
    """Give rows positions 1, 2, 3… in list order without two sharing one at any moment."""
    for index, row in enumerate(rows, start=1):
        row.position = -index
    db.session.flush()
    for index, row in enumerate(rows, start=1):
        row.position = index
    db.session.flush()


def _move(rows: list, row, direction: int) -> list:
    index = rows.index(row)
    target = index + direction
    if not 0 <= target < len(rows):
        db.session.rollback()
        raise CannotMove("It is already " + ("first" if direction < 0 else "last"))
    reordered = list(rows)
    reordered[index], reordered[target] = reordered[target], reordered[index]
    return reordered


def slug_from(heading: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX_LENGTH].strip("-")
    return slug or "section"


def _new_slug(document_id: int, heading: str) -> str:
    """A slug from the heading that no version of the document has used, for any section."""
    used = set(
        db.session.scalars(
            select(Section.slug).join(DocumentVersion).where(DocumentVersion.document_id == document_id)
        )
    )
    base = slug_from(heading)
    slug, number = base, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    return slug


def edit_section(
    revision: int, section_id: int, heading: str, body: str, items_intro: str, actor: StaffUser
) -> int:
    draft = lock_draft(revision)
    section = _section(draft, section_id)
    section.heading, section.body, section.items_intro = heading.strip(), body.strip(), items_intro.strip()
    return save_edit(draft, actor, {"change": "section.edit", "section": section.slug})


def add_section(revision: int, heading: str, body: str, actor: StaffUser) -> Section:
    draft = lock_draft(revision)
    section = Section(
        slug=_new_slug(draft.document_id, heading),
        heading=heading.strip(),
        body=body.strip(),
        items_intro="",
        position=len(draft.sections) + 1,
    )
    draft.sections.append(section)
    db.session.flush()
    save_edit(draft, actor, {"change": "section.add", "section": section.slug})
    return section


def move_section(revision: int, section_id: int, direction: int, actor: StaffUser) -> int:
    draft = lock_draft(revision)
    section = _section(draft, section_id)
    _renumber(_move(draft.sections, section, direction))
    return save_edit(draft, actor, {"change": "section.move", "section": section.slug, "by": direction})


def remove_section(revision: int, section_id: int, actor: StaffUser) -> Section:
    draft = lock_draft(revision)
    section = _section(draft, section_id)
    draft.sections.remove(section)
    db.session.flush()
    _renumber(sorted(draft.sections, key=lambda s: s.position))
    save_edit(draft, actor, {"change": "section.remove", "section": section.slug})
    return section


def _next_item_key(document_id: int, section_slug: str) -> str:
    document = db.session.scalar(select(Document).where(Document.id == document_id).with_for_update())
    assert document is not None  # the draft belongs to it
    used = set(
        db.session.scalars(
            select(PracticeItem.key)
            .join(Section)
            .join(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
        )
    )
    while True:
        document.item_key_sequence += 1
        key = f"{section_slug}-{document.item_key_sequence}"
        if key not in used:
            return key


def add_item(revision: int, section_id: int, text: str, actor: StaffUser) -> PracticeItem:
    draft = lock_draft(revision)
    section = _section(draft, section_id)
    item = PracticeItem(
        key=_next_item_key(draft.document_id, section.slug),
        text=text.strip(),
        position=len(section.items) + 1,
    )
    section.items.append(item)
    db.session.flush()
    save_edit(draft, actor, {"change": "item.add", "section": section.slug, "item": item.key})
    return item


def edit_item(revision: int, item_id: int, text: str, actor: StaffUser) -> int:
    draft = lock_draft(revision)
    section, item = _item(draft, item_id)
    item.text = text.strip()
    return save_edit(draft, actor, {"change": "item.edit", "section": section.slug, "item": item.key})


def move_item(revision: int, item_id: int, direction: int, actor: StaffUser) -> int:
    draft = lock_draft(revision)
    section, item = _item(draft, item_id)
    _renumber(_move(section.items, item, direction))
    return save_edit(
        draft, actor, {"change": "item.move", "section": section.slug, "item": item.key, "by": direction}
    )


def remove_item(revision: int, item_id: int, actor: StaffUser) -> PracticeItem:
    draft = lock_draft(revision)
    section, item = _item(draft, item_id)
    section.items.remove(item)
    db.session.flush()
    _renumber(sorted(section.items, key=lambda i: i.position))
    save_edit(draft, actor, {"change": "item.remove", "section": section.slug, "item": item.key})
    return item


def edit_contact_details(revision: int, contact_details: str, actor: StaffUser) -> int:
    draft = lock_draft(revision)
    draft.contact_details = contact_details.strip()
    return save_edit(draft, actor, {"change": "contact_details.edit"})
