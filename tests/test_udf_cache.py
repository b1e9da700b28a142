"""What the worksheet functions keep between calls, and that keeping it never changes an answer.

Three promises (`xlcust.excel.gridtable`, `cells`, `ledgercache`):

* the content key of a table range changes whenever a cell xlcust reads changes, however
  small the change (1.0 → TRUE, -1 → -2, '' → blank), and stays for a fresh copy;
* typing a range column by column gives the same typed table, cell statuses and findings
  as typing it cell by cell (the path the live-Excel host and the old functions took);
* a ledger kept across an edit is the ledger the edited tables give from nothing, and
  a function's answer after any sequence of edits is the answer from nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import weakref

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlcust import udfs
from xlcust.book import Book
from xlcust.celltypes import ExcelError, type_sheet
from xlcust.excel.bundle import BUNDLED
from xlcust.excel.cells import TABLES, load_tables, table_spec
from xlcust.excel.gridtable import grid_key, read_grid
from xlcust.excel.host import raw_from_grid
from xlcust.excel.ledgercache import LEDGERS
from xlcust.ledger import build_ledger
from xlcust.ledger.terms import CATEGORY_FIELDS, CUSTOMER_FIELDS
from xlcust.schema import CATEGORIES, CUSTOMERS, TRANSACTIONS

from .excel_hosts import host_from_file

T_HEAD = ["Txn ID", "Date", "Customer code", "Kind", "Amount", "Due date", "Reference", "Memo"]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    udfs.clear_cache()


@pytest.fixture(scope="module")
def demo() -> dict[str, list[list[object]]]:
    host = host_from_file(BUNDLED)
    return {name: host.read_grid(name) for name in host.sheet_names()}


# Cells as Excel (or a user's odd typing) hands them over, per kind of column.
ODD = st.sampled_from([None, "", " ", "C1", " C1 ", "Ｃ１", "101", 101.0, 101, True, False, -1.0, -2.0, 0.0, -0.0,
                       1.0, 1, 1200.505, "1,200.50", "2026-01-05", "05/01/2026", ExcelError("#N/A"), "#N/A",
                       dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 5, 13, 30), dt.date(2026, 1, 5),
                       dt.datetime(9999, 12, 31), dt.datetime(1600, 1, 1), "invoice", "收款", "发票"])
TEXTS = st.sampled_from(["C1", "C2", " C3", "Ｃ４", "", None, "T1", "T2", "invoice", "receipt", "收款"])
NUMBERS = st.sampled_from([None, 1.0, -1.0, -2.0, 0.0, 100.25, 1e9, 0.001, 3])
DATES = st.sampled_from([None, dt.datetime(2026, 1, 5), dt.datetime(2025, 12, 31), dt.datetime(2026, 3, 1, 8, 0)])


@st.composite
def transactions(draw: st.DrawFn) -> list[list[object]]:
    """A Transactions range: each column uniform (the fast path) or odd (the cell path)."""
    rows = draw(st.integers(0, 8))
    kinds = [TEXTS, DATES, TEXTS, TEXTS, NUMBERS, DATES, TEXTS, TEXTS]
    columns = [draw(st.lists(draw(st.sampled_from([kind, ODD])), min_size=rows, max_size=rows)) for kind in kinds]
    return [list(T_HEAD), *(list(r) for r in zip(*columns, strict=True))]


def typed_both_ways(grid: list[list[object]]):
    spec = table_spec(grid)
    assert spec is TRANSACTIONS
    by_cell = raw_from_grid(spec, spec.key, grid)
    by_column = read_grid(spec, grid).raw_sheet()
    return (type_sheet(by_cell, spec), by_cell.findings), (type_sheet(by_column, spec), by_column.findings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions())
def test_typing_by_column_is_typing_cell_by_cell(grid) -> None:
    (cell, cell_findings), (col, col_findings) = typed_both_ways(grid)
    pd.testing.assert_frame_equal(col.data, cell.data)
    assert col.status.keys() == cell.status.keys()
    for field, status in cell.status.items():
        pd.testing.assert_series_equal(col.status[field], status)
    assert col.columns == cell.columns and col.header_row == cell.header_row
    assert [(f.code, f.row, f.column) for f in col_findings] == [(f.code, f.row, f.column) for f in cell_findings]


def test_typing_by_column_on_the_demo_book(demo) -> None:
    for name in ("Transactions", "Customers", "Categories", "CategoryHistory"):
        grid = demo[name]
        spec = table_spec(grid)
        by_cell = type_sheet(raw_from_grid(spec, spec.key, grid), spec)
        by_column = type_sheet(read_grid(spec, grid).raw_sheet(), spec)
        pd.testing.assert_frame_equal(by_column.data, by_cell.data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions(), st.data())
def test_a_table_edited_in_some_columns_is_typed_as_from_nothing(grid, data) -> None:
    """The kept table re-types only the columns whose cells changed; the rest must be what typing gives."""
    TABLES.clear()
    TABLES.typed(read_grid(TRANSACTIONS, grid))
    edited = copy.deepcopy(grid)
    for _ in range(data.draw(st.integers(1, 4))):
        if len(edited) > 1:
            edited[data.draw(st.integers(1, len(edited) - 1))][data.draw(st.integers(0, 7))] = data.draw(ODD)
    kept, _ = TABLES.typed(read_grid(TRANSACTIONS, edited))
    fresh = type_sheet(raw_from_grid(TRANSACTIONS, TRANSACTIONS.key, edited), TRANSACTIONS)
    pd.testing.assert_frame_equal(kept.data, fresh.data)
    assert kept.status.keys() == fresh.status.keys()
    for field, status in fresh.status.items():
        pd.testing.assert_series_equal(kept.status[field], status)


def test_an_amount_edit_re_types_the_amount_column_alone(demo) -> None:
    from xlcust import celltypes

    TABLES.typed(read_grid(TRANSACTIONS, demo["Transactions"]))
    edited = _overwrite(demo["Transactions"], "amount", 1.0)
    typed = []
    original = celltypes.CONVERTERS.copy()
    try:
        for kind, convert in original.items():
            celltypes.CONVERTERS[kind] = lambda raw, _c=convert: typed.append(raw.name) or _c(raw)
        TABLES.typed(read_grid(TRANSACTIONS, edited))
    finally:
        celltypes.CONVERTERS.update(original)
    assert typed == ["amount"]


def _differs(a: object, b: object) -> bool:
    """Two cells a user would call different (a type or a value; -0.0 is 0.0 to a user, but the key may differ)."""
    return type(a) is not type(b) or a != b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions(), st.data())
def test_the_key_changes_with_any_cell_and_not_with_a_copy(grid, data) -> None:
    key = grid_key(TRANSACTIONS, grid)
    assert grid_key(TRANSACTIONS, copy.deepcopy(grid)) == key
    if len(grid) == 1:
        return
    r = data.draw(st.integers(1, len(grid) - 1))
    c = data.draw(st.integers(0, len(T_HEAD) - 1))
    new = data.draw(ODD)
    if not _differs(grid[r][c], new):
        return
    changed = copy.deepcopy(grid)
    changed[r][c] = new
    assert grid_key(TRANSACTIONS, changed) != key


@pytest.mark.parametrize(("old", "new"), [(-1.0, -2.0), (1.0, True), (1, 1.0), (0.0, False), ("", None),
                                          ("#N/A", ExcelError("#N/A")), (dt.datetime(2026, 1, 5), dt.date(2026, 1, 5)),
                                          (dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 5, 0, 0, 1))])
def test_the_key_tells_apart_what_pythons_hash_does_not(old, new) -> None:
    """`hash(-1) == hash(-2)` and `1.0 == True`: a key built on them would return a stale grade."""
    rows = [list(T_HEAD), ["T1", dt.datetime(2026, 1, 1), "C1", "invoice", 5.0, None, None, None]]
    for column in (4, 5, 7):
        a, b = copy.deepcopy(rows), copy.deepcopy(rows)
        a[1][column], b[1][column] = old, new
        assert grid_key(TRANSACTIONS, a) != grid_key(TRANSACTIONS, b), (column, old, new)


def test_an_unknown_column_is_not_read_so_not_in_the_key() -> None:
    rows = [[*T_HEAD[:5], "Salesman"], ["T1", dt.datetime(2026, 1, 1), "C1", "invoice", 5.0, "Li"]]
    other = copy.deepcopy(rows)
    other[1][5] = "Wang"
    assert grid_key(TRANSACTIONS, rows) == grid_key(TRANSACTIONS, other)
    other[0][5] = "Seller"  # the header row is read (its findings name the column)
    assert grid_key(TRANSACTIONS, rows) != grid_key(TRANSACTIONS, other)


# ------------------------------------------------------------------------ the ledger


def _frames(ledger) -> dict[str, object]:
    return {"lines": ledger.lines, "excluded": ledger.excluded, "customers": ledger.customers,
            "categories": ledger.categories, "items": ledger.items, "credits": ledger.credits,
            "allocations": ledger.allocations, "unapplied": ledger.unapplied}


def _assert_same_ledger(a, b) -> None:
    for name, frame in _frames(a).items():
        other = _frames(b)[name]
        if isinstance(frame, pd.Series):
            pd.testing.assert_series_equal(frame, other, obj=name)
        else:
            pd.testing.assert_frame_equal(frame, other, obj=name)


def _book(demo, **changed: list[list[object]]) -> Book:
    tables = {name: changed.get(name, demo[name]) for name in
              ("Settings", "Categories", "Customers", "Transactions", "CategoryHistory")}
    udfs.clear_cache()
    return load_tables(list(tables.values()))[1]


def _overwrite(grid: list[list[object]], header: str, value: object) -> list[list[object]]:
    out = copy.deepcopy(grid)
    at = next(i for i in range(len(out[0])) if _field(out, i) == header)
    for row in out[1:]:
        row[at] = value
    return out


def _field(grid: list[list[object]], column: int) -> str | None:
    from xlcust.headers import match_header

    match = match_header(table_spec(grid), grid, 0, 1)
    return next((f for f, c in match.columns.items() if c == column), None)


@pytest.mark.parametrize(("sheet", "spec", "kept"), [("Customers", CUSTOMERS, CUSTOMER_FIELDS),
                                                     ("Categories", CATEGORIES, CATEGORY_FIELDS)])
def test_the_ledger_reads_no_other_customer_or_category_column(demo, sheet, spec, kept) -> None:
    """Why a ledger may be kept when only other columns changed: change each of them in
    every row and the ledger built from nothing is the same, frame for frame."""
    base = build_ledger(_book(demo))
    present = {f for c in range(len(demo[sheet][0])) if (f := _field(demo[sheet], c))}
    others = sorted(present - set(kept))
    assert others, "the demo has columns the ledger does not read"
    for field in others:
        column = spec.by_name[field]
        value = {"date": dt.datetime(2020, 2, 2), "money": 123.45, "int": 7.0, "number": 0.5, "rate": 0.06,
                 "bool": "no"}.get(column.type.value, "changed")
        _assert_same_ledger(build_ledger(_book(demo, **{sheet: _overwrite(demo[sheet], field, value)})), base)


def test_the_ledger_is_shared_and_kept_across_a_credit_limit_edit(demo) -> None:
    codes = [[r[0]] for r in demo["Customers"][1:]]
    tables = (demo["Transactions"], demo["Customers"], demo["Settings"])
    udfs.CREDIT_GRADE(codes, *tables)
    udfs.CREDIT_SCORE(codes, *tables)
    udfs.CUSTOMERS_WHERE("", *tables)
    assert (LEDGERS.misses, LEDGERS.hits) == (1, 1)  # grades once for both functions, the query reuses the ledger
    edited = _overwrite(demo["Customers"], "credit_limit", 1.0)
    grades = udfs.CREDIT_GRADE(codes, demo["Transactions"], edited, demo["Settings"])
    assert (LEDGERS.misses, LEDGERS.hits) == (1, 2)
    udfs.clear_cache()
    assert grades == udfs.CREDIT_GRADE(codes, demo["Transactions"], edited, demo["Settings"])


EDITS = st.sampled_from(["credit_limit", "name", "category_code", "payment_terms_days", "amount", "append", "as_of",
                         "kind"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(EDITS, st.integers(1, 10_000)), min_size=1, max_size=4))
def test_after_any_edits_every_answer_is_the_answer_from_nothing(demo, edits) -> None:
    tables = {name: copy.deepcopy(demo[name]) for name in ("Transactions", "Customers", "Settings", "Categories")}
    codes = [[r[0]] for r in demo["Customers"][1:]]
    udfs.clear_cache()
    for edit, n in edits:
        _edit(tables, edit, n)
        args = (tables["Transactions"], tables["Customers"], tables["Settings"], tables["Categories"])
        answers = (udfs.CREDIT_GRADE(codes, *args), udfs.CREDIT_EXPLAIN(codes, *args),
                   udfs.CUSTOMERS_WHERE("overdue_90_count >= 0", *args))
        # the ledger the cache hands out for these tables now (the answers above may have come from the
        # result cache without asking for it, leaving an earlier edit's ledger in the slot)
        kept = LEDGERS.ledger_of(load_tables(args)[1])
        _assert_same_ledger(kept, _from_nothing(lambda args=args: build_ledger(load_tables(args)[1])))
        assert answers == _from_nothing(lambda args=args: (
            udfs.CREDIT_GRADE(codes, *args), udfs.CREDIT_EXPLAIN(codes, *args),
            udfs.CUSTOMERS_WHERE("overdue_90_count >= 0", *args))), edit


def _from_nothing(f):
    """`f()` with every cache empty, the kept tables, book and ledger put back afterwards."""
    from xlcust.excel import cells

    kept = (dict(TABLES._tables), dict(cells._BOOK), LEDGERS._held, cells.CACHE._items.copy(),
            cells.FRAMES._items.copy())
    udfs.clear_cache()
    try:
        return f()
    finally:
        udfs.clear_cache()
        TABLES._tables.update(kept[0])
        cells._BOOK.update(kept[1])
        LEDGERS._held = kept[2]
        cells.CACHE._items.update(kept[3])
        cells.FRAMES._items.update(kept[4])


def _edit(tables: dict[str, list[list[object]]], edit: str, n: int) -> None:
    t, c = tables["Transactions"], tables["Customers"]
    if edit in ("credit_limit", "name", "category_code", "payment_terms_days"):
        row = c[1 + n % (len(c) - 1)]
        at = next(i for i in range(len(c[0])) if _field(c, i) == edit)
        row[at] = {"credit_limit": float(n), "name": f"Renamed {n}", "category_code": "0102",
                   "payment_terms_days": float(n % 90)}[edit]
    elif edit in ("amount", "kind"):
        row = t[1 + n % (len(t) - 1)]
        at = next(i for i in range(len(t[0])) if _field(t, i) == edit)
        row[at] = float(n) if edit == "amount" else "receipt"
    elif edit == "append":
        row = list(t[1 + n % (len(t) - 1)])
        row[next(i for i in range(len(t[0])) if _field(t, i) == "txn_id")] = f"NEW{n}"
        t.append(row)
    else:
        s = tables["Settings"]
        row = next(r for r in s if r[0] == "as_of")
        row[1] = dt.datetime(2026, 1, 1) + dt.timedelta(days=n % 300)


def test_an_edited_transactions_table_replaces_the_old_one(demo) -> None:
    """At most one typed Transactions table and one ledger are kept: the old ones are freed."""
    codes = [[r[0]] for r in demo["Customers"][1:]]
    udfs.CREDIT_GRADE(codes, demo["Transactions"], demo["Customers"])
    old = weakref.ref(TABLES._tables["Transactions"][1])
    old_ledger = weakref.ref(LEDGERS._held.ledger)
    edited = _overwrite(demo["Transactions"], "memo", "edited")
    udfs.CREDIT_GRADE(codes, edited, demo["Customers"])
    gc.collect()
    assert old() is None and old_ledger() is None
    assert TABLES.misses == 3  # Transactions, Customers, then the edited Transactions only
