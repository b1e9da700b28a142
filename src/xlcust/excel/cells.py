"""What worksheet functions receive from Excel, turned into what the core works on.

xlwings hands a UDF a single value or a 2-D list (with `ndim=2`): numbers as float,
dates as datetime, empty cells as None. This module

* keeps the shape: `Cells` flattens a scalar / row / 2-D range and puts results back
  in the same shape, so a function over a column spills as a column;
* reads single values the way the file reader does: `excel_date` (a datetime, a date
  typed as text, or an Excel serial number such as TODAY() passes), `codes` (through
  `celltypes.to_code`, so 101 stays "101" and is never padded);
* turns table ranges (header row + data, e.g. `tblTransactions[#All]`) into a `Book`
  through the reader's own header matching and typing (`io.reader.raw_sheet_from_grid`,
  `celltypes.build_book`), so a UDF and the headless command read the same values;
* keeps the typed tables and derived results by an exact key of their content
  (`gridtable`): a spill over a column, or the same table passed to many cells in one
  recalculation, is typed once, and an edit to one table re-types that table alone.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..book import Book, book_from_tables
from ..celltypes import parse_date_text, to_code, type_sheet
from ..errors import UsageError
from ..findings import Finding
from ..headers import match_header
from ..i18n import msg
from ..schema import INPUT_SHEETS, SETTINGS, TRANSACTIONS, ColumnType, Sheet
from ..tables import SheetTable
from .gridtable import GridTable, read_grid

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)


# ------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Cells:
    """A UDF argument flattened, with the shape to give results back in."""

    values: list[object]
    rows: int | None  # None: a single value
    cols: int | None  # None with rows set: a flat list (one row or column)

    @classmethod
    def of(cls, value: object) -> Cells:
        if isinstance(value, list | tuple):
            if value and all(isinstance(r, list | tuple) for r in value):
                width = max(len(r) for r in value)
                flat = [r[c] if c < len(r) else None for r in value for c in range(width)]
                return cls(flat, len(value), width)
            return cls(list(value), len(value), None)
        return cls([value], None, None)

    def shape(self, results: Sequence[object]) -> object:
        """Results (one per value) in the argument's shape."""
        out = list(results)
        if self.rows is None:
            return out[0]
        if self.cols is None:
            return out
        return [out[r * self.cols:(r + 1) * self.cols] for r in range(self.rows)]


def first(value: object) -> object:
    """The first cell of a range (for arguments that take one value)."""
    while isinstance(value, list | tuple):
        if not value:
            return None
        value = value[0]
    return value


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and value != value)


# ------------------------------------------------------------------------- values


def excel_date(value: object) -> dt.date | None:
    """A date from a cell: datetime/date, an Excel serial number, or unambiguous text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != value or not 1 <= value < 2_958_466:  # NaN, or beyond 9999-12-31
            return None
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, str):
        return parse_date_text(value)
    return None


def as_of_date(value: object) -> dt.date:
    """The as-of argument: blank means today."""
    value = first(value)
    return dt.date.today() if is_blank(value) else (excel_date(value) or _bad_date(value))


def _bad_date(value: object) -> dt.date:
    raise ArgumentError(msg("'{value}' is not a date (type it as a date, e.g. 2026-09-30, or use TODAY())",
                            value=value))


def codes(values: Sequence[object]) -> list[str | None]:
    """Codes as the reader types them: text trimmed and half-width; a number 101.0 → "101"."""
    typed, _ = to_code(pd.Series(list(values), dtype=object))
    return [None if v is None else str(v) for v in typed.to_numpy(dtype=object)]


# -------------------------------------------------------------------------- cache


class ContentCache:
    """A small LRU keyed by content keys: same table contents, same result."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]
        self.misses += 1
        value = make()
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()
        self.hits = self.misses = 0


class TableCache:
    """The typed tables of the ranges last passed, one per input sheet, by exact content key.

    Bounded on purpose: a Transactions table at Excel's limit is a few hundred MB typed,
    and after an edit the old one is of no more use. So each sheet keeps only its latest
    table; a new one replaces it (and the book and ledger built on it) *before* it is
    typed, so two million-row copies are never alive at once. Tables of other sheets stay:
    editing a customer re-types Customers alone.
    """

    def __init__(self) -> None:
        self._tables: dict[str, tuple[bytes, SheetTable, list[Finding]]] = {}
        self.hits = 0
        self.misses = 0

    def typed(self, table: GridTable) -> tuple[SheetTable, list[Finding]]:
        held = self._tables.get(table.spec.key)
        if held is not None and held[0] == table.key:
            self.hits += 1
            return held[1], held[2]
        self.misses += 1
        self._tables.pop(table.spec.key, None)
        forget_book(table.spec.key)
        raw = table.raw_sheet()
        typed = type_sheet(raw, table.spec)
        self._tables[table.spec.key] = (table.key, typed, list(raw.findings))
        return typed, list(raw.findings)

    def clear(self) -> None:
        self._tables.clear()
        self.hits = self.misses = 0


CACHE = ContentCache()  # results computed from a book (grades, balances …): small, by the book's key
TABLES = TableCache()
_BOOK: dict[tuple, Book] = {}  # the last book assembled, by its tables' keys


def forget_book(sheet: str) -> None:
    """Drop the book (and the shared ledger) built on the `sheet` table being replaced."""
    _BOOK.clear()
    if sheet == TRANSACTIONS.key:
        from .ledgercache import LEDGERS

        LEDGERS.clear()


def clear_tables() -> None:
    """Forget every table, book, ledger and result (tests; Excel users never need this)."""
    from .ledgercache import LEDGERS

    CACHE.clear()
    TABLES.clear()
    _BOOK.clear()
    LEDGERS.clear()


# ------------------------------------------------------------------------- tables


class ArgumentError(UsageError, ValueError):
    """A worksheet function's argument xlcust cannot use; its message is a catalog text (the UDF shows
    it in a cell as `#xlcust: …`). Also a ValueError, as the functions' argument errors always were."""


class TableError(ArgumentError):
    """A range passed as a table has no header row xlcust recognises."""


def table_spec(grid: list[list[object]]) -> Sheet | None:
    """Which input sheet a range is, by its header row (the sheet naming most required columns)."""
    best, best_score = None, 0
    for spec in INPUT_SHEETS:
        match = match_header(spec, grid, 0, min(len(grid), 1))
        if match is None:
            continue
        required = sum(1 for c in spec.required_columns if c.name in match.columns)
        if required < len(spec.required_columns):
            continue
        score = required * 100 + len(match.columns)
        if score > best_score:
            best, best_score = spec, score
    return best


def is_table(value: object) -> bool:
    """A 2-D range whose first row names the columns of one of the input sheets."""
    return (isinstance(value, list) and bool(value) and isinstance(value[0], list)
            and table_spec(value) is not None)


def _grid(value: list | tuple) -> list[list[object]]:
    if not value or not all(isinstance(r, list | tuple) for r in value[:1]):
        raise TableError(msg("a table argument is a range with its header row, such as tblTransactions[#All]"))
    return value if isinstance(value, list) and isinstance(value[0], list) else [list(r) for r in value]


def load_tables(tables: Sequence[object], expect: Sequence[str] = ()) -> tuple[tuple, Book]:
    """(content key, `Book`) from table ranges, each recognised by its header; typed once per content.

    Omitted optional arguments (None) are skipped. `expect` names the sheets (Sheet.key)
    that must be among the tables; a TableError says which is missing and how to pass it
    (a Table's `[#All]` includes the header row). The key is one exact digest per table
    (`gridtable`), in sheet order, so functions passed the same tables in any order
    share their results.
    """
    grids: dict[str, GridTable] = {}
    for t in tables:
        if isinstance(t, list | tuple):
            grid = _grid(t)
            spec = table_spec(grid)
            if spec is None:
                heads = ", ".join(str(v) for v in grid[0][:4] if v is not None) if grid else ""
                raise TableError(msg("the range starting '{heads}' is not a table xlcust knows: pass the whole "
                                     "table with its header row, e.g. tblCustomers[#All]", heads=heads))
            if spec.key in grids:
                raise TableError(msg("two {key} tables were passed", key=spec.key))
            grids[spec.key] = read_grid(spec, grid, by_column=spec.key != SETTINGS.key)
        elif not is_blank(t):
            raise TableError(msg("'{t}' is not a table: pass a range with its header row, such as tblCustomers[#All]",
                                 t=t))
    for key in expect:
        if key not in grids:
            raise TableError(msg("pass the {key} table with its header row, e.g. tbl{key}[#All]", key=key))
    key = tuple((spec.key, grids[spec.key].key) for spec in INPUT_SHEETS if spec.key in grids)
    book = _BOOK.get(key)
    if book is None:
        typed, findings = {}, []
        for spec in INPUT_SHEETS:  # in sheet order: the findings come in the order the file reader gives them
            if spec.key in grids:
                typed[spec.key], found = TABLES.typed(grids.pop(spec.key))
                findings.extend(found)
            else:
                typed[spec.key] = type_sheet(None, spec)
        book = book_from_tables(typed, findings, path=None)  # without a Settings table every setting is at its default
        _BOOK.clear()
        _BOOK[key] = book
    return key, book


def serial_dates(value: object) -> object:
    """A table range with its date cells as datetimes where they arrived as Excel serial numbers.

    Classic xlwings hands over date cells as datetimes; xlwings Lite and Office.js hand over
    values only, so a date is its serial number (46022 = 2026-01-01). This puts the dates
    back, in the date columns of a recognised table and in Settings' as_of, so a cell gives
    the same answer in both hosts. Anything that is not such a table comes back as it was.
    """
    if not is_table(value):
        return value
    grid: list[list[object]] = value  # type: ignore[assignment]  # is_table checked the shape
    spec = table_spec(grid)
    match = match_header(spec, grid, 0, 1) if spec is not None else None
    if spec is None or match is None:
        return value
    if spec.key == SETTINGS.key:
        key, val = match.columns.get("key"), match.columns.get("value")
        if key is None or val is None:
            return value
        rows = [[_serial(v) if j == val and str(row[key]).strip().lower() == "as_of" else v
                 for j, v in enumerate(row)] for row in grid[1:]]
        return [grid[0], *rows]
    dates = {i for name, i in match.columns.items() if spec.by_name[name].type == ColumnType.DATE}
    return [grid[0], *([_serial(v) if j in dates else v for j, v in enumerate(row)] for row in grid[1:])]


def _serial(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        return dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=float(value))
    return value


def derived(book_key: object, name: str, make: Callable[[], Any]) -> Any:
    """A result computed from a book (grades, balances …), cached by the book's key; keep it
    small (a figure per customer, not a frame per transaction: `ledgercache` holds the ledger)."""
    return CACHE.get((name, book_key), make)
