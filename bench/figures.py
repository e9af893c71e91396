"""Figures: each measured value beside its ceiling, its goal, and whether it meets it.

Pure logic, no timing: medians and spreads of repeated pairs, the printed table, and the
JSON written to bench/results/latest.json.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

# How a figure compares with its goal.
AT_LEAST = "at least"  # value / ceiling >= goal (throughput)
AT_MOST = "at most"  # value / ceiling <= goal (a time at 1M against the time at 1k)
UNDER = "under"  # value < goal, in the value's own unit (no ceiling)


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    ceiling: float | None
    ratio: float | None
    goal: float
    comparison: str
    meets: bool
    # The ratio of each repeated pair, lowest to highest; the spread is their range.
    ratios: list[float] = field(default_factory=list)
    # What else was seen: load average, CPU per request, errors, the load generator's CPU share.
    details: dict = field(default_factory=dict)

    @property
    def spread(self) -> float | None:
        finite = [r for r in self.ratios if math.isfinite(r)]
        return max(finite) - min(finite) if len(finite) > 1 else None


def ratio(value: float, ceiling: float) -> float:
    return value / ceiling if ceiling else math.nan


def meets(comparison: str, goal: float, value: float, ratio_: float | None) -> bool:
    if comparison == UNDER:
        return value < goal
    if ratio_ is None or math.isnan(ratio_):
        return False
    return ratio_ >= goal if comparison == AT_LEAST else ratio_ <= goal


def from_pairs(
    name: str, unit: str, pairs: list[tuple[float, float]], goal: float, comparison: str, details: dict
) -> Figure:
    """A figure from repeated (value, ceiling) pairs, each measured back to back: the median of
    the values and ceilings, and the median of the pairs' ratios, which is what the goal is about."""
    ratios = sorted((ratio(value, ceiling) for value, ceiling in pairs), key=lambda r: (math.isnan(r), r))
    value = statistics.median(value for value, _ in pairs)
    ceiling = statistics.median(ceiling for _, ceiling in pairs)
    # A pair whose ceiling could not be measured leaves the figure without a ratio.
    median_ratio = math.nan if any(map(math.isnan, ratios)) else statistics.median(ratios)
    return Figure(
        name, value, unit, ceiling, median_ratio, goal, comparison,
        meets(comparison, goal, value, median_ratio), ratios, details,
    )  # fmt: skip


def absolute(name: str, unit: str, values: list[float], goal: float, details: dict) -> Figure:
    """A figure with an absolute goal: the median of repeated values must be under it."""
    value = statistics.median(values)
    return Figure(name, value, unit, None, None, goal, UNDER, meets(UNDER, goal, value, None), [], details)


def _finite(value):
    """JSON has no NaN: a value that could not be measured is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(each) for each in value]
    if isinstance(value, dict):
        return {key: _finite(each) for key, each in value.items()}
    return value


def as_json(figure: Figure) -> dict:
    """The figure as {name, value, unit, ceiling, ratio, goal, meets}, then how it was measured."""
    record = asdict(figure)
    record["spread"] = figure.spread
    return _finite(record)


def write_json(figures: list[Figure], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([as_json(f) for f in figures], indent=2, allow_nan=False, default=str) + "\n")


def goal_text(figure: Figure) -> str:
    if figure.comparison == UNDER:
        return f"< {figure.goal:g} {figure.unit}"
    sign = ">=" if figure.comparison == AT_LEAST else "<="
    return f"{sign} {figure.goal:g} x ceiling"


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(figures: list[Figure]) -> str:
    headings = ("figure", "value", "ceiling", "unit", "ratio", "spread", "goal", "meets")
    lines = [headings]
    for f in figures:
        lines.append(
            (
                f.name,
                _number(f.value),
                _number(f.ceiling),
                f.unit,
                "-" if f.ratio is None else f"{f.ratio:.2f}",
                "-" if f.spread is None else f"{f.spread:.2f}",
                goal_text(f),
                "yes" if f.meets else "NO",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(headings))]
    rows = []
    for line in lines:
        cells = zip(line, widths, strict=True)
        rows.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells)))
    return "\n".join(row.rstrip() for row in rows)
