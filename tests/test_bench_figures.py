"""The bench's arithmetic and what it writes: medians of paired ratios, goals met or not, and
bench/results/latest.json's shape. Nothing here is timed."""

from __future__ import annotations

import json
import math

from bench import figures
from bench.databases import insert_sql
from bench.figures import AT_LEAST, AT_MOST


def test_a_figure_is_the_median_of_its_pairs_ratios_with_their_spread():
    figure = figures.from_pairs("GET /", "requests/s", [(50, 100), (30, 100), (90, 150)], 0.5, AT_LEAST, {})

    assert figure.value == 50
    assert figure.ceiling == 100
    assert figure.ratios == [0.3, 0.5, 0.6]
    assert figure.ratio == 0.5
    assert math.isclose(figure.spread, 0.3)
    assert figure.meets


def test_a_ratio_under_its_goal_does_not_meet_it():
    figure = figures.from_pairs("GET /", "requests/s", [(10, 100)] * 3, 0.4, AT_LEAST, {})

    assert not figure.meets


def test_a_time_at_a_million_meets_its_goal_within_one_and_a_half_times_the_time_at_a_thousand():
    within = figures.from_pairs("queue", "ms", [(14, 10), (15, 10), (13, 10)], 1.5, AT_MOST, {})
    beyond = figures.from_pairs("queue", "ms", [(16, 10), (30, 10), (20, 10)], 1.5, AT_MOST, {})

    assert within.meets
    assert not beyond.meets


def test_an_absolute_goal_is_met_only_under_it():
    assert figures.absolute("digest", "ms", [40, 45, 90], 50, {}).meets
    assert not figures.absolute("digest", "ms", [50, 50, 50], 50, {}).meets


def test_a_ceiling_that_could_not_be_measured_never_meets_the_goal():
    figure = figures.from_pairs("GET /", "requests/s", [(10, 0)], 0.4, AT_LEAST, {})

    assert not figure.meets


def test_the_results_file_is_a_list_of_figures_each_with_its_ceiling_ratio_goal_and_verdict(tmp_path):
    measured = [
        figures.from_pairs("GET /", "requests/s", [(10, 0), (20, 40)], 0.5, AT_LEAST, {"errors": 0}),
        figures.absolute("digest", "ms", [12.5], 50, {}),
    ]
    path = tmp_path / "results" / "latest.json"

    figures.write_json(measured, path)

    written = json.loads(path.read_text())
    assert [record["name"] for record in written] == ["GET /", "digest"]
    for record in written:
        assert {"name", "value", "unit", "ceiling", "ratio", "goal", "meets"} <= record.keys()
    # A ratio that could not be worked out is null, not NaN (which JSON does not have).
    assert written[0]["ratios"] == [0.5, None]
    assert written[1]["ceiling"] is None
    assert written[1]["meets"] is True


def test_the_printed_table_shows_each_figure_beside_its_ceiling_and_goal():
    printed = figures.table([figures.from_pairs("GET /", "requests/s", [(50, 100)], 0.5, AT_LEAST, {})])

    assert "GET /" in printed
    assert ">= 0.5 x ceiling" in printed
    assert "yes" in printed


def test_the_bulk_insert_numbers_rows_on_each_database_its_own_way():
    assert "generate_series" in insert_sql("postgresql", other_sections=[1, 2])
    assert "WITH RECURSIVE" in insert_sql("sqlite", other_sections=[1, 2])
