"""People who offer to work with the team: their details and their consent.

Withdrawing an offer is in `feedback_portal.services.privacy`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback_portal.extensions import db
from feedback_portal.models import ConsentPurpose, ConsentRecord, InvolvementOffer
from feedback_portal.services.documents import get_current_version

CONSENT_VERSION = "get-involved-v1"
CONSENT_WORDING = (
    "I agree that the Citizen Involvement Team can keep the details I have given on this form "
    "and contact me about working with them. I understand I can withdraw my consent at any time, "
    "and that my details will then be deleted."
)
OTHER_INTEREST = "other"


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


def interest_choices() -> list[tuple[str, str]]:
    """What people can say they are interested in, as (value, label): each section, and something else."""
    sections = get_current_version().sections
    return [(section.slug, section.heading) for section in sections] + [(OTHER_INTEREST, "Something else")]


def withdraw_token_hash(token: str) -> str:
    """What is stored of an offer's withdrawal token: the token itself is only given to the person."""
    return hashlib.sha256(token.encode()).hexdigest()


def submit_offer(submission: OfferSubmission, now: datetime | None = None) -> str | None:
    """Record an offer and its consent in one transaction; return the token of its withdrawal link.

    A bot's offer is dropped: it holds nobody's real details and nobody should be contacted.
    Sending the same form twice records it once, and the token is not given out again (None).
    """
    if submission.spam_signal is not None:
        return None
    existing = db.session.scalar(
        select(InvolvementOffer).where(InvolvementOffer.submission_key == submission.submission_key)
    )
    if existing is not None:
        return None
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    offer = InvolvementOffer(
        name=submission.name,
        email=submission.email,
        phone=submission.phone,
        interests=" ".join(submission.interests),
        other_interest=submission.other_interest,
        how_to_be_involved=submission.how_to_be_involved,
        access_needs=submission.access_needs,
        submission_key=submission.submission_key,
        withdraw_token_hash=withdraw_token_hash(token),
        created_at=now,
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
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            select(InvolvementOffer).where(InvolvementOffer.submission_key == submission.submission_key)
        )
        if existing is None:
            raise
        return None
    return token
