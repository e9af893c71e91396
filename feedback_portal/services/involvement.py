"""People who offer to work with the team: their offer, its consent, its receipt, and forgetting it.

An offer comes from the /get-involved form or from the comment form's "I'd like to work with
the team" tick box: a comment that ticks it, with an email address, makes an offer holding
its name and email, so that the team works from one list with one status per person.
The staff side (the list, statuses, notes, export) is `involvement_pipeline`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    ConsentPurpose,
    ConsentRecord,
    InvolvementOffer,
    InvolvementOption,
    InvolvementStatus,
    OfferSource,
    OptionKind,
    Section,
)
from feedback_portal.services import audit, notifications

CONSENT_VERSION = "get-involved-v1"
CONSENT_WORDING = (
    "I agree that the Citizen Involvement Team can keep the details I have given on this form "
    "and contact me about working with them. I understand I can withdraw my consent at any time, "
    "and that my details will then be deleted."
)
OTHER_INTEREST = "other"
OTHER_INTEREST_LABEL = "Something else"


@dataclass(frozen=True)
class OfferSubmission:
    submission_key: str
    name: str
    email: str | None
    phone: str | None
    interests: list[str]
    other_interest: str | None
    how_to_be_involved: str | None
    access_needs: str | None
    spam_signal: str | None = None
    ways: tuple[str, ...] = ()


def _active_options(kind: OptionKind) -> list[tuple[str, str]]:
    return [
        (option.key, option.label)
        for option in db.session.scalars(
            select(InvolvementOption)
            .where(InvolvementOption.kind == kind, InvolvementOption.active.is_(True))
            .order_by(InvolvementOption.position, InvolvementOption.id)
        )
    ]


def interest_choices() -> list[tuple[str, str]]:
    """What people can say they are interested in, as (value, label): the team's list, and something else."""
    return [*_active_options(OptionKind.INTEREST), (OTHER_INTEREST, OTHER_INTEREST_LABEL)]


def way_choices() -> list[tuple[str, str]]:
    """The ways of taking part the form offers, as (value, label)."""
    return _active_options(OptionKind.WAY)


def option_labels(kind: OptionKind) -> dict[str, str]:
    """Every key an offer may hold, hidden options included, with its label.

    Interests chosen before the team managed the list are section slugs: they read as the
    section's heading.
    """
    labels: dict[str, str] = {}
    if kind == OptionKind.INTEREST:
        for slug, heading in db.session.execute(select(Section.slug, Section.heading).order_by(Section.id)):
            labels[slug] = heading
        labels[OTHER_INTEREST] = OTHER_INTEREST_LABEL
    for key, label in db.session.execute(
        select(InvolvementOption.key, InvolvementOption.label).where(InvolvementOption.kind == kind)
    ):
        labels[key] = label
    return labels


def withdraw_token_hash(token: str) -> str:
    """What is stored of an offer's withdrawal token: the token itself is only given to the person."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_offer(submission_key: str, now: datetime, **details: object) -> tuple[InvolvementOffer, str]:
    token = secrets.token_urlsafe(32)
    offer = InvolvementOffer(
        submission_key=submission_key,
        withdraw_token_hash=withdraw_token_hash(token),
        created_at=now,
        status=InvolvementStatus.NEW,
        **details,
    )
    return offer, token


def submit_offer(submission: OfferSubmission, now: datetime | None = None) -> str | None:
    """Record an offer, its consent and its receipt in one transaction; return the withdrawal token.

    A bot's offer is dropped: it holds nobody's real details and nobody should be contacted.
    Sending the same form twice records it once, and the token is not given out again (None).
    """
    if submission.spam_signal is not None:
        return None
    if _offer_by_submission_key(submission.submission_key) is not None:
        return None
    now = now or datetime.now(UTC)
    offer, token = _new_offer(
        submission.submission_key,
        now,
        source=OfferSource.FORM,
        name=submission.name,
        email=submission.email,
        phone=submission.phone,
        interests=" ".join(submission.interests),
        ways=" ".join(submission.ways),
        other_interest=submission.other_interest,
        how_to_be_involved=submission.how_to_be_involved,
        access_needs=submission.access_needs,
    )
    offer.consents.append(
        ConsentRecord(
            purpose=ConsentPurpose.INVOLVEMENT,
            wording=CONSENT_WORDING,
            wording_version=CONSENT_VERSION,
            given_at=now,
        )
    )
    db.session.add(offer)
    if offer.email:
        db.session.flush()  # the receipt's key names the offer's id
        notifications.enqueue_offer_receipt(offer, token)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if _offer_by_submission_key(submission.submission_key) is None:
            raise
        return None
    return token


def _offer_by_submission_key(key: str) -> InvolvementOffer | None:
    return db.session.scalar(select(InvolvementOffer).where(InvolvementOffer.submission_key == key))


def add_offer_from_comment(comment: Comment, consent: ConsentRecord, now: datetime) -> None:
    """The offer made by a comment's tick box, in the comment's transaction; the caller commits.

    The comment's own consent record, in the words the comment form showed, is the offer's.
    """
    assert comment.author_email is not None  # the comment form asks for one with the tick
    offer, token = _new_offer(
        f"comment:{comment.submission_key}"[:64],
        now,
        source=OfferSource.COMMENT,
        comment=comment,
        name=comment.author_name,
        email=comment.author_email,
        interests="",
        ways="",
    )
    offer.consents.append(consent)
    db.session.add(offer)
    db.session.flush()
    notifications.enqueue_offer_receipt(offer, token)


def forget_offer(offer: InvolvementOffer, now: datetime) -> None:
    """The person withdrew: delete their details and the team's notes; keep that consent was withdrawn.

    It leaves every staff page, list and export at once. The caller commits.
    """
    before = offer.status
    offer.name = None
    offer.email = None
    offer.phone = None
    offer.other_interest = None
    offer.how_to_be_involved = None
    offer.access_needs = None
    offer.withdrawn_at = now
    offer.status = InvolvementStatus.WITHDRAWN
    offer.status_changed_at = now
    offer.status_changed_by_id = None
    offer.follower_id = None
    offer.notes.clear()  # delete-orphan: the notes are deleted
    for consent in offer.consents:
        consent.withdrawn_at = consent.withdrawn_at or now
    audit.record(
        "involvement.withdrawn_by_person",
        None,
        "involvement_offer",
        offer.id,
        before={"status": before},
        after={"status": InvolvementStatus.WITHDRAWN},
        now=now,
    )


def forget_offers_from_comment(comment_id: int, now: datetime) -> None:
    """The commenter erased their contact details: the offer their tick box made goes too."""
    for offer in db.session.scalars(
        select(InvolvementOffer).where(
            InvolvementOffer.comment_id == comment_id, InvolvementOffer.withdrawn_at.is_(None)
        )
    ):
        forget_offer(offer, now)
