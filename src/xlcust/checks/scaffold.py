"""The scaffold the checks repeat: is the column there, which rows, one finding per cell.

    if not readable(t, "code"):          # a missing sheet or column is the structure check's finding
        return
    yield from per_cell(error, "CUS_CODE_MISSING", t, "code", blank_rows(t, "code"),
                        msg("Customer code is blank"), msg("Give the customer a code"))

`message`, `suggestion` and `value` are either the same for every row or a function of
the row (`lambda row: msg(..., code=t.data.at[row, "code"])`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pandas as pd

from ..findings import Finding
from ..i18n import Msg
from ..tables import SheetTable
from .cells import blank_mask

Make = Callable[..., Finding]  # findings.error, warning or info
PerRow = Callable[[int], object]


def readable(table: SheetTable, *fields: str) -> bool:
    """The sheet is there with every one of `fields` (when not, the structure checks say so)."""
    return table.present and all(table.has(f) for f in fields)


def blank_rows(table: SheetTable, field: str) -> pd.Index:
    """Rows whose `field` cell is empty (not those holding something unreadable)."""
    return table.data.index[blank_mask(table, field).to_numpy()]


def per_cell(make: Make, code: str, table: SheetTable, field: str, rows: Iterable[int],
             message: Msg | str | PerRow, suggestion: Msg | str | PerRow | None = None, *,
             value: object | PerRow = None) -> Iterator[Finding]:
    """One finding of `code` at the `field` cell of each row in `rows`."""

    def at(part: object, row: int) -> object:
        return part(row) if callable(part) else part

    for row in rows:
        extra: dict[str, object] = {}
        if suggestion is not None:
            extra["suggestion"] = at(suggestion, row)
        shown = at(value, row)
        if shown is not None:
            extra["value"] = shown
        yield make(code, table.name, at(message, row), **table.where(field, row), **extra)
