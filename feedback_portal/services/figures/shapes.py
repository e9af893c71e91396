"""What a figure is: its series, its rows of counts, and the small words shared by its descriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feedback_portal.models import CommentState
from feedback_portal.vocabulary import CHANNEL_LABELS, REACTION_LABELS, STATE_LABELS

WHOLE_DOCUMENT = "document"
WHOLE_DOCUMENT_LABEL = "The whole document"
NO_ANSWER = "none"
SHORT_LABEL_LENGTH = 40
# Withdrawn comments have left the portal's figures as they left every page.
STATE_SERIES = tuple(
    (state.value, label) for state, label in STATE_LABELS.items() if state != CommentState.WITHDRAWN
)
REACTION_SERIES = (
    *((reaction.value, label) for reaction, label in REACTION_LABELS.items()),
    (NO_ANSWER, "Not answered"),
)

CHANNEL_SERIES = tuple((channel.value, label) for channel, label in CHANNEL_LABELS.items())


@dataclass(frozen=True)
class Series:
    key: str
    label: str


@dataclass(frozen=True)
class FigureRow:
    key: str
    # In the table and the CSV file.
    label: str
    # On the chart, where space is short.
    short_label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    description: str
    # The heading of the first column of the table: what each row is.
    row_heading: str
    series: tuple[Series, ...]
    rows: tuple[FigureRow, ...]
    # "bars": a horizontal bar per row, stacked by series; "columns": one column per row, in order.
    kind: str = "bars"
    # Of the counts, how many are answers given on their own, without a comment.
    answers_alone: int = 0

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[index] for row in self.rows) for index in range(len(self.series)))

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def csv_filename(self) -> str:
        return f"{self.name}.csv"


def shortened(text: str, length: int = SHORT_LABEL_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def in_words(series: Iterable[Series], counts: Iterable[int]) -> str:
    return ", ".join(f"{count:,} {item.label.lower()}" for item, count in zip(series, counts, strict=True))


def busiest_row(rows: tuple[FigureRow, ...]) -> FigureRow | None:
    busiest = max(rows, key=lambda row: row.total, default=None)
    return busiest if busiest is not None and busiest.total else None
