"""How a page writes a moment in UK time, worked out independently of the portal's code."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def in_uk_words(moment: datetime) -> str:
    """'2 December 2026, 14:05 GMT'."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%-d %B %Y, %H:%M %Z")
