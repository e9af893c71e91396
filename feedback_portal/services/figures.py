"""Figures about the feedback: counts per section, practice example, answer and day.

Every count comes from an aggregate query (GROUP BY) over the whole table, so a figure
costs a handful of small queries however many comments there are; no comment is loaded.
Sections and examples are matched by slug and key, which stay the same across versions
of the document, so comments on an older version count with the current one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, select, true

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, PracticeItem, Section, StandaloneReaction
from feedback_portal.services import theme_figures
from feedback_portal.services.comment_filters import NOT_FEEDBACK
from feedback_portal.services.consultations import find_current_consultation
from feedback_portal.services.csv_files import stream_csv
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.sql_functions import utc_day
from feedback_portal.vocabulary import CHANNEL_LABELS, REACTION_LABELS, REACTION_QUESTION, STATE_LABELS

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


def _shortened(text: str, length: int = SHORT_LABEL_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _in_words(series: Iterable[Series], counts: Iterable[int]) -> str:
    return ", ".join(f"{count:,} {item.label.lower()}" for item, count in zip(series, counts, strict=True))


# What the rows are ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowLabel:
    key: str
    label: str
    short_label: str


def _section_rows() -> list[_RowLabel]:
    version = get_current_version()
    return [
        _RowLabel(WHOLE_DOCUMENT, WHOLE_DOCUMENT_LABEL, WHOLE_DOCUMENT_LABEL),
        *(
            _RowLabel(section.slug, section.heading, _shortened(section.heading))
            for section in version.sections
        ),
    ]


def _item_rows() -> list[_RowLabel]:
    version = get_current_version()
    rows = []
    for section in version.sections:
        # "Basic – one way" is "Basic" on the chart.
        short_heading = section.heading.split("–")[0].strip()
        for number, item in enumerate(section.items, start=1):
            rows.append(
                _RowLabel(
                    f"{section.slug}/{item.key}",
                    f"{section.heading}: {item.text}",
                    _shortened(f"{short_heading} {number}: {item.text}"),
                )
            )
    return rows


def _theme_rows() -> list[_RowLabel]:
    return [_RowLabel(key, label, _shortened(label)) for key, label in theme_figures.theme_labels()]


def _section_theme_rows() -> list[_RowLabel]:
    return [_RowLabel(key, label, _shortened(label)) for key, label in theme_figures.section_theme_labels()]


def _build_rows(
    labels: list[_RowLabel], counts: dict[str, dict[str, int]], series: tuple[Series, ...]
) -> tuple[FigureRow, ...]:
    """A row per known section or example, then any the current version no longer has."""
    known = {label.key for label in labels}
    extra = [_RowLabel(key, key, _shortened(key)) for key in sorted(counts) if key not in known]
    return tuple(
        FigureRow(
            key=label.key,
            label=label.label,
            short_label=label.short_label,
            counts=tuple(counts.get(label.key, {}).get(item.key, 0) for item in series),
        )
        for label in [*labels, *extra]
    )


def _series(pairs: tuple[tuple[str, str], ...]) -> tuple[Series, ...]:
    return tuple(Series(key, label) for key, label in pairs)


# The queries ------------------------------------------------------------------------------------


def _counts_by_section(model: Any, column: Any, condition: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for slug, value, count in db.session.execute(
        select(Section.slug, column, func.count(model.id))
        .select_from(model)
        .outerjoin(Section, Section.id == model.section_id)
        .where(condition)
        .group_by(Section.slug, column)
    ):
        counts[slug or WHOLE_DOCUMENT][value or NO_ANSWER] = count
    return counts


def _counts_by_item(model: Any, column: Any, condition: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for slug, key, value, count in db.session.execute(
        select(Section.slug, PracticeItem.key, column, func.count(model.id))
        .select_from(model)
        .join(PracticeItem, PracticeItem.id == model.practice_item_id)
        .join(Section, Section.id == PracticeItem.section_id)
        .where(condition)
        .group_by(Section.slug, PracticeItem.key, column)
    ):
        counts[f"{slug}/{key}"][value or NO_ANSWER] = count
    return counts


# The figures ------------------------------------------------------------------------------------


def _busiest(rows: tuple[FigureRow, ...]) -> FigureRow | None:
    busiest = max(rows, key=lambda row: row.total, default=None)
    return busiest if busiest is not None and busiest.total else None


def _state_description(figure: Figure, empty: str, scope: str, note: str = "") -> str:
    busiest = _busiest(figure.rows)
    if busiest is None:
        return empty
    return (
        f"{_plural(figure.total, 'comment')} {scope} ({_in_words(figure.series, figure.totals)}). "
        f"‘{busiest.label}’ has the most, {busiest.total:,}.{note}"
    )


def _reaction_description(figure: Figure, what: str) -> str:
    if not figure.total:
        return f"No {what} have comments or answers yet."
    comments = figure.total - figure.answers_alone
    answered = comments - figure.totals[-1]
    most_no = max(figure.rows, key=lambda row: row.counts[2])
    text = f"{answered:,} of {_plural(comments, 'comment')} answered ‘{REACTION_QUESTION}’"
    if figure.answers_alone:
        text += f", and {_plural(figure.answers_alone, 'answer')} came on their own, without a comment"
    text += (
        f": {_in_words(figure.series[:3], figure.totals[:3])}{' in all' if figure.answers_alone else ''}; "
        f"{figure.totals[-1]:,} {'comment' if figure.totals[-1] == 1 else 'comments'} did not answer."
    )
    if most_no.counts[2]:
        text += f" ‘{most_no.label}’ has the most ‘no’ answers, {most_no.counts[2]:,}."
    return text + " Spam is not counted."


def _alone_description(figure: Figure) -> str:
    if not figure.total:
        return "No one has answered on their own, without a comment, yet."
    return (
        f"{_plural(figure.total, 'answer')} to ‘{REACTION_QUESTION}’ came on their own, without a comment: "
        f"{_in_words(figure.series, figure.totals)}. They are counted in the answers per section too. "
        "A section’s count includes the answers on its practice examples."
    )


def _channel_description(figure: Figure) -> str:
    if not figure.total:
        return "There are no comments yet."
    return (
        f"{_plural(figure.total, 'comment')} by how they reached us: "
        f"{_in_words(figure.series, figure.totals)}. Spam is not counted."
    )


def _theme_description(figure: Figure, note: str = "") -> str:
    busiest = _busiest(figure.rows)
    if busiest is None:
        return "No comment has a theme yet."
    return (
        f"Comments were given a theme {_plural(figure.total, 'time')} "
        f"({_in_words(figure.series, figure.totals)}): a comment with two themes counts under each. "
        f"‘{busiest.label}’ has the most, {busiest.total:,}.{note}"
    )


@dataclass(frozen=True)
class _Rows:
    """What a figure's rows are: the sections, or the practice examples, of the current version."""

    heading: str
    labels: Callable[[], list[_RowLabel]]
    counts: Callable[[Any, Any, ColumnElement[bool]], dict[str, dict[str, int]]]
    # Leave out rows with nothing counted: every theme in every section would be mostly zeros.
    only_counted: bool = False


@dataclass(frozen=True)
class _Measure:
    """What a figure's series are: the column counted, and the comments left out.

    Answers to "Does this make sense to you?" given without a comment can be added in
    (`answers_alone`), or counted on their own (`comments` False).
    """

    column: Any
    excluded: tuple[str, ...]
    series: tuple[tuple[str, str], ...]
    answers_alone: bool = False
    comments: bool = True


BY_SECTION = _Rows("Section", _section_rows, _counts_by_section)
BY_ITEM = _Rows("Practice example", _item_rows, _counts_by_item)
BY_THEME = _Rows("Theme", _theme_rows, theme_figures.counts_by_theme)
BY_SECTION_AND_THEME = _Rows(
    "Section and theme", _section_theme_rows, theme_figures.counts_by_section_and_theme, only_counted=True
)
STATES = _Measure(Comment.state, (CommentState.WITHDRAWN,), STATE_SERIES)
REACTIONS = _Measure(Comment.reaction, NOT_FEEDBACK, REACTION_SERIES, answers_alone=True)
REACTIONS_ALONE = _Measure(
    Comment.reaction, NOT_FEEDBACK, REACTION_SERIES[:3], answers_alone=True, comments=False
)
CHANNELS = _Measure(Comment.channel, NOT_FEEDBACK, CHANNEL_SERIES)


@dataclass(frozen=True)
class FigureDefinition:
    """One figure of counts, and how to say it in words."""

    name: str
    title: str
    rows: _Rows
    measure: _Measure
    describe: Callable[[Figure], str]


def build_figure(definition: FigureDefinition) -> Figure:
    series = _series(definition.measure.series)
    measure, rows = definition.measure, definition.rows
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    if measure.comments:
        counts = rows.counts(Comment, measure.column, Comment.state.not_in(measure.excluded))
    answers_alone = 0
    if measure.answers_alone:
        for key, answers in rows.counts(StandaloneReaction, StandaloneReaction.reaction, true()).items():
            for answer, count in answers.items():
                counts[key][answer] = counts[key].get(answer, 0) + count
                answers_alone += count
    built = _build_rows(rows.labels(), counts, series)
    figure = Figure(
        name=definition.name,
        title=definition.title,
        description="",
        row_heading=definition.rows.heading,
        series=series,
        rows=tuple(row for row in built if row.total) if rows.only_counted else built,
        answers_alone=answers_alone,
    )
    return replace(figure, description=definition.describe(figure))


# The figures of counts, in the order the page shows them.
COUNT_FIGURES = (
    FigureDefinition(
        "comments-by-section",
        "Comments per section, by state",
        BY_SECTION,
        STATES,
        partial(
            _state_description,
            empty="There are no comments yet.",
            scope="in all",
            note=" A section’s count includes the comments on its practice examples.",
        ),
    ),
    FigureDefinition(
        "comments-by-item",
        "Comments per practice example, by state",
        BY_ITEM,
        STATES,
        partial(
            _state_description,
            empty="There are no comments on practice examples yet.",
            scope="on practice examples",
        ),
    ),
    FigureDefinition(
        "reactions-by-section",
        "Does it make sense? Answers per section",
        BY_SECTION,
        REACTIONS,
        partial(_reaction_description, what="sections"),
    ),
    FigureDefinition(
        "reactions-by-item",
        "Does it make sense? Answers per practice example",
        BY_ITEM,
        REACTIONS,
        partial(_reaction_description, what="practice examples"),
    ),
    FigureDefinition(
        "reactions-alone-by-section",
        "Does it make sense? Answers given without a comment, per section",
        BY_SECTION,
        REACTIONS_ALONE,
        _alone_description,
    ),
    FigureDefinition(
        "comments-by-channel",
        "Comments per section, by how they reached us",
        BY_SECTION,
        CHANNELS,
        _channel_description,
    ),
    FigureDefinition(
        "comments-by-theme",
        "Comments per theme, by state",
        BY_THEME,
        STATES,
        _theme_description,
    ),
    FigureDefinition(
        "themes-by-section",
        "Comments per theme in each section, by state",
        BY_SECTION_AND_THEME,
        STATES,
        partial(
            _theme_description,
            note=" Each section lists only the themes its comments have, and counts the comments on "
            "its practice examples too.",
        ),
    ),
)


def comments_per_day(today: date | None = None) -> Figure:
    """Comments received each day of the consultation, so far; spam is not counted."""
    today = today or datetime.now(UTC).date()
    day = utc_day(Comment.created_at)
    counts = {
        _as_date(value): count
        for value, count in db.session.execute(
            select(day, func.count(Comment.id)).where(Comment.state.not_in(NOT_FEEDBACK)).group_by(day)
        )
    }
    first, last = _consultation_days(today)
    if counts:
        first, last = min(first, *counts), max(last, *counts)
    rows = []
    current = first
    while current <= last:
        rows.append(
            FigureRow(
                key=current.isoformat(),
                label=current.isoformat(),
                short_label=f"{current.day} {current:%b}",
                counts=(counts.get(current, 0),),
            )
        )
        current += timedelta(days=1)
    figure = Figure(
        name="comments-per-day",
        title="Comments per day",
        description="",
        row_heading="Day (UTC)",
        series=(Series("comments", "Comments"),),
        rows=tuple(rows),
        kind="columns",
    )
    busiest = _busiest(figure.rows)
    if len(rows) == 1:
        span = f"on {first:%-d %B %Y}"
    else:
        span = f"over {_plural(len(rows), 'day')}, from {first:%-d %B %Y} to {last:%-d %B %Y}"
    if busiest is None:
        description = f"No comments yet {span}."
    else:
        description = f"{_plural(figure.total, 'comment')} {span}."
        if len(rows) > 1:
            description += (
                f" The busiest day was {date.fromisoformat(busiest.key):%-d %B %Y}, with {busiest.total:,}."
            )
        description += " Spam is not counted."
    return replace(figure, description=description)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _consultation_days(today: date) -> tuple[date, date]:
    """From the day the consultation opened to the day it closes, or today if it is still open."""
    consultation = find_current_consultation()
    if consultation is None:
        return today, today
    first = consultation.opens_at.astimezone(UTC).date()
    # closes_at is the first moment it is closed: its last day is the day before a midnight close.
    last_day = (consultation.closes_at.astimezone(UTC) - timedelta(microseconds=1)).date()
    return min(first, today), max(first, min(last_day, today))


FIGURES: dict[str, Callable[[], Figure]] = {
    **{definition.name: partial(build_figure, definition) for definition in COUNT_FIGURES},
    "comments-per-day": comments_per_day,
}


def list_figures() -> list[Figure]:
    return [make() for make in FIGURES.values()]


def get_figure(name: str) -> Figure:
    try:
        return FIGURES[name]()
    except KeyError:
        raise NotFound(f"No figure {name!r}") from None


def figure_csv(figure: Figure) -> Iterator[str]:
    """The figure's table as CSV: the same rows and columns as the page, and a total row."""
    header = [figure.row_heading, *(item.label for item in figure.series)]
    if len(figure.series) > 1:
        header.append("Total")

    def rows() -> Iterator[list[Any]]:
        for row in figure.rows:
            yield [row.label, *row.counts, *([row.total] if len(figure.series) > 1 else [])]
        yield ["Total", *figure.totals, *([figure.total] if len(figure.series) > 1 else [])]

    return stream_csv(header, rows())


# The public outcome page: published comments only ------------------------------------------------


def _published_description(figure: Figure) -> str:
    if not figure.total:
        return "No comments have been published yet."
    answered = figure.total - figure.totals[-1]
    return (
        f"{_plural(figure.total, 'published comment')}. {answered:,} answered ‘{REACTION_QUESTION}’: "
        f"{_in_words(figure.series[:3], figure.totals[:3])}; {figure.totals[-1]:,} did not answer. "
        "A section’s count includes the comments on its practice examples."
    )


PUBLISHED_REACTIONS = _Measure(
    Comment.reaction,
    tuple(state for state in CommentState if state != CommentState.PUBLISHED),
    REACTION_SERIES,
)
OUTCOME_FIGURE = FigureDefinition(
    "published-comments-by-section",
    "Published comments per section, and whether it made sense",
    BY_SECTION,
    PUBLISHED_REACTIONS,
    _published_description,
)


def outcome_figure() -> Figure:
    """For the public: published comments per section, split by their answer to the question."""
    return build_figure(OUTCOME_FIGURE)
