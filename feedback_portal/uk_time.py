"""The database stores UTC; people in the council and the public read UK time (Europe/London).

One home for turning one into the other, so that a day starts and ends at midnight UK time
everywhere: date filters, the dates and times on pages, and the times in emails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def in_uk(moment: datetime) -> datetime:
    """A stored moment in UK time. A moment without a zone (SQLite gives those) is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK)


def start_of_uk_day(day: date) -> datetime:
    """The first moment of a UK day, in UTC: the day after's start is when `day` ends."""
    return datetime.combine(day, time.min, tzinfo=UK).astimezone(UTC)


def uk_date(moment: datetime) -> str:
    """'2 December 2026': the UK date of a moment."""
    local = in_uk(moment)
    return f"{local.day} {local:%B %Y}"


def uk_datetime(moment: datetime) -> str:
    """'2 December 2026, 14:05 GMT': a UK time, saying whether it is GMT or BST."""
    local = in_uk(moment)
    return f"{local.day} {local:%B %Y}, {local:%H:%M} {local.tzname()}"
