"""The registry as the core sees it: typed tables with provenance, no Excel host.

A `SheetTable` holds one input sheet twice: `raw` (the cell values exactly as read,
object dtype) and `data` (typed: codes as text, dates as datetime64, money as
integer cents in nullable Int64). Both are indexed by the row number Excel shows,
so any check can name the cell: `table.where(field, row)`.

`Book` bundles the six input tables of DESIGN §2, the optional Risk table of the
credit score, and the resolved settings. Readers (headless
file, xlwings, in-memory for tests) all produce a `Book`; see `xlcust.io.reader`
and `Book.from_rows`. The tables' types are `xlcust.tables`; typing raw cells is
`xlcust.celltypes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .celltypes import type_sheet
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
)
from .settings import SettingEntry, Settings, resolve_settings
from .tables import RawSheet, SheetTable

__all__ = ["Book", "RawSheet", "SheetTable", "book_from_tables", "build_book"]


def empty_memory() -> pd.DataFrame:
    """No memory of categories (`xlcust.memory`): a workbook xlcust has not written to yet."""
    return pd.DataFrame({"category_code": pd.Series([], dtype=object),
                         "seen_on": pd.Series([], dtype="datetime64[ns]")},
                        index=pd.Index([], dtype=object, name="customer_code"))


def memory_frame(rows: list[tuple[object, object, object]]) -> pd.DataFrame:
    """Rows (customer_code, category_code, seen_on) as read → the frame a Book keeps.

    Rows without a customer or category are dropped; a repeated customer keeps its first row.
    """
    frame = empty_memory()
    good = [(str(c).strip(), str(k).strip(), s) for c, k, s in rows
            if c is not None and k is not None and str(c).strip() and str(k).strip()]
    if not good:
        return frame
    codes, cats, seen = zip(*good, strict=True)
    frame = pd.DataFrame({"category_code": pd.Series(cats, dtype=object),
                          "seen_on": pd.to_datetime(pd.Series(seen), errors="coerce")})
    frame.index = pd.Index(codes, dtype=object, name="customer_code")
    return frame[~frame.index.duplicated()]



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
    # Each used customer's category at xlcust's last run (`xlcust.memory`): customer_code → category_code, seen_on.
    remembered: pd.DataFrame = field(default_factory=empty_memory)
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
        remembered: list[tuple[object, object, object]] | None = None,
    ) -> Book:
        """An in-memory book for tests: rows as dicts of canonical field → cell value.

        Values go through the same typing as a file read, so a test can write
        `{"amount": "1,2,3"}` and get the same finding a user would. Rows are placed
        as if the header were on row 1 and columns in schema order. `remembered` is
        xlcust's memory of categories, (customer_code, category_code, seen_on) rows.
        """
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
        book = build_book(raws, path=None)
        book.remembered = memory_frame(remembered or [])
        return book


def _absent(spec: Sheet) -> SheetTable:
    """The typed table of a sheet the workbook does not have."""
    return type_sheet(None, spec)


def build_book(raws: dict[str, RawSheet | None], path: str | None) -> Book:
    """Type every sheet and resolve settings."""
    findings: list[Finding] = []
    for raw in raws.values():
        if raw is not None:
            findings.extend(raw.findings)
    tables = {key: type_sheet(raws.get(key), spec) for key, spec in (
        (s.key, s) for s in (SETTINGS, CATEGORIES, CUSTOMERS, TRANSACTIONS, RULES, HISTORY, RISK)
    )}
    return book_from_tables(tables, findings, path)


def book_from_tables(tables: dict[str, SheetTable], findings: list[Finding], path: str | None) -> Book:
    """A `Book` of sheets typed already (`type_sheet`), by `Sheet.key`, every input sheet present
    (a missing one as `type_sheet(None, spec)`); `findings` are the readers'. Resolves settings.

    The worksheet functions type each table once and build many books from the same typed
    tables (`xlcust.excel.cells`); a table is never changed after typing, so books may share it.
    """
    st = tables[SETTINGS.key]
    entries = []
    if st.present and "key" in st.raw.columns:
        values = st.raw["value"] if "value" in st.raw.columns else pd.Series(None, index=st.raw.index)
        entries = [
            SettingEntry(k, v, int(row))
            for row, k, v in zip(st.raw.index, st.raw["key"], values, strict=True)
        ]
    settings, setting_findings = resolve_settings(
        entries, st.name, st.columns.get("key", "A"), st.columns.get("value", "B")
    )
    findings.extend(setting_findings)
    return Book(
        settings=settings,
        settings_table=st,
        categories=tables[CATEGORIES.key],
        customers=tables[CUSTOMERS.key],
        transactions=tables[TRANSACTIONS.key],
        rules=tables[RULES.key],
        history=tables[HISTORY.key],
        risk=tables[RISK.key],
        read_findings=findings,
        path=path,
    )
