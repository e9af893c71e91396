"""Chart geometry for the figures page: axis ticks, bar sizes and SVG coordinates.

The charts need no JavaScript. Each series has a colour from the Okabe–Ito palette, which
stays distinguishable with the common kinds of colour blindness, and a pattern of its own,
so that no meaning rests on colour alone; every bar has a dark outline, which gives it
contrast against white and its neighbours. The page's Content-Security-Policy forbids
inline styles, so the SVG uses presentation attributes (fill, stroke) and classes from
council.scss only. This module works out where everything goes, from a figure alone (no
request, no database); the template draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from feedback_portal.services import figures

# How each series looks ------------------------------------------------------------------------

OUTLINE = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    # solid, stripes, crosshatch, dots or lines.
    pattern: str


# Okabe–Ito colours; the same meaning keeps the same colour and pattern on every chart.
STYLES = {
    "pending": SeriesStyle("#E69F00", "stripes"),
    "published": SeriesStyle("#009E73", "solid"),
    "rejected": SeriesStyle("#D55E00", "crosshatch"),
    "spam": SeriesStyle("#CC79A7", "dots"),
    "hidden": SeriesStyle("#56B4E9", "lines"),
    "yes": SeriesStyle("#0072B2", "solid"),
    "partly": SeriesStyle("#E69F00", "stripes"),
    "no": SeriesStyle("#D55E00", "crosshatch"),
    figures.NO_ANSWER: SeriesStyle("#FFFFFF", "dots"),
    "comments": SeriesStyle("#0072B2", "solid"),
}
DEFAULT_STYLE = SeriesStyle("#999999", "dots")


@dataclass(frozen=True)
class Swatch:
    """A series' look on one chart: a colour, and the id of its pattern if it has one."""

    key: str
    label: str
    colour: str
    pattern: str
    pattern_id: str

    @property
    def fill(self) -> str:
        return self.colour if self.pattern == "solid" else f"url(#{self.pattern_id})"


# Where things go --------------------------------------------------------------------------------

WIDTH = 760
FONT_SIZE = 14


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    swatch: Swatch
    # A tooltip for people using a mouse: the table holds the same numbers for everyone.
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class LegendEntry:
    x: float
    y: float
    swatch: Swatch


@dataclass(frozen=True)
class Chart:
    figure: figures.Figure
    width: int
    height: int
    swatches: list[Swatch]
    legend: list[LegendEntry]
    rects: list[Rect]
    labels: list[Label]
    grid: list[Line]
    axes: list[Line]

    @property
    def id(self) -> str:
        return self.figure.name


def _swatches(figure: figures.Figure) -> list[Swatch]:
    swatches = []
    for series in figure.series:
        style = STYLES.get(series.key, DEFAULT_STYLE)
        swatches.append(
            Swatch(
                series.key, series.label, style.colour, style.pattern, f"{figure.name}-pattern-{series.key}"
            )
        )
    return swatches


def nice_ticks(largest: int, most: int = 5) -> list[int]:
    """Axis values from 0 in steps of 1, 2 or 5 times a power of ten, up to `largest` or just past it."""
    largest = max(largest, 1)
    exponent = 0
    while True:
        for multiple in (1, 2, 5):
            step = multiple * 10**exponent
            if math.ceil(largest / step) <= most:
                return list(range(0, step * math.ceil(largest / step) + 1, step))
        exponent += 1


def _rounded(value: float) -> float:
    return round(value, 1)


def layout(figure: figures.Figure) -> Chart:
    return _columns(figure) if figure.kind == "columns" else _stacked_bars(figure)


def _legend(swatches: list[Swatch], entry_width: int = 150, pitch: int = 28) -> tuple[list[LegendEntry], int]:
    per_line = max(1, WIDTH // entry_width)
    entries = [
        LegendEntry(x=(index % per_line) * entry_width, y=(index // per_line) * pitch, swatch=swatch)
        for index, swatch in enumerate(swatches)
    ]
    lines = math.ceil(len(swatches) / per_line) if len(swatches) > 1 else 0
    return (entries if lines else []), lines * pitch


def _stacked_bars(figure: figures.Figure) -> Chart:
    """A horizontal bar per row, made of a segment per series, with the row's total after it."""
    # Room on the right for a total as long as "1,000,000".
    label_width, plot_left, plot_right = 300, 308, WIDTH - 80
    bar_height, pitch = 20, 30
    swatches = _swatches(figure)
    legend, legend_height = _legend(swatches)
    ticks = nice_ticks(max((row.total for row in figure.rows), default=0))
    scale = (plot_right - plot_left) / ticks[-1]
    axis_y = legend_height + 24
    top = axis_y + 10
    bottom = top + len(figure.rows) * pitch
    rects, labels, grid = [], [], []
    for value in ticks:
        x = _rounded(plot_left + value * scale)
        grid.append(Line(x, top - 4, x, bottom))
        labels.append(Label(x, axis_y, f"{value:,}", "middle"))
    for index, row in enumerate(figure.rows):
        y = top + index * pitch + (pitch - bar_height) / 2
        text_y = _rounded(y + bar_height / 2 + FONT_SIZE * 0.35)
        labels.append(Label(label_width, text_y, row.short_label, "end"))
        x = float(plot_left)
        for swatch, count in zip(swatches, row.counts, strict=True):
            if count:
                width = count * scale
                rects.append(
                    Rect(
                        _rounded(x),
                        _rounded(y),
                        _rounded(width),
                        bar_height,
                        swatch,
                        f"{row.label}: {count:,} {swatch.label.lower()}",
                    )
                )
                x += width
        labels.append(Label(_rounded(x + 6), text_y, f"{row.total:,}"))
    axes = [Line(plot_left, top - 4, plot_left, bottom)]
    return Chart(figure, WIDTH, bottom + 8, swatches, legend, rects, labels, grid, axes)


def _columns(figure: figures.Figure) -> Chart:
    """A column per row (per day), in order, with a value axis on the left."""
    plot_left, plot_right, top, bottom = 64, WIDTH - 8, 12, 232
    swatches = _swatches(figure)
    swatch = swatches[0]
    ticks = nice_ticks(max((row.total for row in figure.rows), default=0))
    scale = (bottom - top) / ticks[-1]
    band = (plot_right - plot_left) / max(len(figure.rows), 1)
    rects, labels, grid = [], [], []
    for value in ticks:
        y = _rounded(bottom - value * scale)
        grid.append(Line(plot_left, y, plot_right, y))
        labels.append(Label(plot_left - 8, _rounded(y + FONT_SIZE * 0.35), f"{value:,}", "end"))
    every = max(1, math.ceil(len(figure.rows) / 8))
    for index, row in enumerate(figure.rows):
        x = plot_left + index * band
        if row.total:
            height = row.total * scale
            # Narrow enough to read as a day, even when there are only a few days so far.
            width = min(max(band * 0.75, 1), 48)
            rects.append(
                Rect(
                    _rounded(x + (band - width) / 2),
                    _rounded(bottom - height),
                    _rounded(width),
                    _rounded(height),
                    swatch,
                    f"{row.label}: {row.total:,} {swatch.label.lower()}",
                )
            )
        if index % every == 0:
            labels.append(Label(_rounded(x + band / 2), bottom + 22, row.short_label, "middle"))
    axes = [Line(plot_left, bottom, plot_right, bottom), Line(plot_left, top, plot_left, bottom)]
    return Chart(figure, WIDTH, bottom + 34, swatches, [], rects, labels, grid, axes)
