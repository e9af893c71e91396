"""The definition document: versions of it, their sections and practice items."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model


def utc_now() -> datetime:
    return datetime.now(UTC)


class Document(Model):
    """A document the team consults on, such as the definition of co-production."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The last number given to a practice item's key: a new item takes the next, so that no key
    # is ever used twice in the document, even one of an item that was removed.
    item_key_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )


class DocumentVersion(Model):
    """One wording of a document. Comments belong to the version they were made on.

    A version with no `published_at` is the draft that staff are editing: one at a time.
    """

    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    number: Mapped[int]
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # How to reach the team, shown at the end of the document (Markdown).
    contact_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Bumped on every edit of a draft, so that two admins cannot overwrite each other.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    document: Mapped[Document] = relationship(back_populates="versions")
    sections: Mapped[list[Section]] = relationship(
        back_populates="version", order_by="Section.position", cascade="all, delete-orphan"
    )
    corrections: Mapped[list[ContentCorrection]] = relationship(
        back_populates="version", order_by="ContentCorrection.id", cascade="all, delete-orphan"
    )


class Section(Model):
    """An ordered part of a document version, with a body written in Markdown."""

    __table_args__ = (
        UniqueConstraint("version_id", "slug"),
        UniqueConstraint("version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"), index=True)
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(100))
    heading: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # The sentence that introduces the practice items, as the document words it.
    items_intro: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[DocumentVersion] = relationship(back_populates="sections")
    items: Mapped[list[PracticeItem]] = relationship(
        back_populates="section", order_by="PracticeItem.position", cascade="all, delete-orphan"
    )


class PracticeItem(Model):
    """One "In practice this means" example. Its key stays the same across versions."""

    __table_args__ = (
        UniqueConstraint("section_id", "key"),
        UniqueConstraint("section_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)

    section: Mapped[Section] = relationship(back_populates="items")


class ContentCorrection(Model):
    """A change the portal made to the team's published wording, shown openly so it can be undone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"), index=True)
    section_slug: Mapped[str] = mapped_column(String(100))
    original: Mapped[str] = mapped_column(Text)
    corrected: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)

    version: Mapped[DocumentVersion] = relationship(back_populates="corrections")


class ConsultationStatus(StrEnum):
    """What staff decided. Open and closed are not stored: they follow from the times."""

    # Being prepared: the public sees nothing of its dates, and nobody can comment.
    DRAFT = "draft"
    # Its dates are public: it opens at opens_at and is closed from closes_at on.
    SCHEDULED = "scheduled"


class Consultation(Model):
    """A period in which the public can comment on a document."""

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=ConsultationStatus.DRAFT)
    # UTC. A draft may have none yet; a scheduled consultation has both.
    opens_at: Mapped[datetime | None]
    # The first moment it is closed: "until 23:59 on 23 February" is midnight starting the 24th.
    closes_at: Mapped[datetime | None]
    # "pre": nothing is public until a moderator publishes it; "post": published at once.
    moderation_mode: Mapped[str] = mapped_column(String(10), default="pre")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    document: Mapped[Document] = relationship()

    def is_open(self, at: datetime | None = None) -> bool:
        if self.status != ConsultationStatus.SCHEDULED or self.opens_at is None or self.closes_at is None:
            return False
        return self.opens_at <= (at or utc_now()) < self.closes_at
