"""The host a button handler talks to, and the pure parts of reading and writing through it.

A handler needs four things from its host, and nothing else:

    sheet_names()            the workbook's sheet names, in tab order
    tables()                 its Excel Tables (ListObjects), as `TableInfo`
    read_grid(sheet)         a sheet's cells from A1 as a 2-D list, values as xlwings gives
                             them: numbers float, dates datetime, empty None, error
                             values `ExcelError`
    write_sheet(block)       create or replace an output sheet with a `SheetBlock`
    set_cells(edits)         write single cells of user sheets (mnemonic fills, reclassification)
    highlight(marks)         mark the cells findings point at (xlcust's highlight, replacing the last)
    append_rows(block)       add rows below a Table, which grows to hold them (CategoryHistory)
    message(text)            a short message box

`XlwingsHost` (xlcust.excel.xlwings_book) is the live-Excel implementation;
`MemoryHost` here is the in-memory one tests use (xlwings' own mock caller,
`Book.set_mock_caller()`, needs Excel, which Linux does not have).

`book_from_host` turns what a host reads into the same `Book` the headless reader
builds from a file, through the same code: `io.reader.raw_sheet_from_grid` finds the
header and cuts the data block, `celltypes.build_book` types it. `sheet_block` turns
an `OutputSheet` (what the headless writer streams into a file) into plain cell
values and formats that any host can put in a range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from numbers import Integral
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..book import Book, RawSheet, build_book
from ..errors import WorkbookError
from ..io.package import TableInfo
from ..io.reader import raw_sheet_from_grid, raw_sheets, read_book
from ..io.sheetxml import AppendRows, CellEdit, Highlight, OutputSheet, format_range, parse_range
from ..schema import ColumnType, Sheet
from ..views.layout import (
    SAMPLE_ROWS,
    column_samples,
    header_height,
    key_columns,
    layouts,
    printed_widths,
    row_height,
    sample_positions,
    title_height,
    title_span,
    title_start,
)
from ..views.page import PageSetup, choose_landscape, pages_wide

Grid = list[list[object]]

NUMBER_FORMATS = {
    "text": "@",
    "int": "0",
    "money": "#,##0.00",
    "cents": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "percent": "0.00%",
    "number": "General",
    "link": "General",
}
FORMULA_START = ("=", "+", "-", "@")


class Host(Protocol):
    """What a handler may ask of the workbook it runs in."""

    name: str

    def sheet_names(self) -> list[str]: ...

    def tables(self) -> list[TableInfo]: ...

    def read_grid(self, sheet: str) -> Grid: ...

    def write_sheet(self, block: SheetBlock) -> None: ...

    def set_cells(self, edits: Sequence[CellEdit]) -> None: ...

    def highlight(self, marks: Sequence[Highlight]) -> None: ...

    def append_rows(self, block: AppendRows) -> None: ...

    def message(self, text: str, title: str = "xlcust") -> None: ...

    def saved_file(self) -> Path | None:
        """The workbook's file when it holds exactly what the host shows (no unsaved edits), else None."""
        ...


# ----------------------------------------------------------------------- reading


FILE_SUFFIXES = (".xlsx", ".xlsm")  # what the file reader reads


def book_for_run(host: Host) -> Book:
    """The registry a button runs on: the saved file through the fast reader when it is current.

    A million-row Transactions sheet takes minutes to come through COM cell by cell and
    seconds from the file; the file is only read when the workbook has no unsaved edits
    (so it is exactly what the user sees), else the live cells are.
    """
    path = host.saved_file()
    if path is not None and path.suffix.lower() in FILE_SUFFIXES and path.is_file():
        try:
            return read_book(path)
        except (WorkbookError, OSError):
            pass  # a file the reader cannot use (locked, moved, odd): the live cells always work
    return book_from_host(host)


def book_from_host(host: Host) -> Book:
    """The registry as the headless reader would build it from the same cells."""
    from ..io.memory import memory_from_grid, memory_sheet_name

    names = host.sheet_names()
    raws = raw_sheets(names, host.tables(),
                      lambda spec, name, table: raw_from_grid(spec, name, host.read_grid(name), table))
    book = build_book(raws, path=host.name)
    memory = memory_sheet_name(names)
    if memory is not None:  # the lock's memory (`xlcust.memory`), as the file reader reads it
        book.remembered = memory_from_grid(host.read_grid(memory))
    return book


def raw_from_grid(spec: Sheet, sheet_name: str, grid: Grid, table: TableInfo | None = None) -> RawSheet:
    """`io.reader.raw_sheet_from_grid`, with cell values as the file reader sees them.

    Excel hands every date over as a datetime; the file reader reads a date cell as a
    date. Date columns type both alike; in any other column (a Settings value, a memo)
    a datetime at midnight becomes a date, so `as_of` reads "2026-09-30" both ways.
    """
    raw = raw_sheet_from_grid(spec, sheet_name, grid, table=table)
    for column in raw.raw.columns:
        if spec.by_name[column].type is ColumnType.DATE:
            continue
        values = raw.raw[column].to_numpy(dtype=object)
        if _DATETIME not in set(map(type, values)):
            continue
        stamps = [i for i, t in enumerate(map(type, values)) if t is _DATETIME]
        hits = [i for i in stamps if values[i].time() == _MIDNIGHT]
        if hits:
            values = values.copy()
            for i in hits:
                values[i] = values[i].date()
            raw.raw[column] = values
    return raw


_MIDNIGHT = dt.time()
_DATETIME = dt.datetime


def as_file_values(grid: Grid) -> Grid:
    """A grid with datetimes at midnight as dates (for comparing cells with a file's)."""
    return [[v.date() if type(v) is dt.datetime and v.time() == _MIDNIGHT else v for v in row] for row in grid]


def grid_from_range(values: object, first_row: int, first_col: int) -> Grid:
    """A used range's values placed at A1: xlwings gives the used range from its first cell,
    which need not be A1, and a single cell or row comes back as a scalar or flat list."""
    if not isinstance(values, list):
        values = [[values]]
    elif values and not isinstance(values[0], list):
        values = [values]
    pad = [None] * (first_col - 1)
    return [[] for _ in range(first_row - 1)] + [pad + list(row) for row in values]


# ----------------------------------------------------------------------- writing


def append_position(grid: Grid, table_ref: str | None, start_letter: str | None) -> tuple[int, int]:
    """(row Excel shows, 0-based column) where appended rows start: below the Table, else
    below the sheet's last non-empty row; at `start_letter`, else the Table's first column."""
    from ..schema import column_index

    if table_ref:
        r1, c1, r2, _ = parse_range(table_ref)
        top, left = r2 + 1, c1
    else:
        filled = [i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)]
        top, left = (filled[-1] + 2 if filled else 1), 0
    if start_letter:
        left = column_index(start_letter)
    return top, left


@dataclass
class SheetBlock:
    """An output sheet as cell values and formats, ready for one range assignment."""

    name: str
    values: Grid  # title row (optional), header row, data rows
    header_row: int  # 1-based
    number_formats: list[str]  # per column
    widths: list[float]  # per column, in characters
    tab_color: str | None = None
    protect: bool = True
    charts: list = field(default_factory=list)  # xlcust.io.charts.ChartSpec, drawn from this sheet's cells
    # How it looks and prints, as the file writer lays it out (xlcust.views.layout, xlcust.views.page)
    header_align: list[str] = field(default_factory=list)  # per column: "left" or "right"
    wrap: list[bool] = field(default_factory=list)  # per column: its text wraps
    header_height: float | None = None  # points
    title_height: float | None = None
    title_span: int = 1  # the column after the title's last (it is merged from title_first on)
    title_first: int = 0  # the column the title starts in (past the columns repeated on every page)
    row_heights: dict[int, float] = field(default_factory=dict)  # sheet row → points, for rows of wrapped text
    page: PageSetup = field(default_factory=PageSetup)
    landscape: bool = False
    pages_wide: int = 1
    repeat_columns: int = 0  # leading columns printed on every page side by side
    fills: list = field(default_factory=list)  # xlcust.views.sheet.ValueFill: colour cells by value
    visibility: str = "visible"  # "visible", "hidden" or "veryHidden" (xlcust's memory)
    table: str | None = None  # a Table (ListObject) of this name over header and rows (an added CategoryHistory)

    @property
    def width(self) -> int:
        return len(self.number_formats)

    @property
    def data_rows(self) -> int:
        return len(self.values) - self.header_row


def cell_text(value: str) -> str:
    """Text that Excel must not read as a formula keeps a leading apostrophe (shown as text)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def hyperlink(text: str, target: str) -> str:
    """A HYPERLINK formula to a cell of this workbook ("'Sheet'!B7")."""
    def quoted(s: str) -> str:
        return '"' + s.replace('"', '""') + '"'

    return f"=HYPERLINK({quoted('#' + target)},{quoted(text)})"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _cell(value: object, kind: str) -> object:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if kind == "link" and isinstance(value, tuple):
        text, target = value
        return hyperlink(str(text), str(target))
    if kind == "cents" and isinstance(value, Integral | Decimal) and not isinstance(value, bool):
        return float(Decimal(int(value)) / 100)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        return cell_text(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def sheet_block(sheet: OutputSheet) -> SheetBlock:
    """The values, formats and print layout of an output sheet, as the headless writer lays them out."""
    columns = list(sheet.columns)
    kinds = [c.kind for c in columns]
    values: Grid = []
    if sheet.title:
        values.append([cell_text(sheet.title)] + [None] * (len(kinds) - 1))
    values.append([cell_text(c.header) for c in columns])
    frame = isinstance(sheet.rows, pd.DataFrame)
    rows = list(sheet.rows.itertuples(index=False) if frame else sheet.rows)
    for row in rows:
        values.append([_cell(v, k) for v, k in zip(row, kinds, strict=False)])
    # the rows the file writer measures: of a frame a spread, of a stream its first ones
    picks = sample_positions(len(rows)) if frame else range(min(len(rows), SAMPLE_ROWS))
    samples = column_samples([[None if _missing(v) else v for v in rows[i]] for i in picks], len(columns))
    layout = layouts(columns, samples, filter_arrow=sheet.filter_buttons)
    widths = [c.width for c in layout]
    wrapping = [i for i, c in enumerate(layout) if c.wrap]
    row_heights = {}
    for i, row in enumerate(rows if wrapping or not frame else ()):  # frames hold no header-looking cells
        ht = row_height(row, columns, layout, wrapping)
        if ht is not None:
            row_heights[sheet.header_row + 1 + i] = ht
    printed = printed_widths(widths, sheet.charts)
    landscape = choose_landscape(printed, sheet.page)
    repeat = key_columns(kinds)
    wide = pages_wide(printed, sheet.page, landscape, repeat, charts=bool(sheet.charts))
    first = title_start(wide, repeat)
    span = max(title_span(widths, wide), first + 1)
    if sheet.title and first:  # the title moves past the repeated code and name columns
        values[0] = [None] * first + [values[0][0]] + [None] * (len(kinds) - first - 1)
    return SheetBlock(
        name=sheet.name,
        values=values,
        header_row=sheet.header_row,
        number_formats=[NUMBER_FORMATS[k] for k in kinds],
        widths=widths,
        tab_color=sheet.tab_color,
        protect=sheet.protect,
        charts=list(getattr(sheet, "charts", ())),
        header_align=[c.align for c in layout],
        wrap=[c.wrap for c in layout],
        header_height=header_height(columns, widths, sheet.filter_buttons),
        title_height=title_height(sheet.title, widths[first:span]) if sheet.title else None,
        title_span=span,
        title_first=first,
        row_heights=row_heights,
        page=sheet.page,
        landscape=landscape,
        pages_wide=wide,
        repeat_columns=repeat if wide > 1 else 0,
        fills=list(getattr(sheet, "fills", ())),
        visibility=sheet.visibility,
        table=sheet.table,
    )


# ------------------------------------------------------------------- in memory


@dataclass
class MemoryHost:
    """A workbook in memory: grids per sheet, tables, and a record of what was written and said."""

    grids: dict[str, Grid]
    table_infos: list[TableInfo] = field(default_factory=list)
    name: str = "memory.xlsm"
    written: dict[str, SheetBlock] = field(default_factory=dict)
    edits: list[CellEdit] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    file: Path | None = None  # a saved file holding exactly these cells (tests of the file path)

    def sheet_names(self) -> list[str]:
        return [*self.grids, *(n for n in self.written if n not in self.grids)]

    def saved_file(self) -> Path | None:
        return None if self.written or self.edits else self.file

    def tables(self) -> list[TableInfo]:
        return list(self.table_infos)

    def read_grid(self, sheet: str) -> Grid:
        if sheet in self.written:
            return [list(r) for r in self.written[sheet].values]
        return [list(r) for r in self.grids[sheet]]

    def write_sheet(self, block: SheetBlock) -> None:
        self.written[block.name] = block
        if block.table is not None:  # the new Table, as Excel lists it once made
            self.table_infos = [t for t in self.table_infos if t.name != block.table]
            ref = format_range(block.header_row, 0, max(len(block.values), block.header_row + 1), block.width - 1)
            self.table_infos.append(TableInfo(block.table, block.table, block.name, ref, 1, "",
                                              columns=tuple(map(str, block.values[block.header_row - 1]))))

    def set_cells(self, edits: Sequence[CellEdit]) -> None:
        from ..schema import column_index

        for e in edits:
            grid = self.grids[e.sheet]
            row, col = e.row - 1, column_index(e.col_letter)
            while len(grid) <= row:
                grid.append([])
            while len(grid[row]) <= col:
                grid[row].append(None)
            grid[row][col] = e.value
            self.edits.append(e)

    def highlight(self, marks: Sequence[Highlight]) -> None:
        self.highlights = list(marks)

    def append_rows(self, block: AppendRows) -> None:
        grid = self.grids[block.sheet]
        table = next((t for t in self.table_infos if t.name == block.table_name), None)
        top, left = append_position(grid, table.ref if table else None, block.start_col_letter)
        for i, row in enumerate(block.rows):
            while len(grid) < top + i:
                grid.append([])
            line = grid[top + i - 1]
            line.extend([None] * (left + len(row) - len(line)))
            line[left:left + len(row)] = list(row)
        if table is not None:  # the Table grows, as Excel's does when rows are typed below it
            r1, c1, r2, c2 = parse_range(table.ref)
            grown = replace(table, ref=format_range(r1, c1, r2 + len(block.rows), c2))
            self.table_infos[self.table_infos.index(table)] = grown

    def message(self, text: str, title: str = "xlcust") -> None:
        self.messages.append(text)
