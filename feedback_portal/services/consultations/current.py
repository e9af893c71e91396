"""Finding consultations: one by its id, all of them, and the one the public sees now."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, ConsultationStatus, Document
from feedback_portal.services.exceptions import NotFound


class Stage(StrEnum):
    """Where a consultation stands now, as staff see it: its status, and its times."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


def stage_of(consultation: Consultation, now: datetime | None = None) -> Stage:
    now = now or datetime.now(UTC)
    if consultation.status != ConsultationStatus.SCHEDULED:
        return Stage.DRAFT
    if consultation.is_open(now):
        return Stage.OPEN
    return Stage.SCHEDULED if _opening(consultation) > now else Stage.CLOSED


class ModerationMode(StrEnum):
    # Nothing is public until a moderator publishes it. The default.
    PRE = "pre"
    # Published at once, and moderated after.
    POST = "post"


def list_consultations() -> list[Consultation]:
    """Every consultation, the newest made first."""
    return list(db.session.scalars(select(Consultation).order_by(Consultation.id.desc())))


def list_documents() -> list[Document]:
    return list(db.session.scalars(select(Document).order_by(Document.title, Document.id)))


def get_consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(f"No consultation {consultation_id}")
    return consultation


def find_current_consultation(now: datetime | None = None) -> Consultation | None:
    """The consultation the public sees now: the open one; else the next to open; else the one
    that closed last; else the newest draft. None before the document is loaded."""
    now = now or datetime.now(UTC)
    every = list_consultations()
    scheduled = [each for each in every if each.status == ConsultationStatus.SCHEDULED]
    open_now = [each for each in scheduled if each.is_open(now)]
    if open_now:
        return min(open_now, key=_closing)
    upcoming = [each for each in scheduled if _opening(each) > now]
    if upcoming:
        return min(upcoming, key=_opening)
    if scheduled:
        return max(scheduled, key=_closing)
    return every[0] if every else None


def next_opening_or_closing(now: datetime | None = None) -> datetime | None:
    """The next moment any consultation opens or closes: which consultation is current, and
    what a notice says, may change then and only then."""
    now = now or datetime.now(UTC)
    moments = [
        moment
        for each in list_consultations()
        if each.status == ConsultationStatus.SCHEDULED
        for moment in (each.opens_at, each.closes_at)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


def list_public_consultations() -> list[Consultation]:
    """The consultations the public may see (scheduled: past, open and upcoming), latest first."""
    scheduled = [each for each in list_consultations() if each.status == ConsultationStatus.SCHEDULED]
    return sorted(scheduled, key=_opening, reverse=True)


def get_public_consultation(consultation_id: int) -> Consultation:
    """A consultation the public may read: scheduled, or the current one (a draft is not public
    unless it is all there is)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or (
        consultation.status != ConsultationStatus.SCHEDULED and consultation != find_current_consultation()
    ):
        raise NotFound(f"No consultation {consultation_id}")
    return consultation


# The consultation a public page is about when it is not the current one (/consultations/<id>/…).
# Set for one request only.
_chosen_consultation: ContextVar[int | None] = ContextVar("chosen_consultation", default=None)


def choose_consultation(consultation_id: int | None) -> None:
    _chosen_consultation.set(consultation_id)


def viewed_consultation(now: datetime | None = None) -> Consultation | None:
    """The consultation the page is about: the one chosen for this request, else the current one."""
    chosen = _chosen_consultation.get()
    if chosen is not None:
        return get_consultation(chosen)
    return find_current_consultation(now)


def get_current_consultation(now: datetime | None = None) -> Consultation:
    consultation = find_current_consultation(now)
    if consultation is None:
        raise NotFound("No consultation. Run `flask seed` to load the document.")
    return consultation


def _opening(consultation: Consultation) -> datetime:
    assert consultation.opens_at is not None  # a scheduled consultation has its dates
    return consultation.opens_at


def _closing(consultation: Consultation) -> datetime:
    assert consultation.closes_at is not None
    return consultation.closes_at
