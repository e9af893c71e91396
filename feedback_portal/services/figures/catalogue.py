"""Every figure the staff figures page shows, and the public outcome page's, built from one table.

The counts by section and practice example, and per day, come from the comment tallies the
database keeps (models/tallies.py), so they cost the same however many comments there are;
the theme figures and the answers given alone are aggregate queries over their own tables.
No comment is loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, select, true

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentHourTally,
    CommentState,
    CommentTally,
    DocumentVersion,
    StandaloneReaction,
)
from feedback_portal.services.comment_filters import NOT_FEEDBACK
from feedback_portal.services.consultations import viewed_consultation
from feedback_portal.services.csv_files import stream_csv
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.figures import themes
from feedback_portal.services.figures.counts import (
    RowLabel,
    build_rows,
    counts_by_item,
    counts_by_section,
    item_rows,
    make_series,
    section_rows,
    section_theme_rows,
    theme_rows,
)
from feedback_portal.services.figures.shapes import (
    CHANNEL_SERIES,
    REACTION_SERIES,
    STATE_SERIES,
    Figure,
    FigureRow,
    Series,
    busiest_row,
    plural,
)
from feedback_portal.services.figures.words import (
    alone_description,
    channel_description,
    published_description,
    reaction_description,
    state_description,
    theme_description,
)
from feedback_portal.uk_time import in_uk


@dataclass(frozen=True)
class _Rows:
    """What a figure's rows are: the sections, or the practice examples, of the current version."""

    heading: str
    labels: Callable[[], list[RowLabel]]
    counts: Callable[[Any, Any, ColumnElement[bool]], dict[str, dict[str, int]]]
    # Where the comments are counted from: their tallies, or the comments themselves.
    comments_from: Any = CommentTally
    # Leave out rows with nothing counted: every theme in every section would be mostly zeros.
    only_counted: bool = False


@dataclass(frozen=True)
class _Measure:
    """What a figure's series are: the column counted (by name), and the comments left out.

    Answers to "Does this make sense to you?" given without a comment can be added in
    (`answers_alone`), or counted on their own (`comments` False).
    """

    column: str
    excluded: tuple[str, ...]
    series: tuple[tuple[str, str], ...]
    answers_alone: bool = False
    comments: bool = True


BY_SECTION = _Rows("Section", section_rows, counts_by_section)
BY_ITEM = _Rows("Practice example", item_rows, counts_by_item)
BY_THEME = _Rows("Theme", theme_rows, themes.counts_by_theme, comments_from=Comment)
BY_SECTION_AND_THEME = _Rows(
    "Section and theme",
    section_theme_rows,
    themes.counts_by_section_and_theme,
    only_counted=True,
    comments_from=Comment,
)
STATES = _Measure("state", (CommentState.WITHDRAWN,), STATE_SERIES)
REACTIONS = _Measure("reaction", NOT_FEEDBACK, REACTION_SERIES, answers_alone=True)
REACTIONS_ALONE = _Measure("reaction", NOT_FEEDBACK, REACTION_SERIES[:3], answers_alone=True, comments=False)
CHANNELS = _Measure("channel", NOT_FEEDBACK, CHANNEL_SERIES)


@dataclass(frozen=True)
class FigureDefinition:
    """One figure of counts, and how to say it in words."""

    name: str
    title: str
    rows: _Rows
    measure: _Measure
    describe: Callable[[Figure], str]


def _comments_in(source: Any) -> ColumnElement[bool]:
    """The comments (or their tallies) the figures count: those of the consultation viewed (the
    current one unless a page chose another)."""
    consultation = viewed_consultation()
    return true() if consultation is None else source.consultation_id == consultation.id


def _answers_in() -> ColumnElement[bool]:
    """The answers given alone that the figures count: those on the viewed consultation's document."""
    consultation = viewed_consultation()
    if consultation is None:
        return true()
    versions = select(DocumentVersion.id).where(DocumentVersion.document_id == consultation.document_id)
    return StandaloneReaction.document_version_id.in_(versions)


def build_figure(definition: FigureDefinition) -> Figure:
    series = make_series(definition.measure.series)
    measure, rows = definition.measure, definition.rows
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    if measure.comments:
        source = rows.comments_from
        condition = source.state.not_in(measure.excluded) & _comments_in(source)
        counts = rows.counts(source, getattr(source, measure.column), condition)
    answers_alone = 0
    if measure.answers_alone:
        answers_by_row = rows.counts(StandaloneReaction, StandaloneReaction.reaction, _answers_in())
        for key, answers in answers_by_row.items():
            for answer, count in answers.items():
                counts[key][answer] = counts[key].get(answer, 0) + count
                answers_alone += count
    built = build_rows(rows.labels(), counts, series)
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
            state_description,
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
            state_description,
            empty="There are no comments on practice examples yet.",
            scope="on practice examples",
        ),
    ),
    FigureDefinition(
        "reactions-by-section",
        "Does it make sense? Answers per section",
        BY_SECTION,
        REACTIONS,
        partial(reaction_description, what="sections"),
    ),
    FigureDefinition(
        "reactions-by-item",
        "Does it make sense? Answers per practice example",
        BY_ITEM,
        REACTIONS,
        partial(reaction_description, what="practice examples"),
    ),
    FigureDefinition(
        "reactions-alone-by-section",
        "Does it make sense? Answers given without a comment, per section",
        BY_SECTION,
        REACTIONS_ALONE,
        alone_description,
    ),
    FigureDefinition(
        "comments-by-channel",
        "Comments per section, by how they reached us",
        BY_SECTION,
        CHANNELS,
        channel_description,
    ),
    FigureDefinition(
        "comments-by-theme",
        "Comments per theme, by state",
        BY_THEME,
        STATES,
        theme_description,
    ),
    FigureDefinition(
        "themes-by-section",
        "Comments per theme in each section, by state",
        BY_SECTION_AND_THEME,
        STATES,
        partial(
            theme_description,
            note=" Each section lists only the themes its comments have, and counts the comments on "
            "its practice examples too.",
        ),
    ),
)


def comments_per_day(today: date | None = None) -> Figure:
    """Comments received each UK day of the consultation, so far; spam is not counted."""
    today = today or in_uk(datetime.now(UTC)).date()
    counts: dict[date, int] = defaultdict(int)
    for hour, count in db.session.execute(
        select(CommentHourTally.hour, func.sum(CommentHourTally.comments))
        .where(CommentHourTally.state.not_in(NOT_FEEDBACK), _comments_in(CommentHourTally))
        .group_by(CommentHourTally.hour)
    ):
        if count:
            counts[_uk_day(hour)] += count
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
        row_heading="Day",
        series=(Series("comments", "Comments"),),
        rows=tuple(rows),
        kind="columns",
    )
    busiest = busiest_row(figure.rows)
    if len(rows) == 1:
        span = f"on {first:%-d %B %Y}"
    else:
        span = f"over {plural(len(rows), 'day')}, from {first:%-d %B %Y} to {last:%-d %B %Y}"
    if busiest is None:
        description = f"No comments yet {span}."
    else:
        description = f"{plural(figure.total, 'comment')} {span}."
        if len(rows) > 1:
            description += (
                f" The busiest day was {date.fromisoformat(busiest.key):%-d %B %Y}, with {busiest.total:,}."
            )
        description += " Spam is not counted."
    return replace(figure, description=description)


def _uk_day(utc_hour: str) -> date:
    """The UK day of a tally's hour ('YYYY-MM-DD HH', UTC): the clocks change on the hour."""
    return in_uk(datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC)).date()


def _consultation_days(today: date) -> tuple[date, date]:
    """From the day the consultation opened to the day it closes, or today if it is still open."""
    consultation = viewed_consultation()
    if consultation is None or consultation.opens_at is None or consultation.closes_at is None:
        return today, today
    first = in_uk(consultation.opens_at).date()
    # closes_at is the first moment it is closed: its last day is the day before a midnight close.
    last_day = in_uk(consultation.closes_at - timedelta(microseconds=1)).date()
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


PUBLISHED_REACTIONS = _Measure(
    "reaction",
    tuple(state for state in CommentState if state != CommentState.PUBLISHED),
    REACTION_SERIES,
)
OUTCOME_FIGURE = FigureDefinition(
    "published-comments-by-section",
    "Published comments per section, and whether it made sense",
    BY_SECTION,
    PUBLISHED_REACTIONS,
    published_description,
)


def outcome_figure() -> Figure:
    """For the public: published comments per section, split by their answer to the question."""
    return build_figure(OUTCOME_FIGURE)
