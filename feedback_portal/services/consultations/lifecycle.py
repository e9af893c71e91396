"""A consultation's life: made as a draft, scheduled, extended, closed early or reopened.

Every change is audited with its before and after. Dates arrive as UK dates and clock times
and are stored in UTC; a closing time names the last minute open, so closes_at, the first
moment it is closed, is the minute after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import (
    Channel,
    Comment,
    Consultation,
    ConsultationStatus,
    Document,
    StaffUser,
)
from feedback_portal.services import audit
from feedback_portal.services.consultations.current import (
    ModerationMode,
    find_current_consultation,
    get_consultation,
)
from feedback_portal.services.exceptions import ConsultationChangeRefused, DomainError, NotFound
from feedback_portal.uk_time import (
    NoSuchUKTime,
    end_of_uk_minute,
    in_uk,
    last_open_moment,
    uk_datetime,
    uk_moment,
    uk_time_on_date,
)

DEFAULT_CLOSING_TIME = time(23, 59)
# How long `flask consultations open-for-development` opens the draft for.
DEVELOPMENT_LENGTH = timedelta(weeks=12)


@dataclass(frozen=True)
class Period:
    """Opening and closing as a person gives them: UK dates and clock times."""

    opens_on: date
    opens_time: time
    closes_on: date
    closes_time: time = DEFAULT_CLOSING_TIME

    def in_utc(self) -> tuple[datetime, datetime]:
        """(opens_at, closes_at). Refuses a time the UK skips, and a closing not after the opening."""
        opens_at = _moment(self.opens_on, self.opens_time, "opens_time")
        closes_at = _closing_moment(self.closes_on, self.closes_time)
        if closes_at <= opens_at:
            raise ConsultationChangeRefused("The closing date must be after the opening date", "closes_on")
        return opens_at, closes_at


def create_consultation(
    title: str, document_id: int, period: Period, moderation_mode: str, actor: StaffUser
) -> Consultation:
    """A new consultation, in draft: the public sees nothing of it until it is scheduled."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound(f"No document {document_id}")
    if moderation_mode not in set(ModerationMode):
        raise DomainError(f"Moderation mode must be one of {', '.join(ModerationMode)}")
    opens_at, closes_at = period.in_utc()
    consultation = Consultation(
        document=document,
        title=title,
        status=ConsultationStatus.DRAFT,
        opens_at=opens_at,
        closes_at=closes_at,
        moderation_mode=moderation_mode,
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record("consultation.create", actor, "consultation", consultation.id, after=_state(consultation))
    db.session.commit()
    return consultation


def schedule(
    consultation_id: int, period: Period, actor: StaffUser | None, now: datetime | None = None
) -> Consultation:
    """Make a draft's dates public, or give a scheduled consultation new dates.

    New dates must still cover every comment sent while it was open.
    """
    now = now or datetime.now(UTC)
    consultation = get_consultation(consultation_id)
    opens_at, closes_at = period.in_utc()
    if closes_at <= now:
        raise ConsultationChangeRefused("The closing date must be in the future", "closes_on")
    return _change(consultation, "consultation.schedule", actor, now, opens_at, closes_at)


def extend(
    consultation_id: int, closes_on: date, closes_time: time, actor: StaffUser, now: datetime | None = None
) -> Consultation:
    """Move the closing of a scheduled consultation that has not closed yet later."""
    now = now or datetime.now(UTC)
    consultation = _scheduled(consultation_id)
    assert consultation.closes_at is not None
    if consultation.closes_at <= now:
        raise ConsultationChangeRefused("This consultation has closed: reopen it instead")
    closes_at = _closing_moment(closes_on, closes_time)
    if closes_at <= consultation.closes_at:
        until = uk_time_on_date(last_open_moment(consultation.closes_at))
        raise ConsultationChangeRefused(f"The new closing time must be after {until}", "closes_on")
    return _change(consultation, "consultation.extend", actor, now, consultation.opens_at, closes_at)


def close_now(consultation_id: int, actor: StaffUser, now: datetime | None = None) -> Consultation:
    """Close an open consultation early: it is closed from this moment."""
    now = now or datetime.now(UTC)
    consultation = _scheduled(consultation_id)
    if not consultation.is_open(now):
        raise ConsultationChangeRefused("Only an open consultation can be closed early")
    return _change(consultation, "consultation.close_early", actor, now, consultation.opens_at, now)


def reopen(
    consultation_id: int, closes_on: date, closes_time: time, actor: StaffUser, now: datetime | None = None
) -> Consultation:
    """Open a closed consultation again, from now until a new closing date."""
    now = now or datetime.now(UTC)
    consultation = _scheduled(consultation_id)
    assert consultation.closes_at is not None
    if consultation.closes_at > now:
        raise ConsultationChangeRefused("This consultation has not closed: extend it instead")
    closes_at = _closing_moment(closes_on, closes_time)
    if closes_at <= now:
        raise ConsultationChangeRefused("The new closing date must be in the future", "closes_on")
    return _change(consultation, "consultation.reopen", actor, now, consultation.opens_at, closes_at)


def open_for_development(now: datetime | None = None) -> Consultation | None:
    """Open the current consultation now, if it is a draft, so a newcomer can comment at once.

    For `make run` in development and the tests. Returns None, changing nothing, when the
    current consultation is already scheduled (or there is none).
    """
    now = now or datetime.now(UTC)
    consultation = find_current_consultation(now)
    if consultation is None or consultation.status != ConsultationStatus.DRAFT:
        return None
    last_day = in_uk(now + DEVELOPMENT_LENGTH).date()
    return _change(
        consultation,
        "consultation.schedule",
        None,
        now,
        now,
        _closing_moment(last_day, DEFAULT_CLOSING_TIME),
    )


def set_moderation_mode(mode: str, actor: StaffUser, consultation_id: int | None = None) -> bool:
    """Switch a consultation (the current one unless named) to pre- or post-moderation.

    Returns False, and records nothing, when it is already in that mode.
    """
    if mode not in set(ModerationMode):
        raise DomainError(f"Moderation mode must be one of {', '.join(ModerationMode)}")
    if consultation_id is None:
        current = find_current_consultation()
        if current is None:
            raise NotFound("No consultation. Run `flask seed` to load the document.")
        consultation_id = current.id
    consultation = get_consultation(consultation_id)
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


def _change(
    consultation: Consultation,
    action: str,
    actor: StaffUser | None,
    now: datetime,
    opens_at: datetime | None,
    closes_at: datetime,
) -> Consultation:
    """Give a consultation new times (scheduling it), refusing any that would leave a comment out."""
    assert opens_at is not None
    if closes_at <= opens_at:
        raise ConsultationChangeRefused("The closing date must be after the opening date", "closes_on")
    _refuse_to_leave_comments_out(consultation, opens_at, closes_at)
    before = _state(consultation)
    consultation.status = ConsultationStatus.SCHEDULED
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    audit.record(
        action, actor, "consultation", consultation.id, before=before, after=_state(consultation), now=now
    )
    db.session.commit()
    return consultation


def _refuse_to_leave_comments_out(
    consultation: Consultation, opens_at: datetime, closes_at: datetime
) -> None:
    """A comment belongs to its consultation whatever its dates (comment.consultation_id), but the
    new times must still cover every one sent on the site, or it was sent while it was closed."""
    if consultation.status != ConsultationStatus.SCHEDULED:
        return
    first, last = db.session.execute(
        select(func.min(Comment.created_at), func.max(Comment.created_at)).where(
            Comment.consultation_id == consultation.id, Comment.channel == Channel.ONLINE
        )
    ).one()
    if first is None:
        return
    if opens_at > first or closes_at <= last:
        raise ConsultationChangeRefused(
            f"Comments were sent from {uk_datetime(first)} to {uk_datetime(last)}: the consultation must "
            "stay open over that time, so that they still belong to it",
            "opens_on" if opens_at > first else "closes_on",
        )


def _scheduled(consultation_id: int) -> Consultation:
    consultation = get_consultation(consultation_id)
    if consultation.status != ConsultationStatus.SCHEDULED:
        raise ConsultationChangeRefused("This consultation is a draft: schedule it first")
    return consultation


def _moment(day: date, clock: time, field: str) -> datetime:
    try:
        return uk_moment(day, clock)
    except NoSuchUKTime:
        raise ConsultationChangeRefused(
            f"{clock:%H:%M} does not exist on that day in the UK, because the clocks go forward: "
            "enter a time before 01:00 or from 02:00",
            field,
        ) from None


def _closing_moment(day: date, clock: time) -> datetime:
    _moment(day, clock, "closes_time")
    return end_of_uk_minute(day, clock)


def _state(consultation: Consultation) -> dict[str, str | None]:
    return {
        "status": consultation.status,
        "opens_at": consultation.opens_at.isoformat() if consultation.opens_at else None,
        "closes_at": consultation.closes_at.isoformat() if consultation.closes_at else None,
    }
