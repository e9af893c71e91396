"""The open data at /open-data: every published comment as one CSV file, and as JSON in pages.

Both files hold OPEN_PROFILE's columns, made by export.rows.open_rows, as the staff open
data export does: the published (redacted) text, never the original, no names, no email
addresses, and only comments in the published state. They are read in keyset batches in the
order of (created_at, id), which the index on (state, created_at, id) answers directly, so a
deep page is as quick as the first and a comment published later never shifts one.

Each file has an ETag: a digest of everything that can change what it holds, read in the same
snapshot as its rows (on PostgreSQL one REPEATABLE READ, read-only transaction): the newest
comment's id (a comment published as it was sent, in post-moderation, is in no audit entry),
the newest audit entry that could touch a comment (every publish, hide, redaction, withdrawal,
theme and response is one), the published responses, and the names of sections, examples and
themes (so a renamed or merged theme shows even if nothing audited it). Sign-ins and exports
do not count: they change nothing in the files. Each part is read from a primary key or a
small table, so a 304 costs the same at a million comments as at ten. A new comment waiting
for moderation changes the ETag too: a wasted download now and then, never a stale file.
On SQLite, where each statement has its own snapshot, a comment published while a file is
read may be in it under the ETag of before: the next request gets the new ETag all the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import Connection, func, not_, or_, select

from feedback_portal import links
from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, Comment, CommentResponse, CommentState, ResponseState, Tag
from feedback_portal.services.comment_filters import current_consultation_id
from feedback_portal.services.consultations import get_consultation
from feedback_portal.services.csv_files import CHUNK_SIZE, stream_csv
from feedback_portal.services.exceptions import InvalidPageLink
from feedback_portal.services.export import OPEN_PROFILE, Labels, open_columns, open_rows
from feedback_portal.services.paging import after_key, decode_cursor, encode_cursor

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# Rows read at a time for the CSV file: as the staff export.
BATCH_SIZE = 1000
JSON_ENDPOINT = "public.list_open_data_comments"
# Changed whenever the files' shape changes without a change of OPEN_PROFILE, so that an
# old copy is not taken for the new.
FILE_FORMAT_VERSION = "1"
# Audit entries that never change a published comment, its response or its themes.
UNRELATED_ACTIONS = ("sign_in.", "totp.", "account.", "password", "export.", "audit_log.")
_CURSOR_SALT = "open-data-cursor"


@dataclass(frozen=True)
class DataFile:
    """A file to send: its validator, and its bytes, made as they are read.

    `chunks` holds a database connection until it is read to the end or closed.
    """

    etag: str
    chunks: Iterator[bytes]

    def close(self) -> None:
        cast(Any, self.chunks).close()


def column_keys() -> list[str]:
    return [column.key for column in OPEN_PROFILE.columns]


def open_csv_file(consultation_id: int | None = None) -> DataFile:
    """Every published comment of the consultation (the current one unless named), oldest first,
    as CSV."""
    scope = _scope(consultation_id)

    def chunks(connection: Connection, labels: Labels) -> Iterator[bytes]:
        return _csv_chunks(connection, labels, scope)

    return _open(f"csv {scope}", chunks)


def open_json_page(after: str | None, limit: str | None, consultation_id: int | None = None) -> DataFile:
    """One page of the consultation's published comments (the current one's unless named) as JSON,
    after the cursor `after`, `limit` rows long.

    Raises InvalidPageLink when the cursor was changed or the limit is not 1 to MAX_PAGE_SIZE.
    """
    size = _page_size(limit)
    start = _read_cursor(after) if after is not None else None
    scope = _scope(consultation_id)

    def chunks(connection: Connection, labels: Labels) -> Iterator[bytes]:
        return _json_chunks(connection, labels, start, size, scope, named=consultation_id)

    return _open(f"json {after} {size} {scope}", chunks)


def _scope(consultation_id: int | None) -> int | None:
    """The consultation whose comments a file holds: the one named (it must exist), else the
    current one; None before there is any."""
    if consultation_id is not None:
        return get_consultation(consultation_id).id
    return current_consultation_id()


def _open(representation: str, make: Any) -> DataFile:
    generator = _generate(representation, make)
    # The first item is the ETag; reading it now runs the version's queries in the view.
    etag = cast(str, next(generator))
    return DataFile(etag=etag, chunks=cast(Iterator[bytes], generator))


def _generate(representation: str, make: Any) -> Iterator[str | bytes]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        labels = Labels.load(connection)
        yield _data_version(connection, labels, representation)
        yield from make(connection, labels)


def _data_version(connection: Connection, labels: Labels, representation: str) -> str:
    # The newest comment in any state: read from the primary key alone, where a count of the
    # published ones reads the whole index. It moves on every new comment, published or not.
    newest_comment = connection.execute(select(func.max(Comment.id))).scalar()
    responses = connection.execute(
        select(func.count(CommentResponse.id), func.max(CommentResponse.updated_at)).where(
            CommentResponse.state == ResponseState.PUBLISHED
        )
    ).one()
    # Newest first by primary key, stopping at the first match: no scan of the whole log.
    last_change = connection.execute(
        select(AuditEntry.id)
        .where(not_(or_(*(AuditEntry.action.startswith(prefix) for prefix in UNRELATED_ACTIONS))))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar()
    themes = connection.execute(select(Tag.id, Tag.name).order_by(Tag.id)).all()
    parts = [
        FILE_FORMAT_VERSION,
        representation,
        [(column.heading, column.description) for column in OPEN_PROFILE.columns],
        newest_comment,
        tuple(responses),
        last_change,
        sorted(labels.sections.items()),
        sorted(labels.items.items()),
        [tuple(theme) for theme in themes],
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _published_after(
    connection: Connection, start: tuple[datetime, int] | None, size: int, scope: int | None
) -> Sequence[Any]:
    query = select(*open_columns()).where(Comment.state == CommentState.PUBLISHED)
    if scope is not None:
        query = query.where(Comment.consultation_id == scope)
    if start is not None:
        query = query.where(after_key(Comment.created_at, Comment.id, *start, descending=False))
    return connection.execute(query.order_by(Comment.created_at, Comment.id).limit(size)).all()


def _csv_chunks(connection: Connection, labels: Labels, scope: int | None) -> Iterator[bytes]:
    header = [column.heading for column in OPEN_PROFILE.columns]
    for chunk in stream_csv(header, _every_row(connection, labels, scope)):
        yield chunk.encode("utf-8")


def _every_row(connection: Connection, labels: Labels, scope: int | None) -> Iterator[list[Any]]:
    start = None
    while True:
        batch = _published_after(connection, start, BATCH_SIZE, scope)
        yield from open_rows(connection, batch, labels)
        if len(batch) < BATCH_SIZE:
            return
        start = (batch[-1].created_at, batch[-1].id)


def _json_chunks(
    connection: Connection,
    labels: Labels,
    start: tuple[datetime, int] | None,
    size: int,
    scope: int | None,
    named: int | None,
) -> Iterator[bytes]:
    # One row more than the page: whether it comes says whether there is a next page.
    rows = _published_after(connection, start, size + 1, scope)
    page = rows[:size]
    keys = column_keys()
    buffer, waiting = ['{"data": ['], 0
    for number, row in enumerate(open_rows(connection, page, labels)):
        text = ("," if number else "") + json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False)
        buffer.append(text)
        waiting += len(text)
        if waiting >= CHUNK_SIZE:
            yield "".join(buffer).encode("utf-8")
            buffer, waiting = [], 0
    next_link = _page_link(page[-1].created_at, page[-1].id, size, named) if len(rows) > size else None
    buffer.append('], "links": {"next": ' + json.dumps(next_link) + "}}")
    yield "".join(buffer).encode("utf-8")


def _page_link(created_at: datetime, comment_id: int, size: int, consultation_id: int | None) -> str:
    """The next page, of the same consultation (named only when the first page named it)."""
    cursor = _signer().sign(encode_cursor(created_at, comment_id)).decode("ascii")
    return links.public_url(
        JSON_ENDPOINT,
        after=cursor,
        limit=None if size == PAGE_SIZE else size,
        consultation=consultation_id,
    )


def _read_cursor(text: str) -> tuple[datetime, int]:
    try:
        cursor = decode_cursor(_signer().unsign(text).decode("ascii"))
    except (BadSignature, UnicodeError):
        cursor = None
    if cursor is None:
        raise InvalidPageLink(
            "The ‘after’ value is not one of our page links. Start again from the first page."
        )
    return cursor


def _page_size(limit: str | None) -> int:
    if limit is None:
        return PAGE_SIZE
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_PAGE_SIZE:
        raise InvalidPageLink(f"The ‘limit’ must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    return int(limit)


def _signer() -> Signer:
    # Signed so that a page link cannot be edited into a query we did not make.
    return Signer(current_app.config["SECRET_KEY"], salt=_CURSOR_SALT)
