"""Reading a workbook through a host gives the Book the file reader gives; output sheets as cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from xlcust.celltypes import ExcelError
from xlcust.excel.bundle import BUNDLED
from xlcust.excel.host import MemoryHost, book_from_host, cell_text, grid_from_range, hyperlink, sheet_block
from xlcust.excel.xlwings_book import mark_errors, table_info
from xlcust.io.reader import read_book
from xlcust.io.sheetxml import ColumnSpec, OutputSheet

from .excel_hosts import host_from_file
from .workbooks import registry, write_book


def assert_same_book(a, b) -> None:
    assert a.settings == b.settings
    assert a.read_findings == b.read_findings
    for ta, tb in zip(a.tables(), b.tables(), strict=True):
        assert (ta.sheet, ta.columns, ta.header_row, ta.table_name, ta.table_ref) == (
            tb.sheet, tb.columns, tb.header_row, tb.table_name, tb.table_ref)
        pd.testing.assert_frame_equal(ta.data, tb.data)
        assert {k: v.to_dict() for k, v in ta.status.items()} == {k: v.to_dict() for k, v in tb.status.items()}


def test_demo_workbook_reads_the_same_through_a_host() -> None:
    assert_same_book(book_from_host(host_from_file(BUNDLED)), read_book(BUNDLED))


def test_odd_workbook_reads_the_same_through_a_host(tmp_path: Path) -> None:
    rows = registry(Transactions=[
        ["Txn ID", "Date", "Customer code", "Kind", "Amount", "Extra"],
        ["T1", dt.date(2024, 1, 5), "C001", "invoice", "1,2,3", "x"],
        ["T2", "2024/2/1", "C001", "收款", 100, None],
        [None, None, None, None, None, None],
        ["T3", dt.date(2024, 2, 2), 101, "refund", 5, None],
    ])
    path = write_book(tmp_path / "odd.xlsx", rows, tables=("Customers",), start_row={"Transactions": 2})
    assert_same_book(book_from_host(host_from_file(path)), read_book(path))


def test_used_range_away_from_a1_is_placed_at_a1() -> None:
    grid = grid_from_range([["Code", "Name"], ["01", "A"]], first_row=3, first_col=2)
    assert grid == [[], [], [None, "Code", "Name"], [None, "01", "A"]]
    assert grid_from_range("only", 1, 1) == [["only"]]
    assert grid_from_range([1.0, 2.0], 1, 1) == [[1.0, 2.0]]


def test_error_texts_become_error_values() -> None:
    grid = mark_errors([["#DIV/0!", "#N/A", "text", None, 1.0]])
    assert [type(v) for v in grid[0][:2]] == [ExcelError, ExcelError]
    assert grid[0][2:] == ["text", None, 1.0] and type(grid[0][2]) is str


def test_table_info_from_a_list_object() -> None:
    info = table_info("Customers", "tblCustomers", "$A$1:$P$201")
    assert (info.sheet, info.ref, info.header_row_count) == ("Customers", "A1:P201", 1)


def test_sheet_block_lays_out_values_and_formats() -> None:
    sheet = OutputSheet("Aging", [
        ColumnSpec("Txn", "link"), ColumnSpec("Name"), ColumnSpec("Open", "cents"), ColumnSpec("Due", "date"),
        ColumnSpec("Rate", "percent"), ColumnSpec("Money", "money"),
    ], [
        (("T1", "'Transactions'!A2"), "=cmd|' /c calc'!A0", 123456, dt.date(2024, 1, 5), 0.5, Decimal("1.10")),
        ("T2", "Acme", None, None, None, None),
    ], title="Aging as of 2024-06-30")
    block = sheet_block(sheet)
    assert block.header_row == 2
    assert block.values[0][0] == "Aging as of 2024-06-30"
    assert block.values[1] == ["Txn", "Name", "Open", "Due", "Rate", "Money"]
    first = block.values[2]
    assert first[0] == '=HYPERLINK("#\'Transactions\'!A2","T1")'
    assert first[1] == "'=cmd|' /c calc'!A0"  # text, never a formula
    assert first[2] == 1234.56 and first[3] == dt.datetime(2024, 1, 5) and first[5] == 1.1
    assert block.values[3] == ["T2", "Acme", None, None, None, None]
    assert block.number_formats == ["General", "@", "#,##0.00", "yyyy-mm-dd", "0.00%", "#,##0.00"]
    assert len(block.widths) == 6 and block.data_rows == 2


@pytest.mark.parametrize(("text", "expected"), [("=1+1", "'=1+1"), ("-5", "'-5"), ("@x", "'@x"), ("ok", "ok")])
def test_cell_text_keeps_formula_like_text_as_text(text: str, expected: str) -> None:
    assert cell_text(text) == expected


def test_hyperlink_quotes() -> None:
    assert hyperlink('say "hi"', "'A b'!C3") == '=HYPERLINK("#\'A b\'!C3","say ""hi""")'


def test_memory_host_records_writes_and_edits() -> None:
    from xlcust.io.sheetxml import CellEdit

    host = MemoryHost({"Customers": [["Code", "Name", "Mnemonic"], ["C1", "华远", None]]})
    host.set_cells([CellEdit("Customers", 2, "C", "HY")])
    assert host.read_grid("Customers")[1] == ["C1", "华远", "HY"]
    host.message("hello")
    assert host.messages == ["hello"]


def test_missing_values_become_empty_cells() -> None:
    import numpy as np

    sheet = OutputSheet("S", [ColumnSpec("A"), ColumnSpec("B", "date"), ColumnSpec("C", "cents")],
                        [(float("nan"), pd.NaT, pd.NA), (np.int64(5), dt.date(2024, 1, 1), np.int64(250))])
    values = sheet_block(sheet).values
    assert values[1] == [None, None, None]
    assert values[2] == [5, dt.datetime(2024, 1, 1), 2.5]
