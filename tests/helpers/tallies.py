"""The comment tallies the database keeps, and the same counts made here from the comments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection


def kept_tallies(connection: Connection) -> dict[str, Counter]:
    """The tallies, without the kinds that have come down to 0."""
    kinds = connection.execute(
        text(
            "SELECT consultation_id, section_id, practice_item_id, state, reaction, channel, comments "
            "FROM comment_tally WHERE comments <> 0"
        )
    )
    hours = connection.execute(
        text("SELECT consultation_id, hour, state, comments FROM comment_hour_tally WHERE comments <> 0")
    )
    return {
        "kinds": Counter({tuple(row[:-1]): row[-1] for row in kinds}),
        "hours": Counter({tuple(row[:-1]): row[-1] for row in hours}),
    }


def recounted_tallies(connection: Connection) -> dict[str, Counter]:
    """What the tallies should say: every comment counted, here, now."""
    kinds: Counter = Counter()
    hours: Counter = Counter()
    for consultation, section, item, state, reaction, channel, created_at in connection.execute(
        text(
            "SELECT consultation_id, section_id, practice_item_id, state, reaction, channel, created_at "
            "FROM comment"
        )
    ):
        kinds[(consultation, section or 0, item or 0, state, reaction or "", channel)] += 1
        hours[(consultation, _utc_hour(created_at), state)] += 1
    return {"kinds": kinds, "hours": hours}


def _utc_hour(created_at: datetime | str) -> str:
    if isinstance(created_at, str):  # SQLite's text form, in UTC
        created_at = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
    return created_at.astimezone(UTC).strftime("%Y-%m-%d %H")
