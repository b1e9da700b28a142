"""The headless reader on real .xlsx files written with xlsxwriter: header detection,
structure findings, Tables vs plain ranges, error values, and the checks on top."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from xlcust.checks import run_checks
from xlcust.findings import Finding, Severity, has_errors
from xlcust.io.reader import read_book

from .workbooks import CATEGORIES, CUSTOMERS, TRANSACTIONS, registry, write_book


def codes(findings: list[Finding], sheet: str | None = None) -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.row, f.column) for f in findings if sheet is None or f.sheet == sheet]


def test_clean_file_reads_and_checks_clean(tmp_path: Path) -> None:
    path = write_book(tmp_path / "ok.xlsx", registry(), tables=("Categories", "Customers", "Transactions"))
    book = read_book(path)
    assert book.customers.table_name == "tblCustomers"
    assert book.transactions.data["amount"].tolist() == [120050, 120050]
    assert list(book.transactions.data.index) == [2, 3]
    findings = run_checks(book)
    assert not has_errors(findings)
    # As of today C001's last transaction (2024) is long past: the data-quality sweep calls it idle.
    assert {f.code for f in findings} <= {"SHEET_OPTIONAL_MISSING", "CUS_ACTIVE_IDLE"}


def test_plain_range_is_noted(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path / "plain.xlsx", registry()))
    assert ("SHEET_NOT_TABLE", 1, None) in codes(book.read_findings, "Customers")
    assert book.customers.table_name is None


def test_title_rows_above_the_header(tmp_path: Path) -> None:
    def title(wb: xlsxwriter.Workbook, sheets: dict) -> None:
        sheets["Customers"].write(0, 0, "客户档案 — 2024")

    path = write_book(tmp_path / "title.xlsx", registry(), start_row={"Customers": 2}, extra=title)
    book = read_book(path)
    assert book.customers.header_row == 3
    assert list(book.customers.data.index) == [4, 5]
    assert ("HDR_TITLE_ROW", 1, None) in codes(book.read_findings, "Customers")
    # Findings point at the rows Excel shows, below the title.
    bad = write_book(tmp_path / "title2.xlsx",
                     registry(Customers=[*CUSTOMERS, ["C003", None, "0101"]]), start_row={"Customers": 2},
                     extra=title)
    assert ("CUS_NAME_MISSING", 6, "B") in codes(run_checks(read_book(bad)), "Customers")


def test_chinese_and_mixed_headers_and_sheet_names(tmp_path: Path) -> None:
    sheets = {
        "客户分类": [["分类编码", "分类名称", "税率"], ["01", "国内", "13%"], ["0101", "建筑", 0.09],
                     ["02", "出口", 0]],
        "客户档案": [["客户编码", "Customer Name", "分类编码", "ＴＡＸ ＩＤ"],
                     ["C001", "华远建筑", "0101", "91440300708461136T"]],
        "往来明细": [["单据号", "日期", "客户编码", "类型", "金额"], ["T1", dt.date(2024, 1, 5), "C001", "发票", 100]],
    }
    book = read_book(write_book(tmp_path / "zh.xlsx", sheets))
    assert book.customers.sheet == "客户档案"
    assert book.customers.columns == {"code": "A", "name": "B", "category_code": "C", "tax_id": "D"}
    assert book.categories.data["tax_rate"].tolist() == [0.13, 0.09, 0.0]
    assert book.transactions.data["kind"].tolist() == ["invoice"]
    findings = run_checks(book)
    assert not has_errors(findings), findings
    sheets_named = ("客户分类", "客户档案", "往来明细", "Settings", "Rules", "CategoryHistory")
    assert all(f.sheet in sheets_named for f in findings)


def test_blank_rows_in_the_middle(tmp_path: Path) -> None:
    rows = [*CUSTOMERS, [None, None, None], [None, None, None], ["C003", "Third", "0101"]]
    book = read_book(write_book(tmp_path / "blank.xlsx", registry(Customers=rows)))
    assert ("ROW_BLANK", 4, None) in codes(book.read_findings, "Customers")
    assert list(book.customers.data.index) == [2, 3, 6]
    assert book.customers.data.at[6, "code"] == "C003"


def test_missing_required_column(tmp_path: Path) -> None:
    rows = [["Code", "Name"], ["C001", "华远建筑"]]
    book = read_book(write_book(tmp_path / "nocat.xlsx", registry(Customers=rows)))
    (f,) = [f for f in book.read_findings if f.code == "HDR_MISSING_COLUMN"]
    assert (f.sheet, f.row, f.field, f.severity) == ("Customers", 1, "category_code", Severity.ERROR)
    # …and the checks do not add a finding per row for the missing column.
    assert "CUS_CATEGORY_MISSING" not in {g.code for g in run_checks(book)}


def test_unknown_and_duplicate_columns(tmp_path: Path) -> None:
    rows = [["Code", "Name", "Category code", "Favourite colour", "客户名称"], ["C001", "A", "0101", "red", "B"]]
    book = read_book(write_book(tmp_path / "cols.xlsx", registry(Customers=rows)))
    found = codes(book.read_findings, "Customers")
    assert ("HDR_UNKNOWN_COLUMN", 1, "D") in found
    assert ("HDR_DUPLICATE_COLUMN", 1, "E") in found
    assert book.customers.data.at[2, "name"] == "A"  # the first Name column is read


def test_error_value_in_the_amount_column(tmp_path: Path) -> None:
    def div0(wb: xlsxwriter.Workbook, sheets: dict) -> None:
        sheets["Transactions"].write_formula(2, 4, "=1/0", None, "#DIV/0!")

    rows = [TRANSACTIONS[0], TRANSACTIONS[1], ["T2", dt.date(2024, 2, 1), "C001", "receipt", None]]
    book = read_book(write_book(tmp_path / "div0.xlsx", registry(Transactions=rows), extra=div0))
    assert book.transactions.status["amount"].to_dict() == {3: "error_value"}
    findings = [f for f in run_checks(book) if f.sheet == "Transactions" and f.severity is Severity.ERROR]
    assert codes(findings) == [("TXN_AMOUNT_ERROR_VALUE", 3, "E")]
    assert findings[0].value == "#DIV/0!" and "#DIV/0!" in findings[0].message


def test_missing_required_sheet(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path / "nosheet.xlsx", {"Categories": CATEGORIES, "Customers": CUSTOMERS}))
    findings = run_checks(book)
    assert ("SHEET_MISSING", None, None) in codes(findings, "Transactions")


@pytest.mark.parametrize("top", [0, 3])
def test_table_below_a_title_block(tmp_path: Path, top: int) -> None:
    path = write_book(tmp_path / "tbl.xlsx", registry(), tables=("Customers",), start_row={"Customers": top})
    book = read_book(path)
    assert book.customers.header_row == top + 1
    assert book.customers.data["code"].tolist() == ["C001", "C002"]
    assert "SHEET_NOT_TABLE" not in {f.code for f in book.read_findings if f.sheet == "Customers"}
