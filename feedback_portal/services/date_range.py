"""The dates a filter may name: wide enough for any real question, narrow enough for arithmetic.

A filter "to" a day means before the start of the next day, and 9999-12-31 has no next day:
it overflowed in the queue (a 500) and cut an export off after its header. Every date that
comes from a URL, a form or the command line is checked against this range first.
"""

from __future__ import annotations

from datetime import date

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def is_in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def out_of_range_message(name: str) -> str:
    """What to tell someone whose date is outside the range; `name` says which date, capitalised."""
    return f"{name} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
