"""Properties that hold for any input: axis ticks on the figures' charts, and CSV cells."""

from __future__ import annotations

import csv
import io
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback_portal.charts import nice_ticks
from feedback_portal.services.csv_files import BYTE_ORDER_MARK, cell_text, safe_cell, stream_csv
from feedback_portal.services.xlsx_files import stream_xlsx
from tests.helpers.workbook import read_workbook

# What a spreadsheet could run as a formula, as the brief for safe_cell lists them.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


@given(st.integers(min_value=0, max_value=10**12))
def test_ticks_start_at_zero_cover_the_largest_value_and_ascend(largest):
    ticks = nice_ticks(largest)
    assert ticks[0] == 0
    assert ticks[-1] >= largest
    assert all(low < high for low, high in pairwise(ticks))
    # Not so far past the largest value that the bars look short: at most one step beyond it.
    assert ticks[-2] < max(largest, 1)


@given(st.integers(min_value=0, max_value=10**12))
def test_ticks_are_round_numbers_in_even_steps(largest):
    ticks = nice_ticks(largest)
    step = ticks[1] - ticks[0]
    assert all(high - low == step for low, high in pairwise(ticks))
    assert len(ticks) - 1 <= 5
    # 1, 2 or 5 times a power of ten.
    digits = str(step)
    assert digits[0] in "125" and set(digits[1:]) <= {"0"}


@given(st.text())
def test_a_cell_never_starts_a_formula(text):
    cell = safe_cell(text)
    if text.startswith(TRIGGERS):
        assert cell == "'" + text
    elif not text.startswith("\0"):
        assert cell == text


@given(st.sampled_from(TRIGGERS), st.text())
def test_any_text_after_a_trigger_gets_a_leading_quote(trigger, rest):
    assert safe_cell(trigger + rest) == "'" + trigger + rest


cells = st.one_of(st.none(), st.booleans(), st.integers(), st.text())


@given(st.lists(st.text(), max_size=5), st.lists(st.lists(cells, max_size=5), max_size=20))
def test_a_csv_file_reads_back_as_exactly_what_was_written(header, rows):
    data = "".join(stream_csv(header, rows))
    assert data.startswith(BYTE_ORDER_MARK)
    read = list(csv.reader(io.StringIO(data[len(BYTE_ORDER_MARK) :], newline="")))
    assert read == [[safe_cell(cell) for cell in row] for row in [header, *rows]]


# Anything a person could type, and text shaped like the rich text XlsxWriter makes itself.
typed = st.one_of(st.text(), st.text().map(lambda text: f"<r>{text}</r>"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(cells, typed), max_size=4), max_size=8))
def test_a_workbook_reads_back_as_exactly_what_was_written_every_cell_a_string(rows):
    # Each row starts with a reference, as an export's do: a row of empty cells leaves no trace.
    rows = [[f"row {number}", *row] for number, row in enumerate(rows)]
    header = ["Reference", "A", "B", "C", "D"]
    [sheet] = read_workbook(b"".join(stream_xlsx(header, [10] * 5, rows)))
    written = [[cell_text(cell) for cell in row + [None] * (5 - len(row))] for row in [header, *rows]]
    assert [row + [""] * (5 - len(row)) for row in sheet.values] == written
    assert all(
        cell.kind == "inlineStr" and not cell.formula for row in sheet.cells for cell in row if cell.text
    )
