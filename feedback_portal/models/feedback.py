"""Feedback from the public: comments, the consent people give with them, and reports."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model
from feedback_portal.models.document import Consultation, DocumentVersion, PracticeItem, Section, utc_now

if TYPE_CHECKING:
    from feedback_portal.models.involvement import InvolvementNote
    from feedback_portal.models.moderation import CommentNote, Tag
    from feedback_portal.models.responses import CommentResponse
    from feedback_portal.models.staff import StaffUser


class CommentState(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    SPAM = "spam"
    HIDDEN = "hidden"
    # The author withdrew it with the link in their receipt. Nothing can be done with it after.
    WITHDRAWN = "withdrawn"


class Reaction(StrEnum):
    """The answer to "Does this make sense to you?"."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Channel(StrEnum):
    """How a comment reached the council: on this site, or another way that staff entered."""

    ONLINE = "online"
    PAPER = "paper"
    EMAIL = "email"
    PHONE = "phone"
    EVENT = "event"


class Comment(Model):
    """What one person said about the document, a section of it, or one practice example."""

    __table_args__ = (
        Index("ix_comment_state_created_at_id", "state", "created_at", "id"),
        # A period's comments, whatever their state: the digest's counts.
        Index("ix_comment_created_at_id", "created_at", "id"),
        # The queue's order within each filter (migration d2a6f9c4e8b3).
        Index(
            "ix_comment_consultation_id_state_created_at_id", "consultation_id", "state", "created_at", "id"
        ),
        Index("ix_comment_consultation_id_created_at_id", "consultation_id", "created_at", "id"),
        Index("ix_comment_section_id_state_created_at_id", "section_id", "state", "created_at", "id"),
        Index(
            "ix_comment_practice_item_id_state_created_at_id", "practice_item_id", "state", "created_at", "id"
        ),
        Index("ix_comment_emails_stopped_at", "emails_stopped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to the person on the thank-you page and in emails, like CP-7K3M9Q.
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    # One per rendered form, so a double click or a resubmission makes one comment.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"), index=True)
    # The consultation its form was for, fixed when it was sent: new dates never move it.
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    # Neither set: the comment is about the document as a whole.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    practice_item_id: Mapped[int | None] = mapped_column(ForeignKey("practice_item.id"))

    body: Mapped[str] = mapped_column(Text)
    # A moderator's redacted version; when set, it is what the public sees.
    public_body: Mapped[str | None] = mapped_column(Text)
    reaction: Mapped[str | None] = mapped_column(String(10))
    author_name: Mapped[str | None] = mapped_column(String(100))
    author_email: Mapped[str | None] = mapped_column(String(254))
    wants_updates: Mapped[bool] = mapped_column(default=False)
    wants_involvement: Mapped[bool] = mapped_column(default=False)
    # When the person last used "Stop these emails": set on every comment from their address,
    # so that an email queued before then is not sent.
    emails_stopped_at: Mapped[datetime | None]

    state: Mapped[str] = mapped_column(String(20), default=CommentState.PENDING)
    # Why the spam filter caught it (a filled honeypot, sent too fast), for moderators.
    spam_signal: Mapped[str | None] = mapped_column(String(50))
    # A keyed hash of the client's address for abuse control; erased after a day.
    client_key: Mapped[str | None] = mapped_column(String(64))
    # Bumped on every change, so that two moderators cannot overwrite each other.
    revision: Mapped[int] = mapped_column(default=1)
    rejection_reason: Mapped[str | None] = mapped_column(String(30))
    rejection_note: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime | None]
    state_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    published_at: Mapped[datetime | None]

    channel: Mapped[str] = mapped_column(String(10), default=Channel.ONLINE, server_default=Channel.ONLINE)
    # For feedback that came another way: the UK day it reached the council, and who typed it in.
    received_at: Mapped[date | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    document_version: Mapped[DocumentVersion] = relationship()
    consultation: Mapped[Consultation] = relationship()
    section: Mapped[Section | None] = relationship()
    practice_item: Mapped[PracticeItem | None] = relationship()
    reports: Mapped[list[Report]] = relationship(back_populates="comment", order_by="Report.id")
    consents: Mapped[list[ConsentRecord]] = relationship(order_by="ConsentRecord.id")
    notes: Mapped[list[CommentNote]] = relationship(order_by="CommentNote.id")
    tags: Mapped[list[Tag]] = relationship(secondary="comment_tag", order_by="Tag.name")
    state_changed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[state_changed_by_id])
    entered_by: Mapped[StaffUser | None] = relationship(foreign_keys=[entered_by_id])
    # The team's response, in whatever state: pages for the public show it only when published.
    response: Mapped[CommentResponse | None] = relationship(viewonly=True)

    @property
    def public_text(self) -> str:
        return self.public_body if self.public_body is not None else self.body

    @property
    def display_name(self) -> str:
        return self.author_name or "Anonymous"


class ReportReason(StrEnum):
    PERSONAL_INFORMATION = "personal-information"
    ABUSIVE = "abusive"
    SPAM = "spam"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class Report(Model):
    """Someone's report that a published comment should not be there."""

    __table_args__ = (UniqueConstraint("comment_id", "reporter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    details: Mapped[str | None] = mapped_column(Text)
    # A keyed hash of the visitor, so that each visitor reports a comment once.
    reporter_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    resolved_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship(back_populates="reports")


class ConsentPurpose(StrEnum):
    FEEDBACK_UPDATES = "feedback-updates"
    INVOLVEMENT = "involvement"


class ConsentRecord(Model):
    """What someone agreed to, in the exact words they were shown, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    wording: Mapped[str] = mapped_column(Text)
    wording_version: Mapped[str] = mapped_column(String(30))
    given_at: Mapped[datetime] = mapped_column(default=utc_now)
    withdrawn_at: Mapped[datetime | None]
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    involvement_offer_id: Mapped[int | None] = mapped_column(ForeignKey("involvement_offer.id"), index=True)


class InvolvementStatus(StrEnum):
    """Where the team is with someone who offered: new -> contacted -> involved, or not now.

    Withdrawn is set only by the person, with the link in their receipt.
    """

    NEW = "new"
    CONTACTED = "contacted"
    INVOLVED = "involved"
    NOT_NOW = "not-now"
    WITHDRAWN = "withdrawn"


class OfferSource(StrEnum):
    """Which form the offer came from: /get-involved, or the comment form's tick box."""

    FORM = "form"
    COMMENT = "comment"


class InvolvementOffer(Model):
    """Someone who would like to work with the team, from the "get involved" form or a comment."""

    __table_args__ = (Index("ix_involvement_offer_status_created_at_id", "status", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    # Keys of interests (InvolvementOption), and "other", separated by spaces. Offers made
    # before the team managed the list hold section slugs, which are still shown by heading.
    interests: Mapped[str] = mapped_column(Text, default="")
    # Keys of ways of taking part (InvolvementOption), separated by spaces.
    ways: Mapped[str] = mapped_column(Text, default="", server_default="")
    other_interest: Mapped[str | None] = mapped_column(Text)
    how_to_be_involved: Mapped[str | None] = mapped_column(Text)
    access_needs: Mapped[str | None] = mapped_column(Text)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Only a hash of the withdrawal link's token is kept, so a copy of the database
    # cannot be used to withdraw someone.
    withdraw_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    withdrawn_at: Mapped[datetime | None]

    source: Mapped[str] = mapped_column(String(10), default=OfferSource.FORM, server_default=OfferSource.FORM)
    # The comment whose tick box made this offer; its name and email are copied here.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(20), default=InvolvementStatus.NEW, server_default=InvolvementStatus.NEW
    )
    status_changed_at: Mapped[datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # The staff member following the offer up.
    follower_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    consents: Mapped[list[ConsentRecord]] = relationship(order_by="ConsentRecord.id")
    # Deleting an offer (an erasure) deletes the team's notes on it.
    notes: Mapped[list[InvolvementNote]] = relationship(
        order_by="InvolvementNote.id", cascade="all, delete-orphan"
    )
    comment: Mapped[Comment | None] = relationship()
    status_changed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[status_changed_by_id])
    follower: Mapped[StaffUser | None] = relationship(foreign_keys=[follower_id])
