"""Where a member of the public's contact details live: the one list that finding, exporting and
erasing a person read.

A table that gains a column holding an email address, a name or a phone number gets a
`Holding` here (or an entry in NOT_PUBLIC_CONTACT_DETAILS saying why it is not one): a test
scans the schema and fails until it does. Erasure runs the holdings in this order, so a
holding found through another (consents, through comments and offers) comes before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, delete, func, literal, or_, select, update
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    ConsentPurpose,
    ConsentRecord,
    EqualityAnswer,
    InvolvementNote,
    InvolvementOffer,
    OutboxMessage,
    OutboxStatus,
    UpdateDelivery,
)
from feedback_portal.vocabulary import CHANNEL_LABELS, REACTION_LABELS, REACTION_QUESTION, STATE_LABELS

# What a sent email's erased parts read as; its recipient column cannot be empty of a value.
ERASED = ""
ERASED_EMAIL_NOTE = "Not sent: the person's contact details were erased"


@dataclass(frozen=True)
class Field:
    """One thing held about a person, as a subject-access file names it."""

    key: str
    label: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Holding:
    """One table's rows about a person, found by their email address."""

    key: str
    label: str
    # Every holding's model has an integer `id`, which its rows are read and erased by.
    model: type[Any]
    # Every column of the table that holds contact details: the schema test reads these.
    columns: tuple[str, ...]
    match: Callable[[str], ColumnElement[bool]]
    fields: tuple[Field, ...]
    # The fields the find page and `privacy find` show for each row.
    summary: tuple[str, ...]
    erase: Callable[[Sequence[int], datetime], None]
    # What erasure does, in words for the confirmation page.
    erasure: str
    # Loader options for reading many rows at once (what each row's fields read).
    load: tuple[Any, ...] = ()
    # Found through other holdings' rows: shown after them, though erased before them.
    found_through_others: bool = False

    def field_values(self, row: Any, keys: Sequence[str] | None = None) -> list[tuple[Field, Any]]:
        wanted = self.fields if keys is None else [f for f in self.fields if f.key in keys]
        return [(field, field.value(row)) for field in wanted]


def same_address(column: Any, address: str) -> ColumnElement[bool]:
    # One mailbox, however its letters were typed each time.
    return func.lower(column) == address.lower()


def _comment_ids(address: str) -> Any:
    return select(Comment.id).where(same_address(Comment.author_email, address))


def _offer_ids(address: str) -> Any:
    return select(InvolvementOffer.id).where(same_address(InvolvementOffer.email, address))


def _erase_consents(ids: Sequence[int], now: datetime) -> None:
    """Withdrawn, then cut loose from the person: the record that consent was given stays."""
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.id.in_(ids), ConsentRecord.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.id.in_(ids))
        .values(comment_id=None, involvement_offer_id=None)
    )


def _erase_comments(ids: Sequence[int], now: datetime) -> None:
    """The text stays, anonymised, as the privacy notice says."""
    db.session.execute(
        update(Comment)
        .where(Comment.id.in_(ids))
        .values(author_name=None, author_email=None, wants_updates=False, wants_involvement=False)
    )
    # Which updates the person was sent stays (so nothing is sent twice), but not the keyed code
    # of their address, which would still recognise them.
    db.session.execute(
        update(UpdateDelivery)
        .where(UpdateDelivery.comment_id.in_(ids))
        .values(person_key=literal("erased-") + cast(UpdateDelivery.id, String))
    )


def _erase_offers(ids: Sequence[int], now: datetime) -> None:
    # The team's notes first: they may say anything about the person, and SQLite does not cascade.
    db.session.execute(delete(InvolvementNote).where(InvolvementNote.offer_id.in_(ids)))
    db.session.execute(delete(InvolvementOffer).where(InvolvementOffer.id.in_(ids)))


def _erase_emails(ids: Sequence[int], now: datetime) -> None:
    """Sent or not, nothing of the email is kept but that there was one; one still waiting never goes."""
    waiting = OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED])
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            recipient=ERASED,
            text_body=ERASED,
            html_body=ERASED,
            unsubscribe_url=None,
            claim_token=None,
            last_error=case((waiting, ERASED_EMAIL_NOTE), else_=OutboxMessage.last_error),
            status=case((waiting, OutboxStatus.CANCELLED), else_=OutboxMessage.status),
        )
    )


CONSENT_PURPOSES = {
    ConsentPurpose.FEEDBACK_UPDATES: "To hear what happens with their feedback",
    ConsentPurpose.INVOLVEMENT: "To be contacted about working with the team",
}


def _target(comment: Comment) -> str:
    if comment.practice_item is not None:
        return f"Practice example: {comment.practice_item.text}"
    if comment.section is not None:
        return f"Section: {comment.section.heading}"
    return "The whole document"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


COMMENTS = Holding(
    key="comments",
    label="Comments",
    model=Comment,
    columns=("author_name", "author_email"),
    match=lambda address: same_address(Comment.author_email, address),
    fields=(
        Field("reference", "Reference", lambda c: c.reference),
        Field("made_at", "Sent", lambda c: c.created_at),
        Field("about", "About", _target),
        Field("state", "State", lambda c: STATE_LABELS.get(c.state, c.state)),
        Field("name", "Name", lambda c: c.author_name),
        Field("email", "Email address", lambda c: c.author_email),
        Field("reaction", REACTION_QUESTION, lambda c: REACTION_LABELS.get(c.reaction, c.reaction)),
        Field("text", "Comment", lambda c: c.body),
        Field("published_text", "Published text, if a moderator changed it", lambda c: c.public_body),
        Field("wants_updates", "Wants to hear what happens", lambda c: _yes_no(c.wants_updates)),
        Field("wants_involvement", "Offered to work with the team", lambda c: _yes_no(c.wants_involvement)),
        Field("channel", "How it reached us", lambda c: CHANNEL_LABELS.get(c.channel, c.channel)),
    ),
    summary=("reference", "made_at", "about", "state"),
    erase=_erase_comments,
    erasure="Their name and email address are removed. The comment text stays, anonymised.",
    load=(selectinload(Comment.section), selectinload(Comment.practice_item)),
)

OFFERS = Holding(
    key="offers",
    label="Offers to get involved",
    model=InvolvementOffer,
    columns=("name", "email", "phone"),
    match=lambda address: same_address(InvolvementOffer.email, address),
    fields=(
        Field("made_at", "Sent", lambda o: o.created_at),
        Field("name", "Name", lambda o: o.name),
        Field("email", "Email address", lambda o: o.email),
        Field("phone", "Phone number", lambda o: o.phone),
        Field("interests", "Interested in", lambda o: o.interests),
        Field("other_interest", "Something else they are interested in", lambda o: o.other_interest),
        Field("how_to_be_involved", "How they would like to be involved", lambda o: o.how_to_be_involved),
        Field("access_needs", "Access needs", lambda o: o.access_needs),
        Field("withdrawn_at", "Withdrawn", lambda o: o.withdrawn_at),
    ),
    summary=("made_at", "interests", "withdrawn_at"),
    erase=_erase_offers,
    erasure="Deleted.",
)

CONSENTS = Holding(
    key="consents",
    label="Consents",
    model=ConsentRecord,
    columns=(),
    match=lambda address: or_(
        ConsentRecord.comment_id.in_(_comment_ids(address)),
        ConsentRecord.involvement_offer_id.in_(_offer_ids(address)),
    ),
    fields=(
        Field("purpose", "What for", lambda r: CONSENT_PURPOSES.get(r.purpose, r.purpose)),
        Field("wording", "The words they agreed to", lambda r: r.wording),
        Field("wording_version", "Version of the words", lambda r: r.wording_version),
        Field("given_at", "Given", lambda r: r.given_at),
        Field("withdrawn_at", "Withdrawn", lambda r: r.withdrawn_at),
    ),
    summary=("purpose", "given_at", "withdrawn_at"),
    erase=_erase_consents,
    erasure="Marked withdrawn, then anonymised: the record that consent was given stays, not whose.",
    found_through_others=True,
)

EMAILS = Holding(
    key="emails",
    label="Emails queued or sent",
    model=OutboxMessage,
    columns=("recipient",),
    match=lambda address: same_address(OutboxMessage.recipient, address),
    fields=(
        Field("kind", "Kind", lambda m: m.kind),
        Field("subject", "Subject", lambda m: m.subject),
        Field("status", "Status", lambda m: m.status),
        Field("queued_at", "Queued", lambda m: m.created_at),
        Field("sent_at", "Sent", lambda m: m.sent_at),
        Field("recipient", "To", lambda m: m.recipient),
        Field("text", "Text of the email", lambda m: m.text_body),
    ),
    summary=("kind", "subject", "status", "queued_at"),
    erase=_erase_emails,
    erasure="Their address and the text are removed. One not yet sent is never sent.",
)

# Consents first: they are found through the comments and offers that erasure changes.
HOLDINGS: tuple[Holding, ...] = (CONSENTS, COMMENTS, OFFERS, EMAILS)
# The order people read them in: what the person gave us, then what was found through it.
SHOWN_IN_ORDER: tuple[Holding, ...] = tuple(sorted(HOLDINGS, key=lambda h: h.found_through_others))


@dataclass(frozen=True)
class UnlinkedHolding:
    """Data about people held with nothing that leads to who they are: no finding it by email.

    Finding, the subject-access file and erasure say so, in `why_not_found`, and retention
    deletes it after the period named by `period` (a RetentionPeriods property).
    """

    key: str
    label: str
    model: type[Any]
    why_not_found: str
    period: str


EQUALITY_ANSWERS = UnlinkedHolding(
    key="equality_answers",
    label="Answers to the ‘About you’ questions",
    model=EqualityAnswer,
    why_not_found=(
        "Answers to the optional ‘About you’ questions are held with nothing that links them to an "
        "email address, a name, a comment or an offer, so they cannot be found, copied or erased for "
        "one person. They are deleted {period} after their consultation closes."
    ),
    period="contact_period",
)
UNLINKED_HOLDINGS: tuple[UnlinkedHolding, ...] = (EQUALITY_ANSWERS,)

# Columns named like contact details that are not a member of the public's, and why.
NOT_PUBLIC_CONTACT_DETAILS: dict[str, str] = {
    "staff_user.email": "A staff account's address, managed on the staff accounts pages.",
    "tag.name": "A theme's name, written by moderators.",
}

# Tables the sweep for other mentions of an address leaves alone, and why.
NOT_SWEPT: dict[str, str] = {
    "audit_entry": "Append-only, and never given an address.",
    "staff_user": "Staff accounts are not erased from here.",
    "password_link": "Staff only: holds a hash of a token.",
}
