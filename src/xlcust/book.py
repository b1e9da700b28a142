"""The registry as the core sees it: typed tables with provenance, no Excel host.

A `SheetTable` holds one input sheet twice: `raw` (the cell values exactly as read,
object dtype) and `data` (typed: codes as text, dates as datetime64, money as
integer cents in nullable Int64). Both are indexed by the row number Excel shows,
so any check can name the cell: `table.where(field, row)`.

`Book` bundles the six input tables of DESIGN §2, the optional Risk table of the
credit score, and the resolved settings. Readers (headless
file, xlwings, in-memory for tests) all produce a `Book`; see `xlcust.io.reader`
and `Book.from_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .findings import Finding
from .schema import (
    CATEGORIES,
    CUSTOMERS,
    HISTORY,
    INPUT_SHEETS,
    RISK,
    RULES,
    SETTINGS,
    TRANSACTIONS,
    Sheet,
    column_letter,
)
from .settings import Settings


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
class Book:
    """The whole registry, typed. Findings made while reading travel with it."""

    settings: Settings
    settings_table: SheetTable
    categories: SheetTable
    customers: SheetTable
    transactions: SheetTable
    rules: SheetTable
    history: SheetTable
    risk: SheetTable = field(default_factory=lambda: _absent(RISK))  # optional; see xlcust.credit.risk
    read_findings: list[Finding] = field(default_factory=list)
    path: str | None = None
    # (mtime ns, size, digest) of the file as it was read: a writer refuses to replace a book changed since.
    source: tuple[int, int, str] | None = None

    def tables(self) -> tuple[SheetTable, ...]:
        """The six sheets of DESIGN §2 (the Risk table is `risk`, read and checked by the credit area)."""
        return (
            self.settings_table,
            self.categories,
            self.customers,
            self.transactions,
            self.rules,
            self.history,
        )

    @classmethod
    def from_rows(
        cls,
        *,
        settings: dict[str, object] | None = None,
        categories: list[dict] | None = None,
        customers: list[dict] | None = None,
        transactions: list[dict] | None = None,
        rules: list[dict] | None = None,
        history: list[dict] | None = None,
        risk: list[dict] | None = None,
    ) -> Book:
        """An in-memory book for tests: rows as dicts of canonical field → cell value.

        Values go through the same typing as a file read, so a test can write
        `{"amount": "1,2,3"}` and get the same finding a user would. Rows are placed
        as if the header were on row 1 and columns in schema order.
        """
        from .io.typing import build_book  # local: typing imports this module

        rows = {
            SETTINGS.key: [{"key": k, "value": v} for k, v in (settings or {}).items()],
            CATEGORIES.key: categories or [],
            CUSTOMERS.key: customers or [],
            TRANSACTIONS.key: transactions or [],
            RULES.key: rules,
            HISTORY.key: history,
            RISK.key: risk,
        }
        raws: dict[str, RawSheet | None] = {}
        for spec in INPUT_SHEETS:
            data = rows[spec.key]
            if data is None:
                raws[spec.key] = None
                continue
            raws[spec.key] = RawSheet.from_dicts(spec, data)
        return build_book(raws, path=None)


def _absent(spec: Sheet) -> SheetTable:
    """The typed table of a sheet the workbook does not have."""
    from .io.typing import type_sheet  # local: typing imports this module

    return type_sheet(None, spec)


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
