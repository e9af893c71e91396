"""The involvement pipeline for staff: the one list of offers, its filters, and following each up.

Withdrawn offers are never shown: every query here leaves them out, so an offer withdrawn
by its person leaves the list, its own page and the export at once. Contact details are
the routes' to hide (they ask `permissions`); changes need MANAGE_INVOLVEMENT.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import (
    InvolvementNote,
    InvolvementOffer,
    InvolvementOption,
    InvolvementStatus,
    OptionKind,
    StaffUser,
)
from feedback_portal.permissions import ROLES_WITH, Capability
from feedback_portal.services import audit
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.involvement import OTHER_INTEREST, OTHER_INTEREST_LABEL, option_labels
from feedback_portal.services.paging import after_key, decode_cursor, encode_cursor
from feedback_portal.uk_time import start_of_uk_day

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# The statuses staff may set: withdrawn is the person's alone.
STAFF_STATUSES = (
    InvolvementStatus.NEW,
    InvolvementStatus.CONTACTED,
    InvolvementStatus.INVOLVED,
    InvolvementStatus.NOT_NOW,
)
REFUSED_ACTION = "involvement.contact_details_refused"


@dataclass(frozen=True)
class OfferFilters:
    status: str | None = None
    interest: str | None = None
    way: str | None = None
    received_from: date | None = None
    received_to: date | None = None

    def describe(self) -> dict[str, str]:
        """The filters for the audit log: codes and dates, never anything a person typed."""
        values = {
            "status": self.status,
            "interest": self.interest,
            "way": self.way,
            "received_from": self.received_from.isoformat() if self.received_from else None,
            "received_to": self.received_to.isoformat() if self.received_to else None,
        }
        return {name: value for name, value in values.items() if value}


def _has_key(column: Any, key: str) -> ColumnElement[bool]:
    """Whether a space-separated list of keys holds `key`. Keys are made of [a-z0-9-] only."""
    return (literal(" ") + column + literal(" ")).like(f"% {key} %")


def not_withdrawn() -> ColumnElement[bool]:
    """Offers the team can still follow up: not withdrawn, and not emptied by retention or erasure
    (an offer with no name, email or phone left is no one the team could contact)."""
    return (
        InvolvementOffer.withdrawn_at.is_(None)
        & (InvolvementOffer.status != InvolvementStatus.WITHDRAWN)
        & (
            InvolvementOffer.name.is_not(None)
            | InvolvementOffer.email.is_not(None)
            | InvolvementOffer.phone.is_not(None)
        )
    )


def conditions(filters: OfferFilters) -> list[ColumnElement[bool]]:
    where = [not_withdrawn()]
    if filters.status:
        where.append(InvolvementOffer.status == filters.status)
    if filters.interest:
        where.append(_has_key(InvolvementOffer.interests, filters.interest))
    if filters.way:
        where.append(_has_key(InvolvementOffer.ways, filters.way))
    if filters.received_from:
        where.append(InvolvementOffer.created_at >= start_of_uk_day(filters.received_from))
    if filters.received_to:
        where.append(InvolvementOffer.created_at < start_of_uk_day(filters.received_to + timedelta(days=1)))
    return where


@dataclass
class OfferPage:
    rows: list[InvolvementOffer]
    next_cursor: str | None


def list_offers(filters: OfferFilters, after: str | None = None, page_size: int = PAGE_SIZE) -> OfferPage:
    """One page of offers, newest first, after the cursor of the page before."""
    query = (
        select(InvolvementOffer)
        .where(*conditions(filters))
        .options(selectinload(InvolvementOffer.follower), selectinload(InvolvementOffer.consents))
        .order_by(InvolvementOffer.created_at.desc(), InvolvementOffer.id.desc())
        .limit(page_size + 1)
    )
    cursor = decode_cursor(after)
    if cursor is not None:
        query = query.where(
            after_key(InvolvementOffer.created_at, InvolvementOffer.id, *cursor, descending=True)
        )
    rows = list(db.session.scalars(query))
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        next_cursor = encode_cursor(_aware(last.created_at), last.id)
    return OfferPage(rows=rows, next_cursor=next_cursor)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def get_offer(offer_id: int) -> InvolvementOffer:
    """One offer for its staff page; NotFound if there is none, or its person withdrew it."""
    offer = db.session.scalar(
        select(InvolvementOffer).where(InvolvementOffer.id == offer_id, not_withdrawn())
    )
    if offer is None:
        raise NotFound("offer")
    return offer


@dataclass(frozen=True)
class Labels:
    """What each stored key reads as, for pages and exports."""

    interests: dict[str, str]
    ways: dict[str, str]

    def interests_of(self, offer: InvolvementOffer) -> list[str]:
        return [self.interests.get(key, key) for key in offer.interests.split()]

    def ways_of(self, offer: InvolvementOffer) -> list[str]:
        return [self.ways.get(key, key) for key in offer.ways.split()]


def labels() -> Labels:
    return Labels(interests=option_labels(OptionKind.INTEREST), ways=option_labels(OptionKind.WAY))


@dataclass(frozen=True)
class FilterChoices:
    interests: list[tuple[str, str]]
    ways: list[tuple[str, str]]


def filter_choices() -> FilterChoices:
    """Every option the form offers or once offered, in the form's order, as (key, label)."""

    def options(kind: OptionKind) -> list[tuple[str, str]]:
        return [
            (key, label)
            for key, label in db.session.execute(
                select(InvolvementOption.key, InvolvementOption.label)
                .where(InvolvementOption.kind == kind)
                .order_by(InvolvementOption.position, InvolvementOption.id)
            )
        ]

    return FilterChoices(
        interests=[*options(OptionKind.INTEREST), (OTHER_INTEREST, OTHER_INTEREST_LABEL)],
        ways=options(OptionKind.WAY),
    )


def follower_choices() -> list[tuple[int, str]]:
    """The staff who may follow an offer up: those allowed to see contact details, not disabled."""
    return [
        (staff_id, email)
        for staff_id, email in db.session.execute(
            select(StaffUser.id, StaffUser.email)
            .where(
                StaffUser.is_disabled.is_(False),
                StaffUser.role.in_(sorted(ROLES_WITH[Capability.MANAGE_INVOLVEMENT])),
            )
            .order_by(StaffUser.email)
        )
    ]


def update_offer(
    offer_id: int, status: str, follower_id: int | None, actor: StaffUser, now: datetime | None = None
) -> InvolvementOffer:
    """Set an offer's status and who is following it up; each change is audited. One commit."""
    now = now or datetime.now(UTC)
    if status not in STAFF_STATUSES:
        raise ValueError(f"staff cannot set the status {status!r}")
    if follower_id is not None and follower_id not in dict(follower_choices()):
        raise NotFound("staff member")
    offer = get_offer(offer_id)
    if offer.status != status:
        audit.record(
            "involvement.status_changed",
            actor,
            "involvement_offer",
            offer.id,
            before={"status": offer.status},
            after={"status": status},
            now=now,
        )
        offer.status = status
        offer.status_changed_at = now
        offer.status_changed_by_id = actor.id
    if offer.follower_id != follower_id:
        audit.record(
            "involvement.follower_changed",
            actor,
            "involvement_offer",
            offer.id,
            before={"follower_id": offer.follower_id},
            after={"follower_id": follower_id},
            now=now,
        )
        offer.follower_id = follower_id
    db.session.commit()
    return offer


def add_note(offer_id: int, text: str, actor: StaffUser, now: datetime | None = None) -> InvolvementNote:
    now = now or datetime.now(UTC)
    offer = get_offer(offer_id)
    note = InvolvementNote(offer_id=offer.id, author_id=actor.id, text=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    audit.record(
        "involvement.note_added", actor, "involvement_offer", offer.id, details={"note_id": note.id}, now=now
    )
    db.session.commit()
    return note


def refuse_contact_details(actor: StaffUser, asked_for: str) -> None:
    """Log and record someone asking for offers' contact details their role does not allow.

    The log line and the audit entry say who asked for what, never anyone's details.
    """
    logger.warning(
        "Involvement contact details refused: staff user %s (%s) asked for %s",
        actor.id,
        actor.role,
        asked_for,
    )
    audit.record(REFUSED_ACTION, actor, details={"asked_for": asked_for, "role": actor.role})
    db.session.commit()


def count_new_offers(since: datetime, until: datetime) -> int:
    """Offers made in the period and still there, for the staff digest."""
    return (
        db.session.scalar(
            select(func.count(InvolvementOffer.id)).where(
                not_withdrawn(), InvolvementOffer.created_at >= since, InvolvementOffer.created_at < until
            )
        )
        or 0
    )
