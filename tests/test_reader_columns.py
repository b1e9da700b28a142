"""Reading by whole columns (fastexcel) gives the same book as reading cell by cell.

The column reader takes a sheet only when each of its columns holds one type of
value; otherwise the reader falls back to the cell reader. Each test reads one file
both ways and compares everything a user can see: typed values, per-cell status,
read findings and the checks' findings. The clean cases also assert that the column
reader really took the sheet, so a silent fallback cannot pass for parity.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from xlcust.book import Book
from xlcust.checks import run_checks
from xlcust.io import reader
from xlcust.io.package import open_package
from xlcust.io.peek import head_rows

from .workbooks import CATEGORIES, CUSTOMERS, TRANSACTIONS, registry, write_book


def read_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Book, Book]:
    by_columns = reader.read_book(path)
    with monkeypatch.context() as m:
        m.setattr(reader, "open_columns", lambda _path: None)
        by_cells = reader.read_book(path)
    return by_columns, by_cells


def assert_same(a: Book, b: Book) -> None:
    for name in ("settings_table", "categories", "customers", "transactions", "rules", "history", "risk"):
        ta, tb = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(ta.data, tb.data, obj=name)
        assert ta.status.keys() == tb.status.keys(), name
        for field in ta.status:
            pd.testing.assert_series_equal(ta.status[field], tb.status[field], obj=f"{name}.{field}")
        assert (ta.columns, ta.header_row, ta.table_name, ta.table_ref) == (
            tb.columns, tb.header_row, tb.table_name, tb.table_ref)
    assert a.read_findings == b.read_findings
    assert run_checks(a) == run_checks(b)


def by_columns(book: Book, sheet: str) -> bool:
    """Whether the column reader read this sheet (its amounts or dates arrive typed)."""
    raw = getattr(book, sheet).raw
    return any(str(t) in ("float64", "datetime64[ns]") or isinstance(t, pd.ArrowDtype) for t in raw.dtypes)


def _error(sheet: str, cell: tuple[int, int], formula: str, value: str):
    def extra(wb: xlsxwriter.Workbook, sheets: dict) -> None:
        sheets[sheet].write_formula(*cell, formula, None, value)
    return extra


def test_clean_tables_are_read_by_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_book(tmp_path / "ok.xlsx", registry(), tables=("Categories", "Customers", "Transactions"))
    fast, slow = read_both(path, monkeypatch)
    assert by_columns(fast, "transactions") and by_columns(fast, "customers")
    assert not by_columns(slow, "transactions")
    assert_same(fast, slow)


def test_title_rows_blank_rows_and_a_stray_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*TRANSACTIONS, [None] * 5, ["T3", dt.date(2024, 3, 1), "C002", "invoice", 99.999]]

    def extra(wb: xlsxwriter.Workbook, sheets: dict) -> None:
        sheets["Transactions"].write(0, 0, "应收明细 2024")
        sheets["Transactions"].write(40, 9, "stray note far to the right and below")

    path = write_book(tmp_path / "odd.xlsx", registry(Transactions=rows), start_row={"Transactions": 3},
                      extra=extra)
    fast, slow = read_both(path, monkeypatch)
    assert by_columns(fast, "transactions")
    assert fast.transactions.header_row == 4
    assert {f.code for f in fast.read_findings} >= {"HDR_TITLE_ROW", "ROW_BLANK"}
    assert fast.transactions.status["amount"].tolist() == ["fraction"]
    assert_same(fast, slow)


def test_error_values_are_found_by_the_column_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def errors(wb: xlsxwriter.Workbook, sheets: dict) -> None:
        sheets["Transactions"].write_formula(1, 4, "=1/0", None, "#DIV/0!")
        sheets["Transactions"].write_formula(2, 2, "=NA()", None, "#N/A")

    path = write_book(tmp_path / "err.xlsx", registry(), extra=errors)
    fast, slow = read_both(path, monkeypatch)
    assert by_columns(fast, "transactions")
    assert fast.transactions.status["amount"].to_dict() == {2: "error_value"}
    assert fast.transactions.status["customer_code"].to_dict() == {3: "error_value"}
    assert_same(fast, slow)


def test_a_table_away_from_a1_with_a_stray_cell_left_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b4.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in registry().items():
        ws = wb.add_worksheet(name)
        ws.add_table(3, 1, 3 + len(rows) - 1, len(rows[0]), {
            "name": f"tbl{name}", "columns": [{"header": str(h)} for h in rows[0]]})
        for r, row in enumerate(rows[1:], start=4):
            for c, v in enumerate(row, start=1):
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
                elif v is not None:
                    ws.write(r, c, v)
        ws.write(30, 0, "a note in column A, below the table")
    wb.close()
    fast, slow = read_both(path, monkeypatch)
    assert by_columns(fast, "transactions")
    assert fast.transactions.columns["amount"] == "F"
    assert list(fast.transactions.data.index) == [5, 6]
    assert_same(fast, slow)


def test_spaces_full_width_and_blank_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    customers = [*CUSTOMERS, [" C003", "  Trim Me Ltd  ", "０２"], ["C004\u3000", "\u3000", "02"],
                 ["C005", "Tab\tName\x1f", " "]]
    path = write_book(tmp_path / "spaces.xlsx", registry(Customers=customers), tables=("Customers",))
    fast, slow = read_both(path, monkeypatch)
    assert by_columns(fast, "customers")
    data = fast.customers.data
    assert data.loc[4, "code"] == "C003" and data.loc[4, "name"] == "Trim Me Ltd"
    assert data.loc[4, "category_code"] == "02" and data.loc[5, "name"] is None
    assert data.loc[6, "name"] == "Tab\tName" and data.loc[6, "category_code"] is None
    assert fast.customers.status["code"].to_dict() == {4: "spaces", 5: "spaces"}
    assert_same(fast, slow)


def test_mixed_columns_fall_back_to_the_cell_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*TRANSACTIONS, ["T3", "2024-03-01", 101, "invoice", "1,200.50"], [4, dt.date(2024, 3, 2), "C002",
                                                                               "Invoice", True]]
    path = write_book(tmp_path / "mixed.xlsx", registry(Transactions=rows, Categories=CATEGORIES))
    fast, slow = read_both(path, monkeypatch)
    assert not by_columns(fast, "transactions") and by_columns(fast, "customers")
    assert fast.transactions.status["date"].to_dict() == {4: "text"}
    assert_same(fast, slow)


def test_name_error_and_unknown_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*TRANSACTIONS, ["T3", dt.date(2024, 3, 1), "C002", "refund?", 5.0]]
    path = write_book(tmp_path / "name.xlsx", registry(Transactions=rows),
                      extra=_error("Customers", (2, 1), "=FOO()", "#NAME?"))
    fast, slow = read_both(path, monkeypatch)
    assert fast.transactions.status["kind"].to_dict() == {4: "bad"}
    assert fast.customers.status["name"].to_dict() == {3: "error_value"}
    assert_same(fast, slow)


def test_head_rows_reads_only_the_top_and_resolves_shared_strings(tmp_path: Path) -> None:
    path = write_book(tmp_path / "head.xlsx", registry(), start_row={"Customers": 2},
                      extra=lambda wb, s: s["Customers"].write(0, 1, "标题"))
    grid = head_rows(open_package(path), "Customers", 4)
    assert grid == [[None, "标题", None], [None, None, None], ["Code", "Name", "Category code"],
                    ["C001", "华远建筑有限公司", "0101"]]


def test_a_date_far_in_the_future_is_no_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*TRANSACTIONS, ["T3", dt.date(9999, 12, 31), "C002", "invoice", 5.0]]
    path = write_book(tmp_path / "far.xlsx", registry(Transactions=rows))
    fast, slow = read_both(path, monkeypatch)
    assert pd.isna(fast.transactions.data.loc[4, "date"])  # not 1816, where nanoseconds wrap around
    assert [f.row for f in run_checks(fast) if "9999-12-31" in f.message] == [4]
    assert_same(fast, slow)
