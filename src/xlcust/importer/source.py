"""The file to import, as the host read it: a grid of cells per sheet (`Grid`), and its format.

`xlcust.io.source.read_source` reads a .csv (optionally gzip-compressed), .xlsx/.xlsm or
.xls file into a `Source`; the importer maps and cleans its grids and never opens a file.
Rows are numbered as Excel shows them when it opens the file: a CSV record that spans
lines (a quoted line break) is one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..i18n import msg

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CSV_SUFFIXES = (".csv", ".txt", ".csv.gz", ".txt.gz")


@dataclass
class Grid:
    """A sheet of cells: `cells` has one row per source row (index = the row number Excel shows)."""

    cells: pd.DataFrame  # object values; columns 0..n-1 (source column positions)
    name: str  # how issues name this source: file name, or the sheet of a workbook
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    def head(self, n: int) -> list[list[object]]:
        """The first n rows as lists (for header detection)."""
        return [list(r) for r in self.cells.iloc[:n].itertuples(index=False, name=None)]


def source_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(SPREADSHEET_SUFFIXES):
        return name.rsplit(".", 1)[1]
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise UsageError(msg("{name}: import reads .csv, .xlsx, .xlsm or .xls files (a .csv may be gzip-compressed)",
                         name=path.name))



@dataclass
class Source:
    """A file to import as read: its path, its format (csv, xlsx, xlsm, xls) and its grids.

    A CSV file has one grid; a workbook one per worksheet, in tab order.
    """

    path: Path
    format: str
    grids: list[Grid] = field(default_factory=list)
