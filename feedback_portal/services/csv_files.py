"""CSV files that open safely in a spreadsheet: for every export the portal makes.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` as a formula, and
some of them treat a leading tab, carriage return, line feed or NUL the same way
(ASVS 5.0 1.2.10, OWASP "CSV injection"). Anything a person typed can reach a cell, so
every cell goes through `safe_cell`, and every cell is quoted. A large export that makes
its cells' text itself names the columns that can hold what someone typed instead, and
only those are guarded (`stream_csv`'s `text_columns`).

Files are UTF-8 with a byte order mark, so that Excel reads any script correctly, and CRLF
line ends (RFC 4180). `stream_csv` yields the file a few kilobytes at a time, so an export
of any size uses the same memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

# What a download is made of: text (CSV) or bytes (a workbook).
Chunk = TypeVar("Chunk", str, bytes)

BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these could be run as a formula, so it gets a leading '.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# Yield to the server once this much text is waiting: fewer, larger chunks stream faster
# than one per row, and memory stays flat.
CHUNK_SIZE = 16 * 1024


def cell_text(value: Any) -> str:
    """A value as the text of a cell, in CSV files and workbooks alike: None as an empty cell,
    a list as its parts separated by semicolons."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        # A list in JSON (the themes of a comment), one cell here.
        return "; ".join(cell_text(part) for part in value)
    return str(value)


def safe_cell(value: Any) -> str:
    """The text to write in a CSV cell: never a formula."""
    text = cell_text(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _writer(buffer: io.StringIO) -> Any:
    return csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")


def stream_csv(
    header: Iterable[Any],
    rows: Iterable[Sequence[Any]],
    text_columns: Collection[int] | None = None,
) -> Iterator[str]:
    """Yield a whole CSV file: the byte order mark and header first, then the rows as they come.

    `rows` can be a lazy query result: each row is read only when the one before it has
    been written, so nothing holds the whole file.

    Without `text_columns`, every cell of every row goes through `safe_cell`. With it, each
    row is a list of cells that are text already (str, or None for an empty cell, as
    `cell_text` makes them), and only the cells at those positions, the columns that can
    hold what someone typed, are guarded, in place: the others hold what the software wrote
    (moments, numbers, yes or no), which cannot start like a formula. That is most of the
    time a large export takes.
    """
    buffer = io.StringIO()
    writer = _writer(buffer)
    write = writer.writerow
    rows = iter(rows)
    prepared = _safe_row if text_columns is None else _guard(tuple(text_columns))
    # The first row is read before anything is sent: a query that fails (a filter the
    # database cannot use, a lock) fails before the response starts, and gets an error page
    # rather than a file cut off after its header.
    first = next(rows, None)
    write([safe_cell(cell) for cell in header])
    if first is not None:
        write(prepared(first))
    yield BYTE_ORDER_MARK + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    tell = buffer.tell
    for row in rows:
        write(prepared(row))
        if tell() >= CHUNK_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if tell():
        yield buffer.getvalue()


def _safe_row(row: Iterable[Any]) -> list[str]:
    return [safe_cell(cell) for cell in row]


def _guard(positions: tuple[int, ...]) -> Any:
    """What makes a row of cell texts safe: the cells at `positions` get their apostrophe."""
    triggers = FORMULA_TRIGGERS

    def guarded(row: list[str | None]) -> list[str | None]:
        for position in positions:
            cell = row[position]
            if cell and cell.startswith(triggers):
                row[position] = "'" + cell
        return row

    return guarded


def started(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """`chunks` with its first chunk made now, in the view, so that whatever fails making it
    raises there and gets its error page, before a response has started.
    """
    first = next(chunks, None)
    return _after(first, chunks)


def _after(first: Chunk | None, rest: Iterator[Chunk]) -> Iterator[Chunk]:
    if first is not None:
        yield first
    yield from rest


def download_headers(filename: str) -> dict[str, str]:
    """Headers for a download (CSV or workbook): an attachment, never cached by a browser or proxy."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
