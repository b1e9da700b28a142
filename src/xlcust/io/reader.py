"""Headless reader: an .xlsx/.xlsm file → `Book`, every value stamped with its cell.

A sheet whose columns each hold one type of value (the usual case, and the only
one that matters at a million rows) is read by whole columns (`xlcust.io.columns`,
fastexcel); any other sheet cell by cell (python-calamine), so that each odd cell can
be named. What neither tells us — which cells hold Excel error values, where the
Tables are, where the header is before reading the whole sheet — comes from the
package itself (`xlcust.io.package`, `xlcust.io.peek`). Structure problems (missing sheet, missing
column, a title row above the header, blank rows inside the data, unknown
columns) become findings here, not exceptions.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..book import Book, RawSheet, build_book
from ..celltypes import ExcelError
from ..errors import CorruptWorkbook
from ..findings import Finding, error, info, warning
from ..headers import HEADER_SCAN_ROWS, HeaderMatch, match_header
from ..i18n import N_, msg
from ..schema import INPUT_SHEETS, SETTINGS, Sheet, column_index, column_letter, normalize_header
from . import safezip
from .columns import open_columns, read_columns
from .memory import read_memory
from .package import Package, TableInfo, open_package
from .peek import head_rows

if TYPE_CHECKING:  # the readers import it when they open a file: xlwings Lite has no wheel of it
    import python_calamine


def read_book(path: str | Path) -> Book:
    """Read a registry workbook. Raises WorkbookError only when the file is unusable."""
    pkg = open_package(path)
    raws = read_raw_sheets(pkg)
    book = build_book(raws, path=str(path))
    book.remembered = read_memory(pkg)
    book.source = pkg.fingerprint()
    return book


def read_raw_sheets(pkg: Package) -> dict[str, RawSheet | None]:
    """Each input sheet, by whole columns where its columns are uniform, else cell by cell."""
    columns = open_columns(pkg.for_native_readers())
    cells: list[python_calamine.CalamineWorkbook] = []  # opened on first use

    def read(spec: Sheet, sheet_name: str, table: TableInfo | None) -> RawSheet:
        if columns is not None and spec.key != SETTINGS.key:  # settings values are of every type by design
            pkg.for_native_readers(sheet_name)  # fastexcel inflates this sheet next: its size must be honest
            raw = raw_sheet_from_columns(pkg, columns, spec, sheet_name, table)
            if raw is not None:
                return raw
        if not cells:
            cells.append(_open_cells(pkg))
        import python_calamine  # here, not at the top: xlwings Lite imports xlcust without it

        try:
            grid = cells[0].get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except python_calamine.CalamineError as exc:  # malformed XML in the sheet part: the file, not a bug
            raise safezip.damaged(pkg.path.name, N_("sheet {sheet} cannot be read: {error}"),
                                  sheet=sheet_name, error=str(exc)) from None
        return raw_sheet_from_grid(spec, sheet_name, grid, table=table, errors=pkg.error_cells(sheet_name))

    return raw_sheets(pkg.sheet_names(), pkg.tables(), read)


def _open_cells(pkg: Package) -> python_calamine.CalamineWorkbook:
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(pkg.for_native_readers()))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise CorruptWorkbook(msg("{name}: cannot read the workbook ({error}); open it in Excel and save it again",
                                  name=pkg.path.name, error=exc)) from None


def raw_sheets(
    sheet_names: list[str],
    tables: list[TableInfo],
    read: Callable[[Sheet, str, TableInfo | None], RawSheet],
) -> dict[str, RawSheet | None]:
    """Find each input sheet by its English/Chinese names (or its Table) and read it.

    Shared by every host: the file reader and the live-Excel adapter differ only in `read`.
    """
    by_norm = {normalize_header(n): n for n in sheet_names}
    raws: dict[str, RawSheet | None] = {}
    for spec in INPUT_SHEETS:
        sheet_name = _find_sheet(spec, by_norm, tables)
        table = None if sheet_name is None else next((t for t in tables if t.sheet == sheet_name), None)
        raws[spec.key] = None if sheet_name is None else read(spec, sheet_name, table)
    return raws


def _find_sheet(spec: Sheet, by_norm: dict[str, str], tables: list[TableInfo]) -> str | None:
    for alias in spec.all_names:
        name = by_norm.get(normalize_header(alias))
        if name is not None:
            return name
    for t in tables:  # a Table named tblCustomers on a sheet called whatever
        if normalize_header(t.name) == normalize_header(spec.table):
            return t.sheet
    return None


def raw_sheet_from_grid(
    spec: Sheet,
    sheet_name: str,
    grid: list[list[object]],
    *,
    table: TableInfo | None = None,
    errors: dict[tuple[int, int], str] | None = None,
) -> RawSheet:
    """Locate the header, map columns, cut the data block; findings for odd structure."""
    start, stop, last = _header_window(table)
    data_stop = len(grid) if last is None else min(last + 1, len(grid))
    header = match_header(spec, grid, start, stop)
    if header is None:
        return _no_header(spec, sheet_name, start)
    findings = _header_findings(spec, sheet_name, grid, header, table)
    hrow = header.row + 1  # Excel row number
    fields = list(header.columns)
    cols = [header.columns[f] for f in fields]
    body = grid[header.row + 1 : data_stop]
    width = max(cols) + 1 if cols else 0
    rows = [(r + list(None for _ in range(width - len(r))))[:width] if len(r) < width else r
            for r in body]
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=range(width))
    if len(frame.columns) < width:
        for c in range(len(frame.columns), width):
            frame[c] = None
    frame = frame[cols] if cols else frame.iloc[:, :0]
    frame.columns = fields
    frame.index = pd.RangeIndex(hrow + 1, hrow + 1 + len(frame))
    for field in fields:  # calamine gives '' for an empty cell
        values = frame[field].to_numpy(dtype=object)
        try:
            empty = values == ""
        except TypeError:  # a pandas.NA among them refuses ==; look cell by cell
            empty = np.array([type(v) is str and not v for v in values], dtype=bool)
        if empty.any():
            values = values.copy()
            values[empty] = None
            frame[field] = pd.Series(values, index=frame.index, dtype=object)  # object: pandas would infer str

    if errors:
        for (row, col), value in errors.items():
            if row in frame.index and col in cols:
                frame.at[row, fields[cols.index(col)]] = ExcelError(value)
    return _raw_sheet(spec, sheet_name, header, frame, findings, table)


def raw_sheet_from_columns(
    pkg: Package,
    reader: Any,
    spec: Sheet,
    sheet_name: str,
    table: TableInfo | None,
) -> RawSheet | None:
    """The same `RawSheet` as `raw_sheet_from_grid`, read by whole columns; None when a column is mixed.

    The header is found in the sheet's first rows (`head_rows`), then fastexcel reads
    the mapped columns below it (`xlcust.io.columns`).
    """
    start, stop, last = _header_window(table)
    head = head_rows(pkg, sheet_name, HEADER_SCAN_ROWS if stop is None else stop)
    header = match_header(spec, head, start, stop)
    if header is None:
        return None  # the cell reader says what is wrong
    fields = list(header.columns)
    cols = [header.columns[f] for f in fields]
    series = read_columns(
        reader, sheet_name, header_row=header.row, columns=cols,
        names=[str(head[header.row][c]) for c in cols],
        rows=None if last is None else max(0, last - header.row),
    )
    if series is None:
        return None
    return raw_sheet_from_series(spec, sheet_name, head, header, series, table)


def raw_sheet_from_series(
    spec: Sheet,
    sheet_name: str,
    head: list[list[object]],
    header: HeaderMatch,
    series: list[pd.Series],
    table: TableInfo | None = None,
) -> RawSheet:
    """The `RawSheet` of a sheet read by whole columns, however they were read.

    `series` are the data below the header, one per field `header` maps (in its order);
    `head` the sheet's rows down to the header, for the findings about them. The file
    reader (fastexcel) and the worksheet functions (Excel's lists of rows, column by
    column: `xlcust.excel.gridtable`) both end here.
    """
    fields = list(header.columns)
    first = header.row + 2  # Excel row of the first data row
    length = len(series[0]) if series else 0
    frame = pd.DataFrame({f: s.set_axis(pd.RangeIndex(first, first + length))
                          for f, s in zip(fields, series, strict=True)})
    findings = _header_findings(spec, sheet_name, head, header, table)
    return _raw_sheet(spec, sheet_name, header, frame, findings, table)


def _header_window(table: TableInfo | None) -> tuple[int, int | None, int | None]:
    """(first row to look for the header, row to stop looking, last data row), 0-based.

    A Table says where its header and last row are; a plain range is searched from the top.
    """
    if table is None:
        return 0, None, None
    (r0, _c0), (r1, _c1) = _ref_bounds(table.ref)
    return r0, r0 + 1, r1


def _no_header(spec: Sheet, sheet_name: str, start: int) -> RawSheet:
    finding = error(
        "HDR_NOT_FOUND", sheet_name,
        msg("No header row naming {sheet} columns in the first {n} rows", sheet=spec, n=HEADER_SCAN_ROWS),
        row=start + 1,
        suggestion=msg("Headers such as {headers}", headers=spec.required_header_list),
    )
    return RawSheet(spec, sheet_name, 1, {}, pd.DataFrame(index=pd.RangeIndex(0)), findings=[finding])


def _header_findings(
    spec: Sheet, sheet_name: str, grid: list[list[object]], header: HeaderMatch, table: TableInfo | None
) -> list[Finding]:
    """Title rows, a plain range, unknown, duplicate and missing columns."""
    findings: list[Finding] = []
    hrow = header.row + 1  # Excel row number
    if table is None and header.row > 0 and any(
        v not in (None, "") for row in grid[: header.row] for v in row
    ):
        findings.append(info(
            "HDR_TITLE_ROW", sheet_name,
            msg("Rows above the header (row {row}) are treated as a title and ignored", row=hrow),
            row=1,
        ))
    if table is None:
        findings.append(info(
            "SHEET_NOT_TABLE", sheet_name,
            msg("Data is a plain range, not an Excel Table"),
            row=hrow,
            suggestion=msg("Select the data and press Ctrl+T so new rows stay inside the table"),
        ))
    for c, text in header.unknown:
        findings.append(info(
            "HDR_UNKNOWN_COLUMN", sheet_name,
            msg("Column '{text}' is not one xlcust uses; it is kept as is", text=text),
            row=hrow, column=column_letter(c), value=text,
        ))
    for c, text, field in header.duplicates:
        findings.append(error(
            "HDR_DUPLICATE_COLUMN", sheet_name,
            msg("Column '{text}' is a second '{field}' column; only the first ({first}) is read",
                text=text, field=spec.by_name.get(field, field), first=column_letter(header.columns[field])),
            row=hrow, column=column_letter(c), field=field, value=text,
            suggestion=msg("Rename or delete one of them"),
        ))
    for col in spec.required_columns:
        if col.name not in header.columns:
            findings.append(error(
                "HDR_MISSING_COLUMN", sheet_name,
                msg("Required column '{column}' is missing", column=col),
                row=hrow, field=col.name,
                suggestion=msg("Add a column headed '{en}' or '{zh}'", en=col.en, zh=col.zh),
            ))
    return findings


def _raw_sheet(
    spec: Sheet, sheet_name: str, header: HeaderMatch, frame: pd.DataFrame, findings: list[Finding],
    table: TableInfo | None,
) -> RawSheet:
    """Drop blank rows (warning about those inside the data) and wrap up."""
    blank = frame.isna().all(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    if blank.any():
        last = np.flatnonzero(~blank)
        if len(last):
            inner = np.flatnonzero(blank[: last[-1]])
            if len(inner):
                first_rows = frame.index[inner]
                findings.append(warning(
                    "ROW_BLANK", sheet_name,
                    msg("{n} blank row(s) inside the data (first: row {first}); rows after them are still read",
                        n=len(inner), first=first_rows[0]),
                    row=int(first_rows[0]),
                    suggestion=msg("Delete blank rows so filters and Tables cover all the data"),
                ))
        frame = frame[~blank]
    letters = {f: column_letter(c) for f, c in header.columns.items()}
    return RawSheet(
        spec, sheet_name, header.row + 1, letters, frame,
        table_name=table.name if table else None, table_ref=table.ref if table else None,
        findings=findings,
    )


def _ref_bounds(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """'B5:H200' → ((4, 1), (199, 7)), 0-based."""
    a, _, b = ref.replace("$", "").partition(":")
    b = b or a

    def split(cell: str) -> tuple[int, int]:
        letters = "".join(ch for ch in cell if ch.isalpha())
        digits = "".join(ch for ch in cell if ch.isdigit())
        return int(digits) - 1, column_index(letters)

    return split(a), split(b)

