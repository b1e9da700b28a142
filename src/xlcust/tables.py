"""One input sheet, before and after typing: `RawSheet` (as a reader hands it over) and `SheetTable`.

A `SheetTable` holds one input sheet twice: `raw` (the cell values exactly as read,
object dtype) and `data` (typed: codes as text, dates as datetime64, money as
integer cents in nullable Int64). Both are indexed by the row number Excel shows,
so any check can name the cell: `table.where(field, row)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .findings import Finding
from .schema import Sheet, column_letter


@dataclass
class SheetTable:
    """One input sheet: raw values, typed values and where each came from."""

    spec: Sheet
    sheet: str | None  # the sheet's name in the workbook; None when the sheet is missing
    raw: pd.DataFrame  # object values as read, columns = canonical field names present
    data: pd.DataFrame  # typed values, same index and columns (all fields of the spec)
    columns: dict[str, str] = field(default_factory=dict)  # field → column letter
    header_row: int = 1
    table_name: str | None = None  # the Excel Table (ListObject) holding the data, if any
    table_ref: str | None = None
    status: dict[str, pd.Series] = field(default_factory=dict)  # field → sparse cell status

    @property
    def name(self) -> str:
        return self.sheet or self.spec.key

    @property
    def present(self) -> bool:
        return self.sheet is not None

    def where(self, field_name: str | None = None, row: int | None = None) -> dict:
        """Keyword arguments locating a cell, for `findings.error(...)` and friends."""
        loc: dict = {"row": None if row is None else int(row)}
        if field_name is not None:
            loc["field"] = field_name
            loc["column"] = self.columns.get(field_name)
        return loc

    def has(self, field_name: str) -> bool:
        return field_name in self.columns

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class RawSheet:
    """What a reader hands to typing: one sheet's header mapping and raw values."""

    spec: Sheet
    sheet: str
    header_row: int
    columns: dict[str, str]  # field → letter
    raw: pd.DataFrame  # index = Excel row numbers, columns = fields present
    table_name: str | None = None
    table_ref: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def from_dicts(cls, spec: Sheet, rows: list[dict]) -> RawSheet:
        fields = [c.name for c in spec.columns if any(c.name in r for r in rows)]
        if not rows:
            fields = [c.name for c in spec.columns]
        for c in spec.required_columns:  # tests of a missing column pass rows without it
            if c.name not in fields and not rows:
                fields.append(c.name)
        letters = {f: column_letter(i) for i, f in enumerate(fields)}
        frame = pd.DataFrame(
            [[r.get(f) for f in fields] for r in rows], columns=fields, dtype=object
        )
        frame.index = pd.RangeIndex(2, 2 + len(rows))
        return cls(spec, spec.key, 1, letters, frame)
