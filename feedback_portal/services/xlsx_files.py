"""Excel workbooks in which every cell is text: exports for people who open them in a spreadsheet.

A CSV file cannot say what type a cell is, so a spreadsheet guesses: `=1+1` runs, `1/2`
becomes a date, `007` loses its zeros. That is why CSV cells starting `=`, `+`, `-` or `@`
get an apostrophe (csv_files.py), which changes what people wrote. A workbook says it: each
cell here is a string in the Text number format, so it shows exactly what was written, and
stays text when someone edits it. Nothing needs escaping and no byte order mark is needed.

XlsxWriter's constant-memory mode writes each row to a temporary file as soon as the next
one starts, so memory does not grow with the number of rows. A zip file is only complete
when it is closed, so the workbook is built in a temporary directory, then streamed from it;
the directory goes when the stream ends or is abandoned.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from feedback_portal.services.csv_files import cell_text

# Excel's rows per sheet, the header included: further rows go on to another sheet.
SHEET_ROWS = 1_048_576
CHUNK_SIZE = 64 * 1024
SHEET_NAME = "Comments"
# Excel's built-in number format "Text" (@), by its number: as "@" it would be a custom format.
TEXT_FORMAT = 49


def stream_xlsx(
    headings: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Iterable[Any]],
    sheet_name: str = SHEET_NAME,
    cells_are_text: bool = False,
) -> Iterator[bytes]:
    """Yield a whole workbook: `rows` are read one at a time while it is built, then it is sent.

    `widths` are the columns' widths in characters, one per heading. With `cells_are_text`,
    each cell is its text already (str, or None or "" for an empty cell, as `cell_text`
    makes them), and is written as it is.
    """
    with tempfile.TemporaryDirectory(prefix="export-") as scratch:
        path = Path(scratch) / "export.xlsx"
        with path.open("w+b") as file:
            _write_workbook(file, scratch, headings, widths, rows, sheet_name, cells_are_text)
            file.seek(0)
            while chunk := file.read(CHUNK_SIZE):
                yield chunk


def _write_workbook(
    file: IO[bytes],
    scratch: str,
    headings: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Iterable[Any]],
    sheet_name: str,
    cells_are_text: bool = False,
) -> None:
    # Closed even when reading the rows fails, so that it lets go of its files in `scratch`.
    with Workbook(file, {"constant_memory": True, "in_memory": False, "tmpdir": scratch}) as workbook:
        text = workbook.add_format({"num_format": TEXT_FORMAT})
        bold = workbook.add_format({"num_format": TEXT_FORMAT, "bold": True})
        sheet = _new_sheet(workbook, sheet_name, 1, headings, widths, bold)
        write = sheet.write_string
        sheets, row_number = 1, 1
        for row in rows:
            if row_number == SHEET_ROWS:
                sheets += 1
                sheet, row_number = _new_sheet(workbook, sheet_name, sheets, headings, widths, bold), 1
                write = sheet.write_string
            if cells_are_text:
                # As write_text does, without a call of its own for each cell.
                for column, value in enumerate(row):
                    if value:
                        write(row_number, column, value, text)
            else:
                for column, value in enumerate(row):
                    write_text(sheet, row_number, column, cell_text(value), text)
            row_number += 1


def _new_sheet(
    workbook: Workbook,
    sheet_name: str,
    number: int,
    headings: Sequence[str],
    widths: Sequence[int],
    bold: Format,
) -> Worksheet:
    name = sheet_name if number == 1 else f"{sheet_name} {number}"
    sheet = workbook.add_worksheet(name, worksheet_class=_TextOnlyWorksheet)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    for column, heading in enumerate(headings):
        write_text(sheet, 0, column, heading, bold)
    return sheet


def write_text(sheet: Worksheet, row: int, column: int, text: str, cell_format: Format) -> None:
    """Write `text` as a string cell, whatever it holds."""
    if text:
        sheet.write_string(row, column, text, cell_format)


class _TextOnlyWorksheet(Worksheet):
    """A worksheet whose strings are all plain text, even one shaped like XlsxWriter's rich text.

    In constant-memory mode XlsxWriter takes a string that starts `<r>` and ends `</r>` for
    rich text it has made itself, and writes it into the sheet's XML unescaped: a comment so
    shaped could add cells and formulas. No rich text is written here, so every such string
    is a person's, and goes out escaped like any other (it has had its control characters
    escaped already, as `_xml_inline_string` expects).
    """

    def _xml_rich_inline_string(self, string: str, attributes: Any = ()) -> None:
        self._xml_inline_string(string, bool(string != string.strip()), list(attributes))
