"""Streaming an export: the CSV file or workbook, read from the database in keyset batches.

The file streams: rows are read from the database in batches of `BATCH_SIZE` by keyset
(`id > last id seen`), as plain Core rows, and written as they come, so an export of a
million comments uses the same memory as one of ten. A CSV file's first bytes leave at
once and nothing is written to disk; a workbook is built in a temporary directory first
(xlsx_files.py), which goes with it. A killed export leaves no file and, as it only reads,
leaves the database as it was.

Keyset batches rather than one long server-side cursor: on SQLite a statement that stays
open holds a read lock that makes every comment submitted meanwhile wait and fail, while a
batch finishes in milliseconds. On PostgreSQL the batches run in one REPEATABLE READ,
read-only transaction, so they all see the database as it was when the export began.

Every export is in the audit log with who made it, the profile, the filters and the row
count. The rows are counted first, in the same snapshot the rows are then read from (on
SQLite, where each statement has its own snapshot, the export stops at the newest
comment there was when counting, so only a comment changing state meanwhile could make
the two differ), and the entry is committed before the first row is sent: an export that
is stopped half way is still on the log, and no personal data leaves unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Select, func, select, type_coerce

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentState,
    Reaction,
    Report,
    StaffUser,
)
from feedback_portal.permissions import Capability, may
from feedback_portal.services import audit, date_range, moderation
from feedback_portal.services.comment_filters import EVERY_FEEDBACK_STATE, apply_comment_filters, like_pattern
from feedback_portal.services.csv_files import stream_csv
from feedback_portal.services.exceptions import DomainError
from feedback_portal.services.export.profiles import (
    OPEN_DATA,
    OPEN_PROFILE,
    PROFILES,
    XLSX,
    ExportFilters,
    ExportRequest,
)
from feedback_portal.services.export.rows import (
    Labels,
    open_columns,
    public_text,
    themes_by_comment,
)
from feedback_portal.services.export.rows import open_rows as _open_rows
from feedback_portal.services.xlsx_files import stream_xlsx
from feedback_portal.vocabulary import REJECTION_REASONS

# The package's name, as before it was split: log configuration and tests refer to it.
logger = logging.getLogger(__package__)

EXPORT_ACTION = "export.csv"
REFUSED_ACTION = "export.refused"
# Rows read from the database at a time: large enough to stream fast, small enough that
# memory does not depend on the size of the export.
BATCH_SIZE = 1000
# A withdrawn comment has left every export, as its author was promised.
EXPORTABLE_STATES = [state.value for state in CommentState if state not in (CommentState.WITHDRAWN,)]
REACTIONS = [reaction.value for reaction in Reaction]
# Where open_rows puts a comment's themes, as a list.
OPEN_THEMES = [column.heading for column in OPEN_PROFILE.columns].index("Themes")


class ContactDetailsNotAllowed(DomainError):
    """Someone whose role does not allow it asked for names and email addresses."""


def check_filters(filters: ExportFilters) -> list[str]:
    """What is wrong with filters typed on the command line (the web form checks its own)."""
    problems = []
    choices = moderation.list_filter_choices()
    if filters.state is not None and filters.state not in EXPORTABLE_STATES:
        problems.append(f"There is no state {filters.state!r}. Use one of: {', '.join(EXPORTABLE_STATES)}")
    sections = [moderation.WHOLE_DOCUMENT, *(slug for slug, _ in choices.sections)]
    if filters.section is not None and filters.section not in sections:
        problems.append(f"There is no section {filters.section!r}. Use one of: {', '.join(sections)}")
    items = [key for key, _ in choices.items]
    if filters.item is not None and filters.item not in items:
        problems.append(f"There is no practice example {filters.item!r}. Use one of: {', '.join(items)}")
    if filters.reaction is not None and filters.reaction not in REACTIONS:
        problems.append(f"There is no answer {filters.reaction!r}. Use one of: {', '.join(REACTIONS)}")
    if filters.tag is not None and filters.tag not in choices.tags:
        problems.append(f"There is no theme {filters.tag!r}")
    for name, day in (("The ‘from’ date", filters.created_from), ("The ‘to’ date", filters.created_to)):
        if day is not None and not date_range.is_in_range(day):
            problems.append(date_range.out_of_range_message(name))
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        problems.append("The ‘to’ date must be the same as or after the ‘from’ date")
    return problems


# Refusals ---------------------------------------------------------------------------------------


def refuse_contact_details(actor: StaffUser, profile: str | None) -> None:
    """Log and record someone asking for contact details their role does not allow.

    The log line and the audit entry say who and what, never whose details were asked for.
    """
    logger.warning(
        "Export refused: staff user %s (%s) asked for contact details, which their role does not allow",
        actor.id,
        actor.role,
    )
    audit.record(
        REFUSED_ACTION,
        actor,
        details={
            "profile": profile if profile in PROFILES else "unknown",
            "reason": "contact details are not allowed for this role",
            "role": actor.role,
        },
    )
    db.session.commit()


# The file ---------------------------------------------------------------------------------------


def _filtered(query: Select, request: ExportRequest, by_id_only: bool = False) -> Select:
    """`query` with the request's filters.

    `by_id_only` for SQLite, whose planner would otherwise read a batch through the index on
    state: as nearly every comment matches the state, each batch would then read and sort
    every comment of the export, so that an export took time with the square of its size.
    Written so that no index can use it (`state || ''`), the state is checked on the rows
    the batch reads in the order of their ids, and each comment is read once in all.
    """
    filters = request.filters
    state = CommentState.PUBLISHED if request.profile == OPEN_DATA else filters.state
    if state == EVERY_FEEDBACK_STATE:
        return _text_filtered(apply_comment_filters(query, replace(filters, state=state)), request)
    query = apply_comment_filters(query, replace(filters, state=None))
    state_column = (Comment.state + "") if by_id_only else Comment.state
    if state is None:
        query = query.where(state_column.in_(EXPORTABLE_STATES))
    else:
        query = query.where(state_column == state)
    return _text_filtered(query, request)


def _text_filtered(query: Select, request: ExportRequest) -> Select:
    filters = request.filters
    if request.profile == OPEN_DATA and filters.text:
        # The queue also searches the original of a redacted comment; open data must not
        # be chosen by words the public cannot see.
        query = query.where(public_text().ilike(like_pattern(filters.text), escape="\\"))
    return query


def _selected_columns(request: ExportRequest) -> list[Any]:
    if request.profile == OPEN_DATA:
        return open_columns()
    columns = [
        Comment.id,
        Comment.reference,
        _plain_moment(Comment.created_at),
        Comment.received_at,
        Comment.channel,
        _plain_moment(Comment.published_at),
        Comment.document_version_id,
        Comment.section_id,
        Comment.practice_item_id,
        Comment.reaction,
        Comment.state,
        Comment.body,
        Comment.public_body,
        Comment.rejection_reason,
        Comment.wants_updates,
        Comment.wants_involvement,
    ]
    if request.contact_details:
        # Last, where _internal_rows expects them.
        columns += [Comment.author_name, Comment.author_email]
    return columns


def _plain_moment(column: Any) -> Any:
    """A moment column read as the driver gives it, without UTCDateTime's step for each value:
    _internal_rows takes a naive one (SQLite) as UTC and converts an aware one, as it does."""
    return type_coerce(column, DateTime(timezone=True)).label(column.key)


def _tags_and_reports(
    connection: Connection, first_id: int, last_id: int
) -> tuple[dict[int, list[str]], dict[int, int]]:
    """The themes and report counts of one batch: two small queries per batch, not per row.

    By the batch's range of ids rather than a list of them: the ranges of successive
    batches do not overlap, so an export reads each theme and report once, and the
    queries stay the same size (a list of a thousand ids costs more to send than to run).
    """
    tags = themes_by_comment(connection, first_id, last_id)
    reports = dict(
        connection.execute(
            select(Report.comment_id, func.count(Report.id))
            .where(Report.comment_id.between(first_id, last_id))
            .group_by(Report.comment_id)
        ).all()
    )
    return tags, reports


# What the portal writes for a yes-or-no column (None, never stored, as an empty cell).
YES_NO: dict[bool | None, str] = {True: "yes", False: "no", None: ""}


def _internal_rows(connection: Connection, batch: Sequence[Any], labels: Labels) -> Iterator[list[Any]]:
    """The internal rows of one batch, as the text of each cell (None for an empty one).

    Made as text here, where each value's type is known, rather than by testing the type of
    every cell on the way out: with a million rows, every step a cell takes counts.
    """
    tags, reports = _tags_and_reports(connection, batch[0].id, batch[-1].id)
    report_cells = {comment_id: str(count) for comment_id, count in reports.items()}
    reasons = REJECTION_REASONS
    sections, items, versions = labels.section_cells, labels.items, labels.version_cells
    yes_no = YES_NO
    # Unpacked by position (the order of _selected_columns): the fastest way to read a row.
    for (
        comment_id,
        reference,
        created_at,
        received_at,
        channel,
        published_at,
        version_id,
        section_id,
        item_id,
        reaction,
        state,
        body,
        public_body,
        rejection_reason,
        wants_updates,
        wants_involvement,
        *contact,
    ) in batch:
        # In UTC, the first 19 characters of isoformat are rows.moment's text.
        if created_at.tzinfo is not None:
            created_at = created_at.astimezone(UTC)
        received = created_at.isoformat(" ", "seconds")[:19]
        if published_at is not None:
            if published_at.tzinfo is not None:
                published_at = published_at.astimezone(UTC)
            published = published_at.isoformat(" ", "seconds")[:19]
        else:
            published = None
        redacted = public_body is not None
        yield [
            reference,
            received,
            received_at.isoformat() if received_at else received[:10],
            channel,
            published,
            versions.get(version_id),
            sections.get(section_id, ""),
            items.get(item_id),
            reaction,
            state,
            public_body if redacted else body,
            "yes" if redacted else "no",
            body if redacted else None,
            reasons.get(rejection_reason, rejection_reason),
            "; ".join(tags[comment_id]) if comment_id in tags else None,
            report_cells.get(comment_id, "0"),
            *contact,
            yes_no[wants_updates],
            yes_no[wants_involvement],
        ]


def _open_rows_as_text(connection: Connection, batch: Sequence[Any], labels: Labels) -> Iterator[list[Any]]:
    """The open data rows of one batch with their themes in one cell, as the files show them."""
    themes = OPEN_THEMES
    for row in _open_rows(connection, batch, labels):
        row[themes] = "; ".join(row[themes])
        yield row


def stream_export(
    request: ExportRequest,
    actor_id: int | None,
    via: str = "web",
    system_user: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """The whole file, CSV or workbook, a few kilobytes at a time, recording the export as it starts.

    Lazy: nothing is read or recorded until the first chunk is asked for, so every query
    runs inside the generator, in the streaming request's context (see architecture.md).
    `actor_id` is the staff member exporting, or None for the command line, where
    `system_user` says who ran it. `on_start` is told the row count before the first row,
    `on_rows` how many rows were read after each batch: for a progress bar.
    """
    if request.contact_details and actor_id is not None:
        actor = db.session.get(StaffUser, actor_id)
        if actor is None or not may(actor.role, Capability.SEE_CONTACT_DETAILS):
            raise ContactDetailsNotAllowed("Only admins and analysts can export contact details")
    columns = request.columns
    header = [column.heading for column in columns]
    # The rows' cells are text already: the workbook writes them as they are, and the CSV
    # file guards only the columns that can hold what someone typed.
    rows = _rows(request, actor_id, via, system_user, on_start, on_rows, now)
    if request.file_format == XLSX:
        return stream_xlsx(header, [column.width for column in columns], rows, cells_are_text=True)
    text_columns = [number for number, column in enumerate(columns) if column.text]
    return _encoded(stream_csv(header, rows, text_columns=text_columns))


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def _rows(
    request: ExportRequest,
    actor_id: int | None,
    via: str,
    system_user: str | None,
    on_start: Callable[[int], None] | None,
    on_rows: Callable[[int], None] | None,
    now: datetime | None,
) -> Iterator[list[Any]]:
    # A connection of its own, so that the audit entry can be committed through the
    # session while this one's snapshot stays open; closing it (at the end, or when the
    # person goes away and the generator is closed) ends its read-only transaction.
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        row_count, newest_id = connection.execute(
            _filtered(select(func.count(Comment.id), func.max(Comment.id)).select_from(Comment), request)
        ).one()
        _record_export(request, actor_id, via, system_user, row_count, now)
        if on_start:
            on_start(row_count)
        if not row_count:
            return
        labels = Labels.load(connection)
        query = _filtered(
            select(*_selected_columns(request)).select_from(Comment),
            request,
            by_id_only=connection.dialect.name == "sqlite",
        )
        rows_of = _open_rows_as_text if request.profile == OPEN_DATA else _internal_rows
        last_id = 0
        while True:
            batch = connection.execute(
                query.where(Comment.id > last_id, Comment.id <= newest_id)
                .order_by(Comment.id)
                .limit(BATCH_SIZE)
            ).all()
            if not batch:
                return
            yield from rows_of(connection, batch, labels)
            if on_rows:
                on_rows(len(batch))
            if len(batch) < BATCH_SIZE:
                return
            last_id = batch[-1].id


def _record_export(
    request: ExportRequest,
    actor_id: int | None,
    via: str,
    system_user: str | None,
    row_count: int,
    now: datetime | None,
) -> None:
    details: dict[str, Any] = {
        "profile": request.profile,
        "format": request.file_format,
        "contact_details": request.contact_details,
        "filters": request.filters.describe(),
        "row_count": row_count,
        "via": via,
    }
    if system_user:
        details["system_user"] = system_user
    actor = db.session.get(StaffUser, actor_id) if actor_id is not None else None
    audit.record(EXPORT_ACTION, actor, details=details, now=now)
    db.session.commit()
