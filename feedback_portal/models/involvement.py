"""The involvement pipeline's own records: notes on offers, and the choices the form offers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now
from feedback_portal.models.staff import StaffUser


class InvolvementNote(Model):
    """A note for the team about an offer, such as what was said when they called. Never public."""

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("involvement_offer.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    author: Mapped[StaffUser] = relationship()


class OptionKind(StrEnum):
    INTEREST = "interest"
    WAY = "way"


class InvolvementOption(Model):
    """One choice on the get-involved form: an area of work, or a way of taking part.

    Admins add, reword, order and hide them. Offers store the key, so rewording a label
    changes it on every offer, and a hidden option still reads correctly on old offers.
    """

    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
