"""Whole columns of one type, read straight into arrays (fastexcel), for the big sheets.

A registry at Excel's limit has a million transaction rows. Reading them cell by
cell into Python objects costs more than everything xlcust does with them, and
almost always every cell of a column has the same type: the dates are dates, the
amounts numbers, the codes text. fastexcel reads such a column into one Arrow array
(no Python object per cell), and in *strict* mode, inferring each column's type from
every row, it refuses a column whose cells are of mixed types.

So a sheet is read here when its columns are uniform; when any column is mixed (a
date typed as text among real dates, a code typed as a number among text codes)
`read_columns` returns None and the reader reads that sheet cell by cell, where each
odd cell gets its own finding. Both paths give the same `RawSheet`: a uniform
column arrives as a typed Series (float64 numbers, datetime64 dates, Arrow-backed
text) that `xlcust.celltypes` converts without looking at cells one by one.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..celltypes import ExcelError

# fastexcel logs a warning for each column with no value at all (it reads it as text);
# an empty optional column is ordinary in a registry, and the warning must not reach the user.
logging.getLogger("fastexcel").addHandler(logging.NullHandler())


def open_columns(source: str | bytes) -> Any | None:
    """A fastexcel reader on the workbook, or None when fastexcel cannot open it (the cell reader will say why).

    `source` is the checked package's bytes (`Package.for_native_readers`), or a path in tests.
    """
    # Imported here, not at the top: the file readers need fastexcel, xlwings Lite (no
    # wasm wheel of it) reads through Excel and must be able to import xlcust without it.
    import fastexcel

    try:
        return fastexcel.read_excel(source)
    except fastexcel.FastExcelError:
        return None


def read_columns(
    reader: Any,
    sheet_name: str,
    *,
    header_row: int,
    columns: list[int],
    names: list[str],
    rows: int | None,
) -> list[pd.Series] | None:
    """The data below the header, one Series per requested column, or None when a column is mixed.

    `header_row` and `columns` are 0-based positions in the sheet; `names` are the
    header texts the caller saw there, checked against fastexcel's so that a sheet laid
    out otherwise than assumed falls back rather than shifting columns. Cells holding an
    Excel error value come back as `ExcelError`, as the cell reader gives them.
    """
    import fastexcel

    try:
        sheet = reader.load_sheet(
            sheet_name, header_row=header_row, use_columns=columns, n_rows=rows,
            dtype_coercion="strict", schema_sample_rows=None,
        )
        batch, problems = sheet.to_arrow_with_errors()
    except (fastexcel.FastExcelError, ValueError, TypeError, IndexError):
        return None  # mixed types, or a sheet laid out otherwise than the header suggested
    if [str(n) for n in batch.schema.names] != names:
        return None
    marks: dict[int, dict[int, str]] = {c: {} for c in columns}
    for problem in problems.errors if problems is not None else ():
        text = _error_text(problem.detail)
        row, column = problem.offset_position
        if text is None or column not in marks:
            return None  # not an error value: let the cell reader show what it is
        marks[column][row] = text
    out = []
    for column, at in zip(batch.columns, columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)  # '' is blank
        series = _with_errors(column, marks[at]) if marks[at] else _series(column)
        if series is None:
            return None
        out.append(series)
    return out


# calamine's names for the error values a cell can hold, as Excel shows them
_ERRORS = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!", "Num": "#NUM!",
           "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA"}
_ERROR_DETAIL = re.compile(r"got '?Error\((\w+)\)'?$")


def _error_text(detail: str) -> str | None:
    m = _ERROR_DETAIL.search(detail)
    return _ERRORS.get(m[1]) if m else None


def _series(column: pa.Array) -> pd.Series | None:
    """A uniform Arrow column as the Series typing expects."""
    t = column.type
    if pa.types.is_null(t):
        return pd.Series(np.full(len(column), None, dtype=object), dtype=object)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([column])))
    if pa.types.is_floating(t) or pa.types.is_integer(t):
        return pd.Series(pc.fill_null(column.cast(pa.float64()), np.nan).to_numpy(zero_copy_only=False))
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        try:
            return pd.Series(column.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False))
        except pa.ArrowInvalid:  # a date past what pandas holds (after 2262): the cell reader decides
            return None
    if pa.types.is_boolean(t):
        return pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
    return None  # durations and the like: let the cell reader show them as they are


def _with_errors(column: pa.Array, marks: dict[int, str]) -> pd.Series:
    """A column holding error values, cell by cell, the error cells (blank to fastexcel) restored."""
    values = np.array(column.to_pylist(), dtype=object)
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        values = np.array([None if v is None else pd.Timestamp(v) for v in values], dtype=object)
    for i, text in marks.items():
        if 0 <= i < len(values):
            values[i] = ExcelError(text)
    return pd.Series(values, dtype=object)
