"""Reading the audit log: filtered pages for admins, and the whole of it as CSV.

Only reads. Entries are written by `services.audit.record`, and nothing changes or
deletes one (the database refuses to). Pages use keyset pagination on (occurred_at, id),
newest first, so that page 1,000 is as quick as page 1 and a new entry never shifts a
page under the person reading it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, StaffUser
from feedback_portal.services import paging
from feedback_portal.services.audit.record import record
from feedback_portal.services.csv_files import stream_csv
from feedback_portal.uk_time import start_of_uk_day

PAGE_SIZE = 50
# The actor filter's value for entries made by nobody signed in, such as failed sign-ins.
NOBODY = "none"
EXPORT_ACTION = "audit_log.export"
CSV_HEADER = [
    "When (UTC)",
    "Entry",
    "Who",
    "Action",
    "Record type",
    "Record ID",
    "Before",
    "After",
    "Details",
]
# Rows fetched from the database at a time while exporting.
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class AuditFilters:
    """What an admin narrowed the log to. Dates are whole days in UTC, both included."""

    action: str | None = None
    actor_id: int | None = None
    # Only entries made by nobody signed in (actor_id is then ignored).
    nobody: bool = False
    record_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def query_args(self) -> dict[str, str]:
        """The filters as they appear in the page's address, for links that keep them."""
        args = {
            "action": self.action,
            "actor": NOBODY if self.nobody else (str(self.actor_id) if self.actor_id else None),
            "record_type": self.record_type,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in args.items() if value}

    def describe(self) -> dict[str, Any]:
        """The filters for the audit log itself: ids and codes, never an email address."""
        return self.query_args()


@dataclass(frozen=True)
class Cursor:
    """A position in the log, newest first: the (occurred_at, id) of an entry."""

    occurred_at: datetime
    entry_id: int

    def encode(self) -> str:
        return paging.encode_cursor(self.occurred_at, self.entry_id)

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor in a page address, or None when it is missing or not one of ours."""
        decoded = paging.decode_cursor(text)
        if decoded is None:
            return None
        occurred_at, entry_id = decoded
        return cls(occurred_at=occurred_at, entry_id=entry_id)


@dataclass(frozen=True)
class AuditRow:
    """One entry as the log page and the CSV show it."""

    id: int
    occurred_at: datetime
    actor_email: str | None
    action: str
    record_type: str | None
    record_id: int | None
    before: dict | None
    after: dict | None
    details: dict | None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.occurred_at, self.id)

    @property
    def before_text(self) -> str:
        return format_values(self.before)

    @property
    def after_text(self) -> str:
        return format_values(self.after)

    @property
    def details_text(self) -> str:
        return format_values(self.details)


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    # Where the neighbouring pages start, or None at either end of the log.
    newer: Cursor | None
    older: Cursor | None


@dataclass(frozen=True)
class FilterChoices:
    actions: list[str]
    record_types: list[str]
    actors: list[tuple[int, str]]


def format_values(values: dict[str, Any] | None) -> str:
    """A before, after or details dictionary as 'key: value; key: value' text."""
    if not values:
        return ""
    if not isinstance(values, dict):
        return _format_value(values)
    return "; ".join(f"{key}: {_format_value(value)}" for key, value in values.items())


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.nobody:
        conditions.append(AuditEntry.actor_id.is_(None))
    elif filters.actor_id is not None:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.record_type:
        conditions.append(AuditEntry.record_type == filters.record_type)
    if filters.date_from:
        conditions.append(AuditEntry.occurred_at >= start_of_uk_day(filters.date_from))
    if filters.date_to:
        conditions.append(AuditEntry.occurred_at < start_of_uk_day(filters.date_to + timedelta(days=1)))
    return conditions


def _rows_query(filters: AuditFilters) -> Select:
    return (
        select(
            AuditEntry.id,
            AuditEntry.occurred_at,
            StaffUser.email.label("actor_email"),
            AuditEntry.action,
            AuditEntry.record_type,
            AuditEntry.record_id,
            AuditEntry.before,
            AuditEntry.after,
            AuditEntry.details,
        )
        .outerjoin(StaffUser, StaffUser.id == AuditEntry.actor_id)
        .where(*_conditions(filters))
    )


_NEWEST_FIRST = (AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
_OLDEST_FIRST = (AuditEntry.occurred_at.asc(), AuditEntry.id.asc())


def _key_before(cursor: Cursor) -> ColumnElement[bool]:
    """Entries older than the cursor: the keyset condition that replaces OFFSET."""
    return paging.after_key(
        AuditEntry.occurred_at, AuditEntry.id, cursor.occurred_at, cursor.entry_id, descending=True
    )


def _key_after(cursor: Cursor) -> ColumnElement[bool]:
    """Entries newer than the cursor."""
    return paging.after_key(
        AuditEntry.occurred_at, AuditEntry.id, cursor.occurred_at, cursor.entry_id, descending=False
    )


def _to_row(row: Any) -> AuditRow:
    return AuditRow(**row._mapping)


def list_entries(
    filters: AuditFilters,
    older_than: Cursor | None = None,
    newer_than: Cursor | None = None,
    per_page: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the log, newest first: the first page, or the page after or before a cursor."""
    query = _rows_query(filters)
    if newer_than is not None and older_than is None:
        # Going back towards the newest: read oldest first from the cursor, then turn round.
        fetched = [
            _to_row(row)
            for row in db.session.execute(
                query.where(_key_after(newer_than)).order_by(*_OLDEST_FIRST).limit(per_page + 1)
            )
        ]
        rows = list(reversed(fetched[:per_page]))
        has_newer = len(fetched) > per_page
        has_older = bool(rows) and _exists(filters, _key_before(rows[-1].cursor))
    else:
        if older_than is not None:
            query = query.where(_key_before(older_than))
        fetched = [
            _to_row(row) for row in db.session.execute(query.order_by(*_NEWEST_FIRST).limit(per_page + 1))
        ]
        rows = fetched[:per_page]
        has_older = len(fetched) > per_page
        has_newer = bool(rows) and older_than is not None and _exists(filters, _key_after(rows[0].cursor))
    return AuditPage(
        rows=rows,
        newer=rows[0].cursor if has_newer else None,
        older=rows[-1].cursor if has_older else None,
    )


def _exists(filters: AuditFilters, condition: ColumnElement[bool]) -> bool:
    return (
        db.session.scalar(select(AuditEntry.id).where(*_conditions(filters), condition).limit(1)) is not None
    )


def list_filter_choices() -> FilterChoices:
    """The actions and record types that are in the log, and every staff account."""
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    record_types = db.session.scalars(
        select(AuditEntry.record_type)
        .where(AuditEntry.record_type.is_not(None))
        .distinct()
        .order_by(AuditEntry.record_type)
    )
    actors = db.session.execute(select(StaffUser.id, StaffUser.email).order_by(StaffUser.email))
    return FilterChoices(
        actions=list(actions),
        # The query leaves out rows without a record type.
        record_types=[record_type for record_type in record_types if record_type is not None],
        actors=[(actor_id, email) for actor_id, email in actors],
    )


def export_filename(now: datetime | None = None) -> str:
    return f"audit-log-{(now or datetime.now(UTC)).astimezone(UTC):%Y-%m-%d}.csv"


def _csv_row(row: AuditRow) -> list[Any]:
    return [
        row.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        row.id,
        row.actor_email,
        row.action,
        row.record_type,
        row.record_id,
        row.before_text,
        row.after_text,
        row.details_text,
    ]


def export_csv(filters: AuditFilters, actor_id: int, now: datetime | None = None) -> Iterator[str]:
    """The filtered log as CSV text, newest first, recording the export in the log itself.

    A generator: nothing runs until the response is streamed, so every query here runs
    inside the streaming request context (see architecture.md: a result made in the view
    dies when Flask-SQLAlchemy removes the view's session).

    The export is recorded, with its filters and row count, before the first row is sent
    and in its own commit, so that an export killed half way is still on the log. The rows
    are counted first and then read up to the newest entry there was when counting, so
    the count is the number of rows in the file, and the export's own entry is not in it.
    """
    newest_id = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    bounded = [*_conditions(filters), AuditEntry.id <= newest_id]
    row_count = db.session.scalar(select(func.count(AuditEntry.id)).where(*bounded))
    record(
        EXPORT_ACTION,
        db.session.get(StaffUser, actor_id),
        details={"format": "csv", "filters": filters.describe(), "row_count": row_count},
        now=now,
    )
    db.session.commit()

    result = db.session.execute(
        _rows_query(filters)
        .where(AuditEntry.id <= newest_id)
        .order_by(*_NEWEST_FIRST)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    try:
        yield from stream_csv(CSV_HEADER, (_csv_row(_to_row(row)) for row in result))
    finally:
        result.close()
