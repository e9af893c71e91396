"""The "About you" answers as totals: the only way staff see them, on the figures page and as files.

Any count from 1 to 4 is shown as "fewer than 5"; a 0 says that nobody chose that answer, which
tells no one anything about a person, and shown as "fewer than 5" it would hide nearly every
total, as some answer usually has nobody. So that a suppressed count cannot
be worked out by taking the others from a total, a question's total is shown only when none
of its counts was suppressed; otherwise the total is withheld too. No grand total of people
who answered is shown at all: with it, any question's unanswered count would give a withheld
total away. Areas given by fewer than 5 people are not named: they are counted together in one
row, itself suppressed when under 5.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import EqualityAnswer
from feedback_portal.services.csv_files import stream_csv
from feedback_portal.services.xlsx_files import stream_xlsx
from feedback_portal.uk_time import in_uk
from feedback_portal.vocabulary import (
    AREA_QUESTION,
    EQUALITY_QUESTIONS,
    FEWER_THAN_5,
    OTHER_AREAS_LABEL,
)

SMALLEST_SHOWN = 5
TOTAL_LABEL = "Total who answered"
TOTAL_WITHHELD = "Not shown, so that a group of fewer than 5 cannot be worked out"
AREA_KEY = "area"
# (heading, width in characters) of the totals file.
COLUMNS = [("Question", 60), ("Answer", 50), ("Number of people", 20)]
SHEET_NAME = "About you"


@dataclass(frozen=True)
class AnswerCount:
    answer: str
    count: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < SMALLEST_SHOWN

    @property
    def shown(self) -> str:
        return FEWER_THAN_5 if self.suppressed else str(self.count)


@dataclass(frozen=True)
class QuestionTotals:
    key: str
    question: str
    answers: tuple[AnswerCount, ...]

    @property
    def total_shown(self) -> str:
        if any(answer.suppressed for answer in self.answers):
            return TOTAL_WITHHELD
        return str(sum(answer.count for answer in self.answers))


def _counts(column: Any) -> Counter[str]:
    rows = db.session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column)).all()
    return Counter({value: count for value, count in rows})


def _area_totals() -> QuestionTotals:
    # Typed by hand: the same area counts as one however its letters were typed.
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for area, count in _counts(EqualityAnswer.area).items():
        key = area.casefold()
        counts[key] += count
        spelling.setdefault(key, area)
    named = sorted(
        (AnswerCount(spelling[key], count) for key, count in counts.items() if count >= SMALLEST_SHOWN),
        key=lambda answer: (-answer.count, answer.answer.casefold()),
    )
    others = sum(count for count in counts.values() if count < SMALLEST_SHOWN)
    rows = [*named, AnswerCount(OTHER_AREAS_LABEL, others)] if others else named
    return QuestionTotals(AREA_KEY, AREA_QUESTION, tuple(rows))


def equality_totals() -> list[QuestionTotals]:
    """Every question's answers as counts, in the order the form asks them."""
    totals = []
    for question in EQUALITY_QUESTIONS:
        counts = _counts(getattr(EqualityAnswer, question.key))
        totals.append(
            QuestionTotals(
                question.key,
                question.question,
                tuple(AnswerCount(label, counts.get(code, 0)) for code, label in question.choices.items()),
            )
        )
    totals.append(_area_totals())
    return totals


def has_answers() -> bool:
    return db.session.scalar(select(func.count()).select_from(EqualityAnswer)) != 0


def _file_rows(totals: Sequence[QuestionTotals]) -> Iterator[list[str]]:
    for question in totals:
        for answer in question.answers:
            yield [question.question, answer.answer, answer.shown]
        yield [question.question, TOTAL_LABEL, question.total_shown]


def totals_filename(file_format: str, now: datetime | None = None) -> str:
    return f"about-you-totals-{in_uk(now or datetime.now(UTC)):%Y-%m-%d}.{file_format}"


def stream_totals(file_format: str) -> Iterator[Any]:
    """The totals as a CSV file or an all-text workbook; counts under 5 read "fewer than 5"."""
    rows = _file_rows(equality_totals())
    headings = [heading for heading, _width in COLUMNS]
    if file_format == "xlsx":
        yield from stream_xlsx(headings, [width for _heading, width in COLUMNS], rows, sheet_name=SHEET_NAME)
    else:
        yield from stream_csv(headings, rows)
