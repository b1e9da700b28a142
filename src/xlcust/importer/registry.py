"""The registry being imported into: what is already there, where new rows land, and what to write.

A host reads the workbook once and hands over its raw and typed tables
(`xlcust.io.importing.open_registry`). The planners ask the `Registry` what exists
(customer codes, tax IDs, normalised names, categories, Txn IDs) and hand back new rows
as dicts of field → cell value. Then

1. lays the rows out in each table's own column order (user tables may order, omit or
   add columns; xlcust fills only the columns it knows and never adds any),
2. checks the registry *as it would be* with the whole registry validation
   (`run_checks`): an error the import would introduce stops it, nothing is written,
3. gives the edit list: rows to append to Customers, Transactions, CategoryHistory and
   Categories (`Registry.edits`); the host appends them and the AuditLog summary in
   one atomic save: all or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..archive import normalize_name
from ..book import Book, RawSheet, SheetTable, build_book
from ..checks import run_checks
from ..codes import CategoryTree, CodingScheme
from ..edits import AppendRows
from ..errors import UsageError
from ..findings import Finding, Severity
from ..i18n import msg
from ..refs import parse_range
from ..schema import CATEGORIES, CUSTOMERS, HISTORY, TRANSACTIONS, column_index
from ..uscc import normalize_uscc

CODE_PREFIX = "C"  # generated customer codes: C + a 4-digit sequence (C0201 after C0200)
CODE_DIGITS = 4
_GENERATED = re.compile(rf"{CODE_PREFIX}(\d+)")


@dataclass
class NewRows:
    """Rows to append to one registry sheet, with the source rows each came from."""

    key: str  # registry sheet key: Customers, Transactions, CategoryHistory, Categories
    records: list[dict[str, object]] = field(default_factory=list)
    sources: list[np.ndarray] = field(default_factory=list)

    def add(self, record: dict[str, object], source_rows: np.ndarray | Sequence[int]) -> None:
        self.records.append(record)
        self.sources.append(np.asarray(source_rows, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.records)


@dataclass
class Placed:
    """Where a sheet's new rows go."""

    table: SheetTable
    first_row: int
    edit: AppendRows

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.edit.rows) - 1


class Registry:
    """A registry workbook opened for import."""

    def __init__(self, path: Path, raws: dict[str, RawSheet | None]) -> None:
        self.path = path
        self.raws = raws  # as read, kept to check the registry as it would be after the import
        self.book: Book = build_book(self.raws, path=str(path))
        for key, spec in ((CUSTOMERS.key, CUSTOMERS), (TRANSACTIONS.key, TRANSACTIONS)):
            t = self.table(key)
            if not t.present:
                raise UsageError(msg("{name} has no {key} sheet ({zh}): is it an xlcust registry? Create one with "
                                     "`xlcust new`", name=path.name, key=spec.key, zh=spec.zh))

    def table(self, key: str) -> SheetTable:
        return {
            CUSTOMERS.key: self.book.customers, TRANSACTIONS.key: self.book.transactions,
            HISTORY.key: self.book.history, CATEGORIES.key: self.book.categories,
        }[key]

    @property
    def lang(self) -> str:
        return self.book.settings.language

    # -- what exists -------------------------------------------------------------------------

    @cached_property
    def scheme(self) -> CodingScheme:
        return CodingScheme.from_settings(self.book.settings)

    @cached_property
    def tree(self) -> CategoryTree:
        return CategoryTree.from_frame(self.book.categories.data, self.scheme)

    @cached_property
    def category_by_name(self) -> dict[str, str]:
        """Normalised category name → code (names used twice are left out: ambiguous)."""
        from ..schema import normalize_header

        seen: dict[str, list[str]] = {}
        for code, name in self.tree.names.items():
            if name:
                seen.setdefault(normalize_header(name), []).append(code)
        return {k: v[0] for k, v in seen.items() if len(v) == 1}

    @cached_property
    def customers(self) -> pd.DataFrame:
        """Registry customers: row, code, name, tax key, name key (first row of a repeated code wins)."""
        d = self.book.customers.data
        return pd.DataFrame({
            "row": d.index.to_numpy(),
            "code": pd.Series(d["code"].to_numpy(dtype=object), dtype=object),
            "name": pd.Series(d["name"].to_numpy(dtype=object), dtype=object),
            "tax": pd.Series(d["tax_id"].map(normalize_uscc, na_action="ignore").to_numpy(dtype=object), dtype=object),
            "name_key": pd.Series(d["name"].map(normalize_name, na_action="ignore").to_numpy(dtype=object),
                                  dtype=object),
        })

    def _first_by(self, column: str) -> dict[str, tuple[int, str, str]]:
        c = self.customers
        c = c[c[column].notna() & (c[column] != "")]
        c = c[~c[column].duplicated()]
        return {k: (int(r), code, name) for k, r, code, name in zip(c[column], c["row"], c["code"], c["name"],
                                                                    strict=True)}

    @cached_property
    def by_code(self) -> dict[str, tuple[int, str, str]]:
        """Customer code → (row, code, name)."""
        return self._first_by("code")

    @cached_property
    def by_tax(self) -> dict[str, tuple[int, str, str]]:
        return self._first_by("tax")

    @cached_property
    def by_name(self) -> dict[str, tuple[int, str, str]]:
        return self._first_by("name_key")

    @cached_property
    def transactions(self) -> pd.DataFrame:
        """Registry transactions by Txn ID (first row of a repeated id): row, customer, kind, amount, date."""
        d = self.book.transactions.data
        ids = pd.Index(d["txn_id"].to_numpy(dtype=object), name="txn_id", dtype=object)

        def column(values: object) -> pd.Series:  # object dtype: None must not become NaN
            return pd.Series(values, index=ids, dtype=object)

        frame = pd.DataFrame({
            "row": pd.Series(d.index.to_numpy(), index=ids),
            "customer": column(d["customer_code"].to_numpy(dtype=object)),
            "kind": column(d["kind"].to_numpy(dtype=object)),
            "amount": column(d["amount"].to_numpy(dtype=object, na_value=None)),
            "date": pd.Series(d["date"].to_numpy(dtype="datetime64[ns]"), index=ids),
        })
        frame = frame[frame.index.notna()]
        return frame[~frame.index.duplicated()]

    def next_code_number(self, also_taken: Sequence[str] = ()) -> int:
        """1 + the highest number of a `C0123`-style code in the registry or `also_taken`."""
        numbers = [int(m[1]) for code in (*self.by_code, *also_taken)
                   if isinstance(code, str) and (m := _GENERATED.fullmatch(code))]
        return max(numbers, default=0) + 1

    @staticmethod
    def code_for(number: int) -> str:
        return f"{CODE_PREFIX}{number:0{CODE_DIGITS}d}"

    # -- placing new rows -------------------------------------------------------------------

    def place(self, new: NewRows) -> Placed:
        t = self.table(new.key)
        if not t.present:
            raise UsageError(msg("{name} has no {key} sheet to add rows to",
                                 name=self.path.name, key=new.key))
        missing = [c.en for c in t.spec.required_columns if c.name not in t.columns]
        if missing:
            raise UsageError(msg("the {sheet} sheet of {book} lacks the column(s) {columns}; run `xlcust check` and "
                                 "fix its header first",
                                 sheet=t.name, book=self.path.name, columns=', '.join(missing)))
        if t.table_name and t.table_ref:
            r1, c1, r2, c2 = parse_range(t.table_ref)
            data_first = r1 + 1
            if r2 < data_first:
                first = data_first
            elif r2 == data_first and r2 not in t.raw.index:
                first = r2  # a new table's one empty row is filled, as AppendRows does
            else:
                first = r2 + 1
            width = c2 - c1 + 1
        else:
            c1 = 0
            width = max(column_index(letter) for letter in t.columns.values()) + 1
            first = max([t.header_row, *t.raw.index.tolist()]) + 1
        positions = {f: column_index(letter) - c1 for f, letter in t.columns.items()}
        rows = []
        for record in new.records:
            row: list[object] = [None] * width
            for f, value in record.items():
                if f in positions and value is not None:
                    row[positions[f]] = value
            rows.append(row)
        edit = AppendRows(t.name, t.table_name, rows, None if t.table_name else "A")
        return Placed(t, first, edit)

    # -- verifying and saving -----------------------------------------------------------------

    def errors_after(self, placed: Sequence[Placed], news: Sequence[NewRows]) -> list[tuple[Finding, np.ndarray]]:
        """Errors the registry's checks would report after the import and not before.

        Each comes with the source rows behind the registry row it points at (empty when it
        points at an existing row).
        """
        raws = dict(self.raws)
        sources: dict[tuple[str, int], np.ndarray] = {}
        for p, new in zip(placed, news, strict=True):
            raw = raws.get(p.table.spec.key)
            assert raw is not None
            rows = range(p.first_row, p.first_row + len(new))
            frame = pd.DataFrame({f: _column_as_read([r.get(f) for r in new.records]) for f in raw.raw.columns},
                                 index=pd.Index(list(rows)), dtype=object)
            raws[p.table.spec.key] = dataclasses.replace(raw, raw=pd.concat([raw.raw, frame]), findings=[])
            for r, src in zip(rows, new.sources, strict=True):
                sources[(p.table.name, r)] = src
        after = build_book(raws, path=str(self.path))
        key = lambda f: (f.code, f.sheet, f.row, f.column)  # noqa: E731
        before = {key(f) for f in run_checks(self.book) if f.severity is Severity.ERROR}
        return [(f, sources.get((f.sheet, f.row or 0), np.zeros(0, dtype=np.int64)))
                for f in run_checks(after) if f.severity is Severity.ERROR and key(f) not in before]

    @staticmethod
    def edits(placed: Sequence[Placed]) -> list[AppendRows]:
        """The rows to append, one edit per sheet that gets any."""
        return [p.edit for p in placed if p.edit.rows]


def _column_as_read(values: list[object]) -> list[object]:
    """Cell values as the reader gives them back (numbers as floats, dates as datetimes; a kind
    or source `Term` as its code, a note `Msg` as its English: both read back as the same thing)."""
    if any(hasattr(v, "render") for v in values):
        values = [str(v) if hasattr(v, "render") else v for v in values]
    if not any(isinstance(v, (Decimal, dt.date)) for v in values):
        return values
    return [_as_read(v) for v in values]


def _as_read(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return value
