"""The comment tallies the database keeps, and the same counts made here from the comments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from feedback_portal.extensions import db
from feedback_portal.services.comment_tallies import recount_comment_tallies


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


@contextmanager
def tallies_counted_after_a_bulk_load() -> Iterator[None]:
    """Around a bulk insert of comments in the session's transaction, which it commits: as make
    bench loads. PostgreSQL's tally trigger, run for each of thousands of rows in one transaction,
    would update the same few tally rows once per row (each a new row version, slower and
    slower); it is off while the rows go in, and the tallies are counted afresh after."""
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("ALTER TABLE comment DISABLE TRIGGER comment_tally"))
    yield
    if postgresql:
        db.session.execute(text("ALTER TABLE comment ENABLE TRIGGER comment_tally"))
    db.session.commit()
    recount_comment_tallies()
