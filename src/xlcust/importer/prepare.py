"""From a file to the rows to import: read, pick the sheet, map the columns, drop the non-data rows.

Skipped, each reported with its rows: everything above the header (a title, merged or
not), blank rows, subtotal and total rows (合计, 小计, 总计, 本页合计, 本月合计, 累计,
Total, Subtotal, Grand total) and header rows repeated further down (page breaks of an
exported report).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import msg
from ..schema import Sheet, column_letter, normalize_header
from .mapping import IMPORT_SPECS, Mapping, choose_grid, map_columns, parse_map_options
from .report import Issue, SourceInfo, issue, row_ranges
from .source import Grid, Source

_SUBTOTAL = re.compile(r"(本页|本月|本年|本期|本日|全部|总)?(合计|小计|总计|累计)(金额|数)?[:：]?"
                       r"|(sub|grand)?totals?:?")


@dataclass
class Prepared:
    """The data rows of the source: one column per mapped field, raw values, index = source row."""

    spec: Sheet
    grid: Grid
    mapping: Mapping
    frame: pd.DataFrame
    info: SourceInfo
    issues: list[Issue] = field(default_factory=list)

    @property
    def typed(self) -> bool:
        """Cells carry types (a workbook), rather than all being text (a CSV)."""
        return self.grid.format != "csv"

    def letter(self, field_name: str) -> str:
        return column_letter(self.mapping.columns[field_name])

    def header(self, field_name: str) -> str:
        return self.mapping.headers.get(self.mapping.columns[field_name], field_name)


def prepare(source: Source, what: str, *, sheet: str | None = None, maps: Sequence[str] = ()) -> Prepared:
    spec = IMPORT_SPECS[what]
    path = source.path
    overrides = parse_map_options(maps)
    if source.format == "csv":
        if sheet is not None:
            from ..errors import UsageError

            raise UsageError(msg("--sheet is for workbooks; a CSV file has one table"))
        grid = source.grids[0]
    else:
        grid = choose_grid(spec, source.grids, sheet)
    mapping = map_columns(spec, grid, overrides)
    info = SourceInfo(str(path), grid.name, grid.format, grid.encoding, grid.delimiter, grid.sheet,
                      mapping.header_row)
    issues: list[Issue] = []
    if grid.encoding:
        issues.append(issue("IMP_ENCODING", msg("{file} is {encoding} text", file=path.name, encoding=grid.encoding),
                            []))
    if grid.delimiter and grid.delimiter != ",":
        name = {"\t": msg("tabs"), ";": msg("semicolons")}[grid.delimiter]
        issues.append(issue("IMP_DELIMITER", msg("{file} is separated by {separator}", file=path.name,
                                                 separator=name), []))
    if grid.sheet and len(grid.sheets) > 1:
        issues.append(issue("IMP_SHEET", msg("Read sheet '{sheet}' (of {sheets}); choose another with --sheet",
                                             sheet=grid.sheet, sheets=", ".join(grid.sheets)), []))
    for letter, header in mapping.ignored:
        issues.append(issue("IMP_COLUMN_IGNORED", msg("Column {letter} '{header}' is not a field xlcust imports",
                                                      letter=letter, header=header),
                            [mapping.header_row], column=letter,
                            suggestion=msg("Map it with --map if it holds one (e.g. --map '{header}=memo')",
                                           header=header)))

    cells = grid.cells
    above = cells.loc[: mapping.header_row - 1]
    if len(above) and not _blank_rows(above).all():
        issues.append(issue("IMP_TITLE_ROWS", msg("Rows above the header (row {row}) are a title; ignored",
                                                  row=mapping.header_row),
                            above.index[~_blank_rows(above)].to_numpy()))
    body = cells.loc[mapping.header_row + 1:]
    blank, subtotal = _row_flags(body)
    subtotal &= ~blank
    repeated = _repeated_headers(body, mapping) & ~blank & ~subtotal
    if blank.any():
        rows = body.index[blank].to_numpy()
        issues.append(issue("IMP_BLANK_ROWS", msg("{n} blank row(s) skipped (rows {rows})", n=f"{len(rows):,}",
                                                  rows=row_ranges(rows)), rows))
    for row in body.index[subtotal]:
        text = next(str(v).strip() for v in body.loc[row] if isinstance(v, str) and _SUBTOTAL.fullmatch(
            normalize_header(v)))
        issues.append(issue("IMP_SUBTOTAL_ROW", msg("Row {row} is a subtotal/total row ('{text}'); skipped", row=row,
                                                    text=text), row))
    if repeated.any():
        rows = body.index[repeated].to_numpy()
        issues.append(issue("IMP_HEADER_REPEATED", msg("Header repeated on row(s) {rows}; skipped",
                                                       rows=row_ranges(rows)), rows))
    data = body[~(blank | subtotal | repeated)]
    fields = list(mapping.columns)
    frame = pd.DataFrame({f: data[mapping.columns[f]].to_numpy(dtype=object) for f in fields}, index=data.index,
                         dtype=object)
    if grid.format == "csv":
        frame = frame.replace({"": None})
    info.rows = len(body)
    return Prepared(spec, grid, mapping, frame, info, issues)


def _flags(column: pd.Series, test, blank_value: bool = False) -> np.ndarray:
    """test(value) per cell of one column, evaluated once per distinct value."""
    codes, uniques = pd.factorize(pd.Series(column.to_numpy(dtype=object), dtype=object), use_na_sentinel=True)
    flags = np.array([bool(test(u)) for u in uniques] + [blank_value], dtype=bool)
    return flags[codes]


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _is_subtotal(v: object) -> bool:
    if not isinstance(v, str) or len(v) > 24:
        return False
    if "计" not in v and "otal" not in v and "OTAL" not in v:  # cheap test before normalising
        return False
    return bool(_SUBTOTAL.fullmatch(normalize_header(v)))


def _row_flags(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(blank rows, subtotal rows), one pass over each column's distinct values."""
    blank = np.ones(len(cells), dtype=bool)
    subtotal = np.zeros(len(cells), dtype=bool)
    for j in range(cells.shape[1]):
        codes, uniques = pd.factorize(pd.Series(cells.iloc[:, j].to_numpy(dtype=object), dtype=object),
                                      use_na_sentinel=True)
        blank &= np.array([_is_blank(u) for u in uniques] + [True], dtype=bool)[codes]
        subtotal |= np.array([_is_subtotal(u) for u in uniques] + [False], dtype=bool)[codes]
    return blank, subtotal


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    return _row_flags(cells)[0]


def _repeated_headers(cells: pd.DataFrame, mapping: Mapping) -> np.ndarray:
    """Rows where at least half the mapped columns (and the first) repeat their header."""
    cols = list(mapping.columns.values())
    out = np.zeros(len(cells), dtype=bool)
    if len(cols) < 2 or not len(cells):
        return out

    def same(c: int, values: pd.Series) -> np.ndarray:
        want = normalize_header(mapping.headers.get(c, ""))
        return _flags(values, lambda v: isinstance(v, str) and normalize_header(v) == want) if want else \
            np.zeros(len(values), dtype=bool)

    first = same(cols[0], cells[cols[0]])
    if not first.any():
        return out
    candidates = cells[first]
    hits = sum(same(c, candidates[c]).astype(int) for c in cols)
    out[np.flatnonzero(first)[hits * 2 >= len(cols)]] = True
    return out
