"""Keyset pagination: an opaque cursor for a page link, and the condition that starts a page there.

A page ends at a row's (moment, id). The next page is the rows after that key in the list's
order, found from the index on those two columns, so page 1,000 is as quick as page 1 and a
new row never shifts a page under the person reading it. No OFFSET anywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, tuple_

from feedback_portal.models import LARGEST_ID

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Microseconds since 1970 and an id: at most 18 digits each, so they always fit in 64 bits.
_CURSOR = re.compile(r"^(-?\d{1,18})\.(\d{1,18})$")


def encode_cursor(moment: datetime, key: int) -> str:
    """The text for a page link that starts after the row at (moment, key)."""
    delta = moment - _EPOCH
    microseconds = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{microseconds}.{key}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The (moment, key) in a page link, or None when it is missing or not one of ours."""
    match = _CURSOR.match(text or "")
    if match is None:
        return None
    try:
        moment = _EPOCH + timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        return None
    key = int(match.group(2))
    return (moment, key) if key <= LARGEST_ID else None


def after_key(
    moment_column: Any, key_column: Any, moment: datetime, key: int, *, descending: bool
) -> ColumnElement[bool]:
    """Rows that come after (moment, key) in the list's order, newest first when `descending`.

    A row comparison, which the databases answer from the (moment, id) index. The right-hand
    side is a plain tuple so that it takes its types from the columns: the moment is bound
    as those columns store it.
    """
    position = tuple_(moment_column, key_column)
    if descending:
        return position < (moment, key)
    return position > (moment, key)
