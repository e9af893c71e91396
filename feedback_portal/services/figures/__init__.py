"""Figures about the feedback: counts per section, practice example, theme, answer and day.

shapes: what a figure is. counts: the rows and the aggregate queries. words: each figure in a
sentence. catalogue: the table of figures the staff page and the public outcome page show.
themes: the theme rows and their queries.
"""

from feedback_portal.services.figures.catalogue import (
    COUNT_FIGURES,
    FIGURES,
    build_figure,
    comments_per_day,
    figure_csv,
    get_figure,
    list_figures,
    outcome_figure,
)
from feedback_portal.services.figures.shapes import NO_ANSWER, Figure, FigureRow, Series

__all__ = [
    "COUNT_FIGURES",
    "FIGURES",
    "NO_ANSWER",
    "Figure",
    "FigureRow",
    "Series",
    "build_figure",
    "comments_per_day",
    "figure_csv",
    "get_figure",
    "list_figures",
    "outcome_figure",
]
