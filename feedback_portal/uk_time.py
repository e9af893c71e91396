"""The database stores UTC; people in the council and the public read UK time (Europe/London).

One home for turning one into the other, so that a day starts and ends at midnight UK time
everywhere: date filters, the dates and times on pages, and the times in emails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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


class NoSuchUKTime(ValueError):
    """A clock time the UK skips: the hour the clocks go forward in March."""


def uk_moment(day: date, clock: time) -> datetime:
    """The UTC moment of a UK date and clock time. In the hour repeated in October, the first."""
    local = datetime.combine(day, clock, tzinfo=UK)
    moment = local.astimezone(UTC)
    if moment.astimezone(UK).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NoSuchUKTime(f"{clock:%H:%M} does not happen in the UK on {day}: the clocks go forward")
    return moment


def end_of_uk_minute(day: date, clock: time) -> datetime:
    """The first moment after the UK minute `clock` on `day`: "until 23:59" ends at midnight."""
    return uk_moment(day, clock) + timedelta(minutes=1)


def last_open_moment(first_closed: datetime) -> datetime:
    """The UK moment just before `first_closed`: the minute shown as "until 23:59"."""
    return in_uk(first_closed - timedelta(microseconds=1))


def uk_clock(moment: datetime) -> str:
    """'23:59': the UK time of day of a moment."""
    return f"{in_uk(moment):%H:%M}"


def uk_time_on_date(moment: datetime) -> str:
    """'23:59 on 23 February 2027': a UK clock time and the day it falls on."""
    local = in_uk(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def uk_date_at_time(moment: datetime) -> str:
    """'1 March 2027 at 09:00': a UK day and the clock time on it."""
    local = in_uk(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def open_until(first_closed: datetime) -> str:
    """'23:59 on 23 February 2027': the last minute open, for a closes_at."""
    return uk_time_on_date(last_open_moment(first_closed))
