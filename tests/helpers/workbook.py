"""Reading an .xlsx file back as a spreadsheet would, with only the standard library.

A workbook is a zip of XML parts. Each sheet's cells say their type (`t`): a string is
`inlineStr` or `s` (shared), a number has no `t`, a formula has an `<f>`. Control characters
are written as `_xHHHH_` (and a literal `_x` as `_x005F_x`), which Excel turns back.
"""

# The workbooks parsed here are the ones the tests just made.
# ruff: noqa: S314

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOCUMENT_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Excel's built-in number format "Text" (@).
TEXT_NUMBER_FORMAT = "49"
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class Cell:
    text: str
    # The cell's `t`: "inlineStr" or "s" for a string; None for a number, or an empty cell.
    kind: str | None
    formula: bool
    # Whether its style has the Text number format, so that what someone types in stays text.
    text_format: bool


@dataclass(frozen=True)
class Sheet:
    name: str
    cells: list[list[Cell]]

    @property
    def values(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.cells]


def read_workbook(data: bytes) -> list[Sheet]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text_styles = _text_styles(archive)
        shared = _shared_strings(archive)
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        targets = {
            relation.get("Id"): relation.get("Target")
            for relation in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        }
        return [
            Sheet(
                sheet.get("name", ""),
                _cells(archive.read("xl/" + targets[sheet.get(DOCUMENT_RELATIONSHIP)]), shared, text_styles),
            )
            for sheet in workbook.iter(f"{MAIN}sheet")
        ]


def all_xml(data: bytes) -> str:
    """Every part of the workbook as text: to check that something is nowhere in it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def _unescape(text: str) -> str:
    return ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


def _string(element: ElementTree.Element) -> str:
    return _unescape("".join(piece.text or "" for piece in element.iter(f"{MAIN}t")))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    return [_string(item) for item in ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))]


def _text_styles(archive: zipfile.ZipFile) -> set[int]:
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    text_formats = {TEXT_NUMBER_FORMAT} | {
        number_format.get("numFmtId")
        for number_format in styles.iter(f"{MAIN}numFmt")
        if number_format.get("formatCode") == "@"
    }
    formats = styles.find(f"{MAIN}cellXfs")
    assert formats is not None
    return {index for index, xf in enumerate(formats) if xf.get("numFmtId") in text_formats}


def _column(reference: str) -> int:
    number = 0
    for letter in re.match(r"[A-Z]+", reference).group():  # type: ignore[union-attr]
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _cells(xml: bytes, shared: list[str], text_styles: set[int]) -> list[list[Cell]]:
    empty = Cell("", None, formula=False, text_format=False)
    rows = []
    for row in ElementTree.fromstring(xml).iter(f"{MAIN}row"):
        cells: list[Cell] = []
        for cell in row.iter(f"{MAIN}c"):
            # A cell without a reference is the one after the last.
            column = _column(cell.get("r")) if cell.get("r") else len(cells)
            cells.extend([empty] * (column - len(cells)))
            kind = cell.get("t")
            if kind == "s":
                text = shared[int(cell.findtext(f"{MAIN}v", "0"))]
            elif kind == "inlineStr":
                text = _string(cell)
            else:
                text = cell.findtext(f"{MAIN}v", "")
            cells.append(
                Cell(
                    text,
                    kind,
                    formula=cell.find(f"{MAIN}f") is not None,
                    text_format=int(cell.get("s", "0")) in text_styles,
                )
            )
        rows.append(cells)
    return rows
