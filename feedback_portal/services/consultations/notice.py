"""The one sentence the public reads about a consultation's dates, the same on every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from feedback_portal.models import Consultation, ConsultationStatus
from feedback_portal.uk_time import last_open_moment, uk_date_at_time, uk_time_on_date


class NoticeKind(StrEnum):
    OPEN = "open"
    # Scheduled, and not open yet.
    UPCOMING = "upcoming"
    CLOSED = "closed"
    # A draft, or no consultation at all: there are no dates to give.
    NOT_OPEN = "not-open"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    # "You can comment until 23:59 on 23 February 2027"; the page adds the full stop or link.
    sentence: str
    # The moment the sentence names, for a <time> element; None when it names none.
    moment: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.kind == NoticeKind.OPEN


def notice_for(consultation: Consultation | None, now: datetime | None = None) -> Notice:
    now = now or datetime.now(UTC)
    if (
        consultation is None
        or consultation.status != ConsultationStatus.SCHEDULED
        or consultation.opens_at is None
        or consultation.closes_at is None
    ):
        return Notice(NoticeKind.NOT_OPEN, "Commenting has not opened yet")
    if now < consultation.opens_at:
        return Notice(
            NoticeKind.UPCOMING,
            f"This consultation opens on {uk_date_at_time(consultation.opens_at)}",
            consultation.opens_at,
        )
    last_minute = last_open_moment(consultation.closes_at)
    if now < consultation.closes_at:
        return Notice(NoticeKind.OPEN, f"You can comment until {uk_time_on_date(last_minute)}", last_minute)
    return Notice(
        NoticeKind.CLOSED, f"This consultation closed on {uk_date_at_time(last_minute)}", last_minute
    )
