"""Consultations: which one is current, how it is moderated, and when it is open.

The one module that looks consultations up; other services ask it.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.exceptions import DomainError, NotFound


class ModerationMode(StrEnum):
    # Nothing is public until a moderator publishes it. The default.
    PRE = "pre"
    # Published at once, and moderated after.
    POST = "post"


def find_current_consultation() -> Consultation | None:
    """The consultation now running or last run, or None before the document is loaded."""
    return db.session.scalar(select(Consultation).order_by(Consultation.opens_at.desc()).limit(1))


def get_current_consultation() -> Consultation:
    consultation = find_current_consultation()
    if consultation is None:
        raise NotFound("No consultation. Run `flask seed` to load the document.")
    return consultation


def set_moderation_mode(mode: str, actor: StaffUser) -> bool:
    """Switch the current consultation to pre- or post-moderation.

    Returns False, and records nothing, when it is already in that mode.
    """
    if mode not in set(ModerationMode):
        raise DomainError(f"Moderation mode must be one of {', '.join(ModerationMode)}")
    consultation = get_current_consultation()
    before = consultation.moderation_mode
    if before == mode:
        return False
    consultation.moderation_mode = mode
    audit.record(
        "consultation.moderation_mode",
        actor,
        "consultation",
        consultation.id,
        before={"moderation_mode": before},
        after={"moderation_mode": mode},
    )
    db.session.commit()
    return True
