"""The rows a figure counts over (sections, practice examples, themes) and the aggregate queries.

Sections and examples are matched by slug and key, which stay the same across versions of the
document, so comments on an older version count with the current one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select

from feedback_portal.extensions import db
from feedback_portal.models import CommentTally, PracticeItem, Section
from feedback_portal.services.documents import get_current_version
from feedback_portal.services.figures import themes
from feedback_portal.services.figures.shapes import (
    NO_ANSWER,
    WHOLE_DOCUMENT,
    WHOLE_DOCUMENT_LABEL,
    FigureRow,
    Series,
    shortened,
)

# What the rows are ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowLabel:
    key: str
    label: str
    short_label: str


def section_rows() -> list[RowLabel]:
    version = get_current_version()
    return [
        RowLabel(WHOLE_DOCUMENT, WHOLE_DOCUMENT_LABEL, WHOLE_DOCUMENT_LABEL),
        *(
            RowLabel(section.slug, section.heading, shortened(section.heading))
            for section in version.sections
        ),
    ]


def item_rows() -> list[RowLabel]:
    version = get_current_version()
    rows = []
    for section in version.sections:
        # "Basic – one way" is "Basic" on the chart.
        short_heading = section.heading.split("–")[0].strip()
        for number, item in enumerate(section.items, start=1):
            rows.append(
                RowLabel(
                    f"{section.slug}/{item.key}",
                    f"{section.heading}: {item.text}",
                    shortened(f"{short_heading} {number}: {item.text}"),
                )
            )
    return rows


def theme_rows() -> list[RowLabel]:
    return [RowLabel(key, label, shortened(label)) for key, label in themes.theme_labels()]


def section_theme_rows() -> list[RowLabel]:
    return [RowLabel(key, label, shortened(label)) for key, label in themes.section_theme_labels()]


def build_rows(
    labels: list[RowLabel], counts: dict[str, dict[str, int]], series: tuple[Series, ...]
) -> tuple[FigureRow, ...]:
    """A row per known section or example, then any the current version no longer has."""
    known = {label.key for label in labels}
    extra = [RowLabel(key, key, shortened(key)) for key in sorted(counts) if key not in known]
    return tuple(
        FigureRow(
            key=label.key,
            label=label.label,
            short_label=label.short_label,
            counts=tuple(counts.get(label.key, {}).get(item.key, 0) for item in series),
        )
        for label in [*labels, *extra]
    )


def make_series(pairs: tuple[tuple[str, str], ...]) -> tuple[Series, ...]:
    return tuple(Series(key, label) for key, label in pairs)


# The queries ------------------------------------------------------------------------------------


def how_many(model: Any) -> Any:
    """What a group of rows counts: a tally stands for its number of comments, any other row for one."""
    return func.sum(model.comments) if model is CommentTally else func.count(model.id)


def counts_by_section(model: Any, column: Any, condition: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    # Counted by section id first, then the few groups named by slug.
    by_section_id = (
        select(model.section_id, column.label("value"), how_many(model).label("rows"))
        .where(condition)
        .group_by(model.section_id, column)
        .subquery()
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for slug, value, count in db.session.execute(
        select(Section.slug, by_section_id.c.value, by_section_id.c.rows)
        .select_from(by_section_id)
        .outerjoin(Section, Section.id == by_section_id.c.section_id)
    ):
        counts[slug or WHOLE_DOCUMENT][value or NO_ANSWER] += count
    return counts


def counts_by_item(model: Any, column: Any, condition: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for slug, key, value, count in db.session.execute(
        select(Section.slug, PracticeItem.key, column, how_many(model))
        .select_from(model)
        .join(PracticeItem, PracticeItem.id == model.practice_item_id)
        .join(Section, Section.id == PracticeItem.section_id)
        .where(condition)
        .group_by(Section.slug, PracticeItem.key, column)
    ):
        counts[f"{slug}/{key}"][value or NO_ANSWER] += count
    return counts
