"""The rows of an export, as values: the labels they use, their dates, and the open data row.

The open data row is made here once, for the staff open data export (CSV and workbook) and
for the public files at /open-data (CSV and JSON), so that they hold the same columns,
described once in profiles.OPEN_PROFILE. A batch's themes and published responses are
read with two small queries per batch, by the batch's range of ids, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, func, select

from feedback_portal.models import (
    Comment,
    CommentResponse,
    DocumentVersion,
    PracticeItem,
    ResponseState,
    Section,
    Tag,
    comment_tag,
)

WHOLE_DOCUMENT_LABEL = "The whole document"


@dataclass(frozen=True)
class Labels:
    """Headings of sections, texts of examples and numbers of versions, by id: small tables."""

    sections: dict[int, str]
    items: dict[int, str]
    versions: dict[int, int]

    @classmethod
    def load(cls, connection: Connection) -> Labels:
        return cls(
            sections=dict(connection.execute(select(Section.id, Section.heading)).all()),
            items=dict(connection.execute(select(PracticeItem.id, PracticeItem.text)).all()),
            versions=dict(connection.execute(select(DocumentVersion.id, DocumentVersion.number)).all()),
        )

    def section(self, section_id: int | None) -> str:
        return WHOLE_DOCUMENT_LABEL if section_id is None else self.sections.get(section_id, "")

    @cached_property
    def section_cells(self) -> dict[int | None, str]:
        """The cell of each section id, the whole document's (None) included: one lookup a row."""
        cells: dict[int | None, str] = {section_id: heading for section_id, heading in self.sections.items()}
        cells[None] = WHOLE_DOCUMENT_LABEL
        return cells

    @cached_property
    def version_cells(self) -> dict[int, str]:
        """Each version's number as its cell, made once rather than once a row."""
        return {version_id: str(number) for version_id, number in self.versions.items()}


# Every moment column (UTCDateTime) reads back in UTC, so the first 19 characters of isoformat
# are the moment to the second (truncated, as before), and only a moment in another zone is
# converted: one call per moment rather than three, and a million rows hold two million.


def moment(value: datetime | None) -> str | None:
    """A moment for colleagues' spreadsheets: year-month-day hours:minutes:seconds, UTC."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "seconds")[:19]


def iso_moment(value: datetime | None) -> str | None:
    """A moment for open data: ISO 8601 in UTC, like 2026-03-14T10:15:00Z."""
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat("T", "seconds")[:19] + "Z"


def received_day(received_at: date | None, created_at: datetime) -> str:
    """The day staff said it arrived, for feedback that came another way; else the day it was sent."""
    return (received_at or created_at.astimezone(UTC).date()).isoformat()


def public_text() -> Any:
    return func.coalesce(Comment.public_body, Comment.body)


def open_columns() -> list[Any]:
    """What open data reads of a comment, in the order open_rows unpacks it.

    The original of a redacted comment, names and email addresses are never read at all.
    """
    return [
        Comment.id,
        Comment.reference,
        Comment.created_at,
        Comment.published_at,
        Comment.received_at,
        Comment.channel,
        Comment.section_id,
        Comment.practice_item_id,
        Comment.reaction,
        public_text().label("public_text"),
    ]


def themes_by_comment(connection: Connection, first_id: int, last_id: int) -> dict[int, list[str]]:
    """The themes of the comments with ids from first_id to last_id, in alphabetical order."""
    themes: dict[int, list[str]] = defaultdict(list)
    for comment_id, name in connection.execute(
        select(comment_tag.c.comment_id, Tag.name)
        .join(Tag, Tag.id == comment_tag.c.tag_id)
        .where(comment_tag.c.comment_id.between(first_id, last_id))
        .order_by(comment_tag.c.comment_id, Tag.name)
    ):
        themes[comment_id].append(name)
    return themes


def published_responses(
    connection: Connection, first_id: int, last_id: int
) -> dict[int, tuple[str, datetime | None]]:
    """The published responses (text, when) to the comments with ids from first_id to last_id.

    A draft or a withdrawn response is never read.
    """
    return {
        comment_id: (body, published_at)
        for comment_id, body, published_at in connection.execute(
            select(CommentResponse.comment_id, CommentResponse.body, CommentResponse.published_at).where(
                CommentResponse.comment_id.between(first_id, last_id),
                CommentResponse.state == ResponseState.PUBLISHED,
            )
        )
    }


def open_rows(connection: Connection, batch: Sequence[Any], labels: Labels) -> Iterator[list[Any]]:
    """The open data rows of one batch of open_columns, in OPEN_PROFILE's column order.

    Themes are a list: a CSV cell or workbook joins them, JSON keeps the list.
    """
    if not batch:
        return
    ids = [row.id for row in batch]
    first_id, last_id = min(ids), max(ids)
    themes = themes_by_comment(connection, first_id, last_id)
    responses = published_responses(connection, first_id, last_id)
    for (
        comment_id,
        reference,
        created_at,
        published_at,
        received_at,
        channel,
        section_id,
        item_id,
        reaction,
        text,
    ) in batch:
        response_text, response_published_at = responses.get(comment_id, (None, None))
        yield [
            reference,
            iso_moment(published_at),
            received_day(received_at, created_at),
            channel,
            labels.section(section_id),
            labels.items.get(item_id) if item_id else None,
            reaction,
            text,
            themes.get(comment_id, []),
            response_text,
            iso_moment(response_published_at),
        ]
