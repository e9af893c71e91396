"""Making offers to get involved, and reading them back, for the involvement pipeline's tests."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select, update

from feedback_portal.extensions import db
from feedback_portal.models import InvolvementOffer
from feedback_portal.services import involvement
from feedback_portal.services.feedback import new_submission_key


def make_offer(
    app: Flask,
    name: str = "Priya Shah",
    email: str | None = "priya@example.com",
    phone: str | None = "0121 496 0000",
    interests: tuple[str, ...] = ("training",),
    ways: tuple[str, ...] = ("online",),
    access_needs: str | None = "Large print, please",
    how: str | None = "Weekday evenings",
    other: str | None = None,
    created_at: datetime | None = None,
) -> tuple[int, str]:
    """An offer made through the service, as the form makes it. Returns its id and withdrawal token."""
    with app.app_context():
        token = involvement.submit_offer(
            involvement.OfferSubmission(
                submission_key=new_submission_key(),
                name=name,
                email=email,
                phone=phone,
                interests=list(interests),
                other_interest=other,
                how_to_be_involved=how,
                access_needs=access_needs,
                ways=ways,
            ),
            now=created_at,
        )
        assert token is not None
        offer_id = db.session.scalar(
            select(InvolvementOffer.id).where(
                InvolvementOffer.withdraw_token_hash == involvement.withdraw_token_hash(token)
            )
        )
        assert offer_id is not None
        return offer_id, token


def set_status(app: Flask, offer_id: int, status: str) -> None:
    with app.app_context():
        db.session.execute(
            update(InvolvementOffer).where(InvolvementOffer.id == offer_id).values(status=status)
        )
        db.session.commit()


def offer_row(app: Flask, offer_id: int) -> InvolvementOffer:
    with app.app_context():
        offer = db.session.get(InvolvementOffer, offer_id)
        assert offer is not None
        offer.consents, offer.notes  # noqa: B018 - loaded before the session closes
        db.session.expunge_all()
        return offer


def all_offers(app: Flask) -> list[InvolvementOffer]:
    with app.app_context():
        offers = list(db.session.scalars(select(InvolvementOffer).order_by(InvolvementOffer.id)))
        db.session.expunge_all()
        return offers
