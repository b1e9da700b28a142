"""`xlcust import transactions`: ledgers, invoice lists and invoice-line files into the registry.

Inputs are written here as they come out of accounting packages and shops: a GBK 应收账款
明细账 with 借方/贷方 columns, a title block, 本月合计 / 累计 rows and a header repeated
after a page break; a workbook with Chinese kinds and negative (红字) invoices; invoice
lines to be grouped per document.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.errors import UsageError
from xlcust.importer import ImportOptions
from xlcust.io.importing import import_transactions
from xlcust.io.reader import read_book

from .test_import_support import codes, digest, errors, small_registry, write_text, write_xlsx

TODAY = dt.date(2026, 3, 1)

LEDGER = """应收账款明细账,,,,,
科目：1122 应收账款 （单位：元）,,,,,
日期,凭证号,客户名称,摘要,借方,贷方
2024-01-05,记-001,天津英飞百货有限公司,销售商品,"￥11,300.00",
2024/1/20,记-002,天津英飞百货有限公司,收到货款,,"11,300.00"
2024年2月3日,记-003,Acme Trading Co Ltd,销售,"5,000.50",
20240210,记-004,天津英飞百货,退货,-300.00,
,,,,,
本月合计,,,,"16,000.50","11,300.00"
日期,凭证号,客户名称,摘要,借方,贷方
2024-03-01,记-005,未知客户有限公司,销售,100,
2024-03-02,记-006,天津英飞百货有限公司,错误,100,100
2024-03-03,记-007,Acme Trading Co Ltd,收款,,-50
2024-03-04,,Acme Trading Co Ltd,无单号,10,
2024-03-05,记-008,,无客户,10,
累计,,,,"16,220.50","11,350.00"
"""


def _options(**kw) -> ImportOptions:
    return ImportOptions(today=TODAY, user="tester", **kw)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return write_text(tmp_path / "应收账款明细账.csv", LEDGER.replace("\n", "\r\n"), "gbk")


def _new_transactions(book: Path, first_row: int = 3) -> list[tuple]:
    t = read_book(book).transactions.data.loc[first_row:]
    return [(r.txn_id, r.date.date(), r.customer_code, r.kind, r.amount) for r in t.itertuples()]


def test_chinese_ledger_with_debit_and_credit_columns(tmp_path: Path, ledger: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    report = import_transactions(ledger, book, _options())
    assert report.source.header_row == 3 and not report.summary["grouped"]
    assert {m.field for m in report.mapping} == {"date", "txn_id", "customer_name", "memo", "debit", "credit"}
    found = codes(report)
    assert found["IMP_TITLE_ROWS"] == [[1, 2]]
    assert found["IMP_BLANK_ROWS"] == [[8]]
    assert sorted(found["IMP_SUBTOTAL_ROW"]) == [[9], [16]]
    assert found["IMP_HEADER_REPEATED"] == [[10]]
    assert found["IMP_CUSTOMER_UNKNOWN"] == [[11]]
    assert found["IMP_DEBIT_AND_CREDIT"] == [[12]]
    assert found["IMP_AMOUNT_SIGN"] == [[13]]
    assert found["IMP_TXN_ID_MISSING"] == [[14]]
    assert found["IMP_NO_CUSTOMER"] == [[15]]
    assert {tuple(r) for r in found["IMP_CUSTOMER_BY_NAME"]} == {(4, 5, 12), (6, 13, 14), (7,)}  # names
    assert found["IMP_NEGATIVE_INVOICE"] == [[7]]
    assert [5] in found["IMP_DATE_TEXT"] and [6] in found["IMP_DATE_TEXT"] and [7] in found["IMP_DATE_TEXT"]
    assert [4] in found["IMP_FULL_WIDTH"] and [4] in found["IMP_CURRENCY"] and [5] in found["IMP_THOUSANDS"]
    assert report.written
    assert _new_transactions(book) == [
        ("记-001", dt.date(2024, 1, 5), "C0001", "invoice", 1_130_000),
        ("记-002", dt.date(2024, 1, 20), "C0001", "receipt", 1_130_000),
        ("记-003", dt.date(2024, 2, 3), "C0007", "invoice", 500_050),
        ("记-004", dt.date(2024, 2, 10), "C0001", "credit_note", 30_000),
    ]
    assert report.summary["net_sales_cents"] == 1_130_000 + 500_050 - 30_000
    assert errors(book) == []


def test_reimport_adds_nothing_and_a_changed_amount_is_a_conflict(tmp_path: Path, ledger: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    import_transactions(ledger, book, _options())
    before = digest(book)
    again = import_transactions(ledger, book, _options())
    assert again.added == {} and not again.written and digest(book) == before
    assert sorted(r[0] for r in codes(again, "IMP_ALREADY_IMPORTED")["IMP_ALREADY_IMPORTED"]) == [4, 5, 6, 7]
    changed = write_text(tmp_path / "changed.csv", LEDGER.replace('"￥11,300.00"', "11400"), "gbk")
    conflict = import_transactions(changed, book, _options())
    assert codes(conflict, "IMP_TXN_CONFLICT") == {"IMP_TXN_CONFLICT": [[4]]}
    assert digest(book) == before


def test_dry_run_writes_nothing(tmp_path: Path, ledger: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    before = digest(book)
    report = import_transactions(ledger, book, _options(dry_run=True))
    assert not report.written and digest(book) == before
    assert report.added["Transactions"]["txn_id"].tolist() == ["记-001", "记-002", "记-003", "记-004"]
    assert report.registry_rows == {"Transactions": "3-6"}


def test_workbook_with_kinds_references_and_due_dates(tmp_path: Path) -> None:
    d = dt.date(2024, 5, 1)
    rows = [
        ["单据号", "单据日期", "客户编码", "单据类型", "金额", "到期日", "关联单据"],
        ["INV-100", d, "C0001", "发票", 1000, None, None],
        ["INV-101", d, "C0001", "发票", -200, None, None],            # 红字: a credit note of 200
        ["RC-100", d, "C0001", "收款", 1000, None, "INV-100"],        # settles an invoice of this import
        ["RC-101", d, "C0001", "收款", 50, None, "INV-999"],          # no such invoice
        ["RC-102", d, "C0007", "收款", 50, None, "INV-100"],          # another customer's invoice
        ["RC-103", d, "C0001", "收款", 60, None, "INV-001"],          # the registry's invoice
        ["INV-102", d, "C0001", "发票", 100, dt.date(2024, 4, 1), None],  # due before the date
        ["INV-001", dt.date(2024, 1, 5), "C0001", "invoice", 1000, None, None],  # already in the registry
        ["X-1", d, "C0001", "refund", 10, None, None],                # not a kind
        ["ADJ-1", d, "C0007", "调整", -15.5, None, None],              # adjustments keep their sign
    ]
    source = write_xlsx(tmp_path / "docs.xlsx", rows, title="往来明细")
    book = small_registry(tmp_path / "reg.xlsx", lang="zh")
    report = import_transactions(source, book, _options())
    found = codes(report)
    assert found["IMP_NEGATIVE_INVOICE"] == [[5]]
    assert sorted(found["IMP_REFERENCE_UNKNOWN"]) == [[7], [8]]
    assert found["IMP_DUE_BEFORE_DATE"] == [[10]]
    assert found["IMP_ALREADY_IMPORTED"] == [[11]]
    assert found["IMP_KIND_UNKNOWN"] == [[12]]
    assert _new_transactions(book) == [
        ("INV-100", d, "C0001", "invoice", 100_000),
        ("INV-101", d, "C0001", "credit_note", 20_000),
        ("RC-100", d, "C0001", "receipt", 100_000),
        ("RC-103", d, "C0001", "receipt", 6_000),
        ("ADJ-1", d, "C0007", "adjustment", -1_550),
    ]
    raw_kinds = read_book(book).transactions.raw.loc[3:, "kind"].tolist()
    assert raw_kinds == ["发票", "红字发票", "收款", "收款", "调整"]  # a Chinese registry gets Chinese words
    assert errors(book) == []


def test_direction_column(tmp_path: Path) -> None:
    text = ("单据号,日期,客户编码,方向,金额\nD1,2024-06-01,C0001,借,500\nD2,2024-06-02,C0001,贷,200\n"
            "D3,2024-06-03,C0001,平,1\n")
    report = import_transactions(write_text(tmp_path / "d.csv", text, "utf-8"), small_registry(tmp_path / "r.xlsx"),
                                 _options(dry_run=True))
    added = report.added["Transactions"]
    assert added[["txn_id", "kind"]].values.tolist() == [["D1", "invoice"], ["D2", "receipt"]]
    assert codes(report, "IMP_DIRECTION_UNKNOWN") == {"IMP_DIRECTION_UNKNOWN": [[4]]}


LINES = """InvoiceNo,InvoiceDate,CustomerID,Description,Quantity,UnitPrice
A1,2024-01-05 10:00,C0001,x,2,1.005
A1,2024-01-05 10:01,C0001,y,1,0.333
A2,2024-01-06,C0001,z,1,10
A2,2024-01-06,C0007,z,1,10
A3,2024-01-07,C0001,z,1,abc
A3,2024-01-07,C0001,z,1,5
CA1,2024-01-08,C0001,returned,-1,10
A4,2024-01-09,C0001,z,1,10
A4,2024-01-09,C0001,z,-1,10
A5,2024-01-10,,z,1,10
A6,2024-01-11,99999,z,3,2
A7,2024-01-12,99999,z,1,1
"""


def test_invoice_lines_are_grouped_per_document(tmp_path: Path) -> None:
    source = write_text(tmp_path / "lines.csv", LINES, "utf-8")
    book = small_registry(tmp_path / "reg.xlsx")
    report = import_transactions(source, book, _options())
    found = codes(report)
    assert report.summary["grouped"]
    assert found["IMP_ROUNDED"] == [[2, 3]]  # 2 × 1.005 + 0.333 = 2.343 → 2.34, once per document
    assert found["IMP_LINES_DISAGREE"] == [[4, 5]]
    assert found["IMP_NUMBER_INVALID"] == [[6]] and found["IMP_LINE_REJECTED"] == [[6, 7]]
    assert found["IMP_ZERO_AMOUNT"] == [[9, 10]]
    assert found["IMP_NO_CUSTOMER"] == [[11]]
    assert sorted(found["IMP_CUSTOMER_UNKNOWN"]) == [[12], [13]]
    assert _new_transactions(book) == [
        ("A1", dt.date(2024, 1, 5), "C0001", "invoice", 234),
        ("CA1", dt.date(2024, 1, 8), "C0001", "credit_note", 1_000),
    ]
    memo = read_book(book).transactions.data.at[3, "memo"]
    assert memo == "x (+1 more lines)"


def test_create_customers_opens_them_on_their_first_transaction(tmp_path: Path) -> None:
    source = write_text(tmp_path / "lines.csv", LINES, "utf-8")
    book = small_registry(tmp_path / "reg.xlsx")
    with pytest.raises(UsageError, match="needs --category"):
        import_transactions(source, book, _options(create_customers=True))
    report = import_transactions(source, book, _options(create_customers=True, category="0102"))
    assert report.summary["customers_created"] == 1
    registry = read_book(book)
    new = registry.customers.data.loc[4:]
    assert new[["code", "name", "category_code"]].values.tolist() == [["99999", "99999", "0102"]]
    assert new["opened_on"].iloc[0] == dt.datetime(2024, 1, 11)
    history = registry.history.data.loc[4:]
    assert history[["customer_code", "category_code"]].values.tolist() == [["99999", "0102"]]
    assert history["valid_from"].iloc[0] == dt.datetime(2024, 1, 11)
    assert [t[0] for t in _new_transactions(book)] == ["A1", "CA1", "A6", "A7"]
    assert errors(book) == []


def test_slashed_dates_read_in_the_order_the_column_shows(tmp_path: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    clear = "单据号,日期,客户编码,金额\nT1,05/01/2024,C0001,1\nT2,25/01/2024,C0001,2\n"
    report = import_transactions(write_text(tmp_path / "a.csv", clear, "utf-8"), book, _options(dry_run=True))
    assert report.added["Transactions"]["date"].tolist() == [dt.date(2024, 1, 5), dt.date(2024, 1, 25)]
    order = [i for i in report.issues if i.code == "IMP_DATE_ORDER"]
    assert order[0].new_value == "dmy" and "25/01/2024" in order[0].message
    unclear = "单据号,日期,客户编码,金额\nT1,05/01/2024,C0001,1\nT2,06/02/2024,C0001,2\nT3,07/07/2024,C0001,3\n"
    source = write_text(tmp_path / "b.csv", unclear, "utf-8")
    report = import_transactions(source, book, _options(dry_run=True))
    assert codes(report, "IMP_DATE_AMBIGUOUS") == {"IMP_DATE_AMBIGUOUS": [[2], [3]]}
    assert report.added["Transactions"]["txn_id"].tolist() == ["T3"]  # 07/07 reads the same either way
    report = import_transactions(source, book, _options(dry_run=True, date_order="mdy"))
    assert report.added["Transactions"]["date"].tolist() == [dt.date(2024, 5, 1), dt.date(2024, 6, 2),
                                                            dt.date(2024, 7, 7)]


def test_repeated_ids_without_grouping(tmp_path: Path) -> None:
    text = ("单据号,日期,客户编码,类型,金额\nT1,2024-06-01,C0001,发票,5\nT1,2024-06-01,C0001,发票,5\n"
            "T2,2024-06-01,C0001,发票,5\nT2,2024-06-01,C0001,发票,6\n")
    report = import_transactions(write_text(tmp_path / "r.csv", text, "utf-8"), small_registry(tmp_path / "r.xlsx"),
                                 _options(dry_run=True))
    assert codes(report, "IMP_DUPLICATE_IN_FILE") == {"IMP_DUPLICATE_IN_FILE": [[3]]}
    assert sorted(codes(report, "IMP_TXN_CONFLICT")["IMP_TXN_CONFLICT"]) == [[4], [5]]
    assert report.added["Transactions"]["txn_id"].tolist() == ["T1"]


def test_missing_columns_and_flags_exit_2(tmp_path: Path) -> None:
    book = small_registry(tmp_path / "reg.xlsx")
    runner = CliRunner()
    source = write_text(tmp_path / "x.csv", "单据号,日期,客户编码\nT1,2024-01-01,C0001\n", "utf-8")
    result = runner.invoke(app, ["import", "transactions", str(source), "--into", str(book)])
    assert result.exit_code == 2 and "amount" in result.output
    lines = write_text(tmp_path / "lines.csv", LINES, "utf-8")
    result = runner.invoke(app, ["import", "transactions", str(lines), "--into", str(book), "--create-customers"])
    assert result.exit_code == 2 and "--category" in result.output
    result = runner.invoke(app, ["import", "transactions", str(lines), "--into", str(book), "--kind", "gift"])
    assert result.exit_code == 2


def test_a_clean_file_exits_0_and_json_lists_what_was_added(tmp_path: Path) -> None:
    import json

    book = small_registry(tmp_path / "reg.xlsx")
    source = write_text(tmp_path / "ok.csv", "单据号,日期,客户编码,类型,金额\nT9,2024-06-01,C0001,发票,88.5\n", "utf-8")
    result = CliRunner().invoke(app, ["import", "transactions", str(source), "--into", str(book), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["written"] and document["registry_rows"] == {"Transactions": "3"}
    assert document["added"]["Transactions"][0] | {"source_rows": None} == {
        "registry_row": 3, "txn_id": "T9", "date": "2024-06-01", "customer_code": "C0001", "kind": "invoice",
        "amount": 88.5, "due_date": None, "reference": None, "memo": None, "source_rows": None}
    assert document["added"]["Transactions"][0]["source_rows"] == [2]
