"""Edit lists: the changes a command makes to the user's own sheets, as plain data.

The core returns them (rows to append, cells to set, cells to mark) and knows nothing of
how they are applied; each host has one applier: the package writer
(`xlcust.io.package_write.save_package`) for files, `xlcust.excel` for live Excel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CellEdit:
    """Set one cell of a user sheet; the cell keeps its style (s=)."""

    sheet: str
    row: int  # the row number Excel shows
    col_letter: str
    value: object


@dataclass(frozen=True)
class AppendRows:
    """Append rows below a Table (extending its range) or below the sheet's last row.

    With a table, rows start at the table's first column unless start_col_letter says
    otherwise; each new cell copies the style of the cell above it.
    """

    sheet: str
    table_name: str | None
    rows: Sequence[Sequence[object]]
    start_col_letter: str | None = None


@dataclass(frozen=True)
class Highlight:
    """Mark cells (["B7", "C9:C12"]) with xlcust's light-red highlight until the next save."""

    sheet: str
    cells: Sequence[str]
