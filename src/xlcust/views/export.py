"""Report exports a user takes away, laid out: CSV records and printable .xlsx sheets.

    csv_rows(table)               the header and rows as CSV text fields
    fill_xlsx(workbook, tables)   one sheet per table in an xlsxwriter workbook

A report hands over `ExportTable`s: a title, a parameters block (label, value pairs
shown above the table in .xlsx), columns with a kind, and rows. Column kinds are
those of output sheets: "text", "int", "cents" (int cents, shown as money), "date",
"number", "percent" (a fraction: 0.125 shows as 12.5% in .xlsx, stays 0.125 in CSV).
A cell may be wrapped in `Styled` for indentation (the category tree) or bold
(subtotal rows); CSV keeps only the value.

CSV (for Excel as much as for scripts): money as plain decimals (`-1234.50`, no
thousands separator); dates ISO. Text that a spreadsheet would run as a formula
(starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a single quote in front
(OWASP's CSV injection advice). Only text: numbers, negative ones included, stay numbers.

.xlsx: text is always written as text (never as a formula), so nothing needs
neutralising there. Each sheet prints A4 landscape, one page wide, with the header
row repeated on every page and "Page n of m" in the footer.

`xlcust.io.export` writes the files (UTF-8 with a byte-order mark and CRLF for CSV,
through a temporary file so a failed export leaves nothing half-written).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..i18n import msg
from ..money import cents_to_decimal

if TYPE_CHECKING:
    import xlsxwriter

EXPORT_SUFFIXES = (".csv", ".xlsx")
KINDS = ("text", "int", "cents", "date", "number", "percent")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: str = "text"
    width: float | None = None  # characters; None: from the header

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Styled:
    """A cell value with presentation for .xlsx: indent (levels) and bold."""

    value: object
    indent: int = 0
    bold: bool = False


@dataclass
class ExportTable:
    """One table of an export; in .xlsx one sheet (name ≤ 31 characters)."""

    sheet_name: str
    title: str
    columns: Sequence[ExportColumn]
    rows: Iterable[Sequence[object]]
    parameters: Sequence[tuple[str, object]] = field(default_factory=tuple)


def check_export_path(path: Path) -> None:
    """Raise UsageError unless the file name ends in .csv or .xlsx (call before the work)."""
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError(msg("{name}: the export file name must end in .csv or .xlsx", name=path.name))


# ----------------------------------------------------------------------------- CSV


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula, made inert with a leading single quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(value: object, kind: str) -> str:
    """One cell as CSV text (see the module docstring)."""
    if isinstance(value, Styled):
        value = value.value
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if kind == "cents" and isinstance(value, int | np.integer):
        return str(cents_to_decimal(int(value)))
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()[:10] if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.integer | np.floating):
        value = value.item()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(str(value))


def csv_rows(table: ExportTable) -> Iterator[list[str]]:
    """The CSV records of `table`: its header, then one per row (see the module docstring)."""
    kinds = [c.kind for c in table.columns]
    yield [neutralise(c.header) for c in table.columns]
    for row in table.rows:
        yield [csv_value(v, k) for v, k in zip(row, kinds, strict=False)]


# ---------------------------------------------------------------------------- xlsx


def fill_xlsx(wb: xlsxwriter.Workbook, tables: Sequence[ExportTable]) -> None:
    """One printable sheet per table in `wb` (an xlsxwriter Workbook, closed by the caller)."""
    formats = _Formats(wb)
    for table in tables:
        _write_sheet(wb, formats, table)


class _Formats:
    """xlsxwriter formats by (kind, indent, bold), made once each."""

    NUMBER_FORMATS = {"text": None, "int": "0", "cents": "#,##0.00;-#,##0.00", "date": "yyyy-mm-dd",
                      "number": "General", "percent": "0.0%"}

    def __init__(self, wb) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, int, bool], object] = {}
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.label = wb.add_format({"bold": True})
        self.value = wb.add_format({"align": "left"})
        self.header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "text_wrap": True,
                                     "valign": "top"})

    def cell(self, kind: str, indent: int = 0, bold: bool = False):
        key = (kind, indent, bold)
        if key not in self.cache:
            props: dict[str, object] = {}
            if self.NUMBER_FORMATS[kind]:
                props["num_format"] = self.NUMBER_FORMATS[kind]
            if indent:
                props["indent"] = indent
            if bold:
                props["bold"] = True
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def _write_sheet(wb, formats: _Formats, table: ExportTable) -> None:
    ws = wb.add_worksheet(table.sheet_name[:31])
    ws.write_string(0, 0, table.title, formats.title)
    r = 1
    for label, value in table.parameters:
        ws.write_string(r, 0, str(label), formats.label)
        _write_value(ws, r, 1, value, "text", formats, fallback=formats.value)
        r += 1
    header_row = r + 1 if table.parameters else r
    for c, column in enumerate(table.columns):
        ws.write_string(header_row, c, column.header, formats.header)
        width = column.width or max(10, min(40, len(column.header) + 4))
        ws.set_column(c, c, width)
    r = header_row
    for row in table.rows:
        r += 1
        for c, (value, column) in enumerate(zip(row, table.columns, strict=False)):
            _write_value(ws, r, c, value, column.kind, formats)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_footer("&LPage &P of &N&R&A")
    ws.set_header("&L" + table.title.replace("&", "&&")[:200])


def _write_value(ws, r: int, c: int, value: object, kind: str, formats: _Formats, fallback=None) -> None:
    indent, bold = 0, False
    if isinstance(value, Styled):
        value, indent, bold = value.value, value.indent, value.bold
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        if bold or indent:
            ws.write_blank(r, c, None, formats.cell(kind, indent, bold))
        return
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        ws.write_string(r, c, value, fallback if fallback is not None else formats.cell("text", indent, bold))
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, formats.cell("text", indent, bold))
    elif isinstance(value, dt.date):
        when = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        ws.write_datetime(r, c, when, formats.cell("date", indent, bold))
    elif kind == "cents" and isinstance(value, int):
        ws.write_number(r, c, value / 100, formats.cell("cents", indent, bold))
    elif isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value), formats.cell(kind if kind != "text" else "number", indent, bold))
    else:
        ws.write_string(r, c, str(value), formats.cell("text", indent, bold))


