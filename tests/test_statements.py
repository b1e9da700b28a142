"""Statements (对账单): balances against the ledger, the category tie, and the printed workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.errors import UsageError
from xlcust.io.reader import read_book
from xlcust.io.statements import statement_file_name, write_statements
from xlcust.io.template import create_workbook
from xlcust.ledger import build_ledger
from xlcust.reports import statements as st
from xlcust.reports.statements import StatementImbalance, build_statements
from xlcust.views.statements import display_width, load_statement_template

D = dt.date
START, END = D(2026, 4, 1), D(2026, 6, 30)

CATEGORIES = [
    {"code": "01", "name": "制造业", "credit_limit": 100000},
    {"code": "0101", "name": "机械设备"},
    {"code": "0102", "name": "电子电器", "credit_limit": 5000},
    {"code": "02", "name": "批发"},
]
CUSTOMERS = [
    {"code": "C1", "name": "华远机械有限公司", "category_code": "0101", "credit_limit": 20000,
     "tax_id": "91110000MA00000001", "contact": "王伟", "phone": "13800000000", "address": "北京市朝阳区建国路1号"},
    {"code": "C2", "name": "明辉电子有限公司", "category_code": "0102"},
    {"code": "C3", "name": "小额客户", "category_code": "0101"},
    {"code": "C4", "name": "没有往来的客户", "category_code": "0101"},
    {"code": "C5", "name": "挂在上级分类的客户", "category_code": "01"},
    {"code": "C6", "name": "只有期初的客户", "category_code": "0102"},
]
TRANSACTIONS = [
    # C1: opening 1,200.00 at 2026-04-01 (1000 + 500 − 300), then four lines, one after the period
    {"txn_id": "OB1", "date": D(2026, 1, 1), "customer_code": "C1", "kind": "opening", "amount": 1000},
    {"txn_id": "INV1", "date": D(2026, 3, 10), "customer_code": "C1", "kind": "invoice", "amount": 500},
    {"txn_id": "RCT1", "date": D(2026, 3, 20), "customer_code": "C1", "kind": "receipt", "amount": 300},
    {"txn_id": "INV2", "date": D(2026, 4, 5), "customer_code": "C1", "kind": "invoice", "amount": 2000,
     "due_date": D(2026, 5, 5), "memo": "设备款"},
    {"txn_id": "CN1", "date": D(2026, 4, 10), "customer_code": "C1", "kind": "credit_note", "amount": 100,
     "reference": "INV2"},
    {"txn_id": "RCT2", "date": D(2026, 5, 1), "customer_code": "C1", "kind": "receipt", "amount": 1500},
    {"txn_id": "ADJ1", "date": D(2026, 6, 30), "customer_code": "C1", "kind": "adjustment", "amount": -50},
    {"txn_id": "INV3", "date": D(2026, 7, 2), "customer_code": "C1", "kind": "invoice", "amount": 999},
    # C2 overpays: −199.90 at the end, all of it unapplied credit
    {"txn_id": "INV4", "date": D(2026, 4, 15), "customer_code": "C2", "kind": "invoice", "amount": 800.10},
    {"txn_id": "RCT3", "date": D(2026, 6, 1), "customer_code": "C2", "kind": "receipt", "amount": 1000},
    # C3: cents that a float sum would get wrong (0.1 + 0.2)
    {"txn_id": "INV5", "date": D(2026, 4, 2), "customer_code": "C3", "kind": "invoice", "amount": 0.1},
    {"txn_id": "INV6", "date": D(2026, 4, 3), "customer_code": "C3", "kind": "invoice", "amount": 0.2},
    # C5 sits on a parent category, C7 is in no Customers row: no category workbook can take them
    {"txn_id": "INV7", "date": D(2026, 5, 1), "customer_code": "C5", "kind": "invoice", "amount": 100},
    {"txn_id": "INV8", "date": D(2026, 5, 2), "customer_code": "C7", "kind": "invoice", "amount": 40},
    # C6: an opening balance and nothing in the period
    {"txn_id": "OB2", "date": D(2025, 12, 31), "customer_code": "C6", "kind": "opening", "amount": 700},
]
SETTINGS = {"as_of": D(2026, 9, 30), "company_name": "示例供应链管理有限公司", "language": "zh"}


def small_book(**settings: object) -> Book:
    return Book.from_rows(settings={**SETTINGS, **settings}, categories=CATEGORIES, customers=CUSTOMERS,
                          transactions=TRANSACTIONS)


@pytest.fixture(scope="module")
def small() -> st.Statements:
    return build_statements(small_book(), START, END)


def customer(statements: st.Statements, code: str) -> st.CustomerStatement:
    return next(c for g in statements.categories for c in g.customers if c.customer_code == code)


def test_opening_lines_running_balance_and_closing(small: st.Statements) -> None:
    c1 = customer(small, "C1")
    assert c1.opening == 120000
    assert list(c1.lines["txn_id"]) == ["INV2", "CN1", "RCT2", "ADJ1"]  # INV3 is after the period
    assert list(c1.lines["debit"]) == [200000, 0, 0, 0]
    assert list(c1.lines["credit"]) == [0, 10000, 150000, 5000]  # a negative adjustment is a credit
    assert list(c1.lines["balance"]) == [320000, 310000, 160000, 155000]
    assert (c1.debits, c1.credits, c1.closing) == (200000, 165000, 155000)
    assert c1.lines.loc[0, "memo"] == "设备款"
    assert customer(small, "C3").lines["balance"].tolist() == [10, 30]


def test_closing_balances_equal_the_ledger_balance_at_the_end_date(small: st.Statements) -> None:
    ledger = build_ledger(small_book(), as_of=END)
    balance = ledger.aging().by_customer.set_index("customer_code")["balance"]
    for group in small.categories:
        for c in group.customers:
            assert c.closing == balance.get(c.customer_code, 0)
            assert c.closing == (c.lines["balance"].iloc[-1] if len(c.lines) else c.opening)


def test_opening_balance_is_everything_dated_before_the_start() -> None:
    book = small_book()
    one_day_later = build_statements(book, D(2026, 4, 6), END)
    # INV2 (2026-04-05) moves from the lines into the opening balance
    c1 = customer(one_day_later, "C1")
    assert c1.opening == 120000 + 200000
    assert c1.lines["txn_id"].tolist() == ["CN1", "RCT2", "ADJ1"]
    assert c1.closing == 155000


def test_a_period_without_lines_still_states_the_opening_balance(small: st.Statements) -> None:
    c6 = customer(small, "C6")
    assert c6.lines.empty
    assert c6.opening == c6.closing == 70000
    assert (c6.debits, c6.credits) == (0, 0)


def test_aging_credit_limit_and_available_credit(small: st.Statements) -> None:
    c1, c2 = customer(small, "C1"), customer(small, "C2")
    assert sum(c1.aging.values()) == c1.open_amount == 155000
    assert c1.credit_limit == 2000000  # its own limit
    assert c1.available_credit == 2000000 - 155000
    assert c2.credit_limit == 500000  # its category's
    assert (c2.open_amount, c2.unapplied_credit, c2.closing) == (0, 19990, -19990)
    assert c2.available_credit == 500000 + 19990
    assert customer(small, "C3").credit_limit == 10000000  # inherited from 01
    assert customer(small, "C1").details["tax_id"] == "91110000MA00000001"


def test_no_limit_anywhere_means_no_available_credit() -> None:
    rows = [{k: v for k, v in c.items() if k != "credit_limit"} for c in CATEGORIES]
    book = Book.from_rows(settings=SETTINGS, categories=rows, customers=CUSTOMERS, transactions=TRANSACTIONS)
    c3 = customer(build_statements(book, START, END), "C3")
    assert c3.credit_limit is None and c3.available_credit is None


def test_groups_are_leaf_categories_with_activity_and_tie_to_the_aging(small: st.Statements) -> None:
    groups = {g.category_code: g for g in small.categories}
    assert list(groups) == ["0101", "0102"]  # 02 has no customers with activity
    assert [c.customer_code for c in groups["0101"].customers] == ["C1", "C3"]  # C4 has nothing
    assert [c.customer_code for c in groups["0102"].customers] == ["C2", "C6"]
    aging = build_ledger(small_book(), as_of=END).aging().by_category.set_index("category_code")["balance"]
    for code, group in groups.items():
        assert group.closing == group.aging_balance == aging[code]
        assert group.opening + group.debits - group.credits == group.closing
    assert {(s.customer_code, s.reason) for s in small.skipped} == {("C5", "not_a_leaf"), ("C7", "no_category")}


def test_a_customer_on_a_category_missing_from_the_sheet_is_skipped() -> None:
    rows = [{**c, "category_code": "0109"} if c["code"] == "C3" else c for c in CUSTOMERS]
    book = Book.from_rows(settings=SETTINGS, categories=CATEGORIES, customers=rows, transactions=TRANSACTIONS)
    result = build_statements(book, START, END)
    assert ("C3", "0109", 30, "unknown_category") in {
        (s.customer_code, s.category_code, s.closing, s.reason) for s in result.skipped}
    assert [c.customer_code for c in result.categories[0].customers] == ["C1"]


def test_category_of_any_level_gives_its_leaves() -> None:
    book = small_book()
    assert [g.category_code for g in build_statements(book, START, END, "01").categories] == ["0101", "0102"]
    only = build_statements(book, START, END, "0102")
    assert [g.category_code for g in only.categories] == ["0102"]
    assert only.skipped == ()  # C5 (on 01) and C7 are outside 0102
    assert build_statements(book, START, END, "02").categories == ()
    with pytest.raises(UsageError, match="no such category"):
        build_statements(book, START, END, "0199")
    with pytest.raises(UsageError, match="starts"):
        build_statements(book, END, START)


def test_a_category_total_that_misses_the_aging_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    real = st.build_ledger

    def skewed(book: Book, as_of: dt.date | None = None):
        ledger = real(book, as_of=as_of)
        report = ledger.aging()
        by_category = report.by_category.copy()
        by_category.loc[by_category["category_code"] == "0101", "balance"] += 1
        ledger.__dict__["_aging"] = dataclasses.replace(report, by_category=by_category)
        return ledger

    monkeypatch.setattr(st, "build_ledger", skewed)
    with pytest.raises(StatementImbalance, match="0101"):
        build_statements(small_book(), START, END)


def test_a_customer_closing_that_misses_the_ledger_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    real = st.build_ledger

    def skewed(book: Book, as_of: dt.date | None = None):
        ledger = real(book, as_of=as_of)
        report = ledger.aging()
        by_customer = report.by_customer.copy()
        by_customer.loc[by_customer["customer_code"] == "C1", "balance"] -= 1
        ledger.__dict__["_aging"] = dataclasses.replace(report, by_customer=by_customer)
        return ledger

    monkeypatch.setattr(st, "build_ledger", skewed)
    with pytest.raises(StatementImbalance, match="C1"):
        build_statements(small_book(), START, END)


def test_every_demo_category_ties_to_the_aging(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    create_workbook(path, demo=True)
    book = read_book(path)
    result = build_statements(book, D(2026, 7, 1), D(2026, 9, 30))
    aging = build_ledger(book, as_of=D(2026, 9, 30)).aging()
    by_category = aging.by_category.set_index("category_code")["balance"]
    assert len(result.categories) > 20
    for group in result.categories:
        assert group.closing == by_category[group.category_code]
    assert sum(g.closing for g in result.categories) + sum(s.closing for s in result.skipped) == aging.total["balance"]


# --------------------------------------------------------------------- workbook


def sheet_values(ws) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_workbook_layout_values_and_print_setup(small: st.Statements, tmp_path: Path) -> None:
    files = write_statements(small, tmp_path / "new folder")
    assert [f.path.name for f in files] == [statement_file_name(c, START, END) for c in ("0101", "0102")]
    assert files[0].path.name == "statement_0101_2026-04-01_2026-06-30.xlsx"
    assert (files[0].customers, files[0].closing_total) == (("C1", "C3"), 155030)

    wb = openpyxl.load_workbook(files[0].path)
    assert wb.sheetnames == ["汇总", "对账单"]
    summary, blocks = wb["汇总"], wb["对账单"]
    for ws in (summary, blocks):
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth or 1) == 1  # 1 is the default, which XlsxWriter leaves unwritten
        assert ws.page_setup.fitToHeight == 0
        assert ws.oddFooter.center.text.strip().endswith("第 &P 页 / 共 &N 页")
        assert not ws.sheet_view.showGridLines and not ws.print_options.gridLines
        assert 0.3 <= ws.page_margins.left <= 1 and 0.3 <= ws.page_margins.bottom <= 1.2
    assert summary.print_title_rows == "$1:$5"

    rows = sheet_values(summary)
    assert rows[4] == ["客户编码", "客户名称", "期初余额", "本期借方", "本期贷方", "期末余额"]
    assert rows[5] == ["C1", "华远机械有限公司", 1200, 2000, 1650, 1550]
    assert rows[6] == ["C3", "小额客户", 0, 0.3, 0, 0.3]
    assert rows[7][0] == "合计" and rows[7][2:] == [1200, 2000.3, 1650, 1550.3]
    assert summary.cell(6, 3).number_format == "#,##0.00"

    # one block per customer, the second on a new page; the summary links to each block
    breaks = [b.id for b in blocks.row_breaks.brk]
    assert len(breaks) == 1
    assert blocks.cell(1, 1).value == blocks.cell(breaks[0] + 1, 1).value == "示例供应链管理有限公司"
    assert summary.cell(7, 1).hyperlink.location == f"'对账单'!A{breaks[0] + 1}"

    values = sheet_values(blocks)
    header = next(i for i, r in enumerate(values) if r[:3] == ["日期", "单据号", "类型"])
    opening = values[header + 1]
    assert opening[3] == "期初余额" and opening[6] == 1200 and opening[0] == dt.datetime(2026, 4, 1)
    lines = values[header + 2: header + 6]
    assert [r[1] for r in lines] == ["INV2", "CN1", "RCT2", "ADJ1"]
    assert [r[2] for r in lines] == ["发票", "红字发票", "收款", "调整"]
    assert [r[6] for r in lines] == [3200, 3100, 1600, 1550]
    assert values[header + 6][3:6] == ["本期合计", 2000, 1650]
    assert values[header + 7][3] == "期末余额" and values[header + 7][6] == 1550
    assert blocks.cell(header + 3, 5).number_format == "#,##0.00"
    flat = [v for r in values for v in r if v is not None]
    assert "91110000MA00000001" in flat and "北京市朝阳区建国路1号" in flat
    assert "账龄分析（截至 2026-06-30）" in flat and "可用额度" in flat and 20000 - 1550 in flat


def test_block_of_a_customer_without_lines(small: st.Statements, tmp_path: Path) -> None:
    files = write_statements(small, tmp_path)
    values = sheet_values(openpyxl.load_workbook(files[1].path)["对账单"])
    flat = [v for r in values for v in r if v is not None]
    assert "本期无发生额" in flat
    assert "减：未核销款项" in flat  # C2's unapplied credit


def test_english_words_and_per_customer_files(tmp_path: Path) -> None:
    result = build_statements(small_book(language="en"), START, END, "0101")
    files = write_statements(result, tmp_path, per="customer")
    assert [f.path.name for f in files] == ["statement_0101_C1_2026-04-01_2026-06-30.xlsx",
                                            "statement_0101_C3_2026-04-01_2026-06-30.xlsx"]
    wb = openpyxl.load_workbook(files[0].path)
    assert wb.sheetnames == ["Statements"]
    ws = wb["Statements"]
    assert ws.oddFooter.center.text.strip().endswith("Page &P of &N")
    assert not ws.row_breaks.brk
    flat = [v for r in sheet_values(ws) for v in r if v is not None]
    assert {"Opening balance", "Closing balance", "Invoice", "Credit note", "Receipt", "Adjustment"} <= set(flat)
    with pytest.raises(UsageError):
        write_statements(result, tmp_path, per="page")


def test_widths_fit_the_longest_values(small: st.Statements, tmp_path: Path) -> None:
    files = write_statements(small, tmp_path)
    summary = openpyxl.load_workbook(files[0].path)["汇总"]
    assert summary.column_dimensions["B"].width >= display_width("华远机械有限公司")
    assert display_width("华远a") == 5


@pytest.mark.parametrize(("label", "zh", "en"), [
    ("Not due", "未到期", "Not due"),
    ("1-30", "1-30 天", "1-30 days"),
    (">180", "180 天以上", "Over 180 days"),
])
def test_bucket_words(label: str, zh: str, en: str) -> None:
    assert load_statement_template("zh").bucket(label) == zh
    assert load_statement_template("en").bucket(label) == en


def test_money_is_never_summed_as_floats() -> None:
    result = build_statements(small_book(), START, END, "0101")
    c3 = customer(result, "C3")
    assert c3.lines["balance"].dtype == "int64"
    assert pd.api.types.is_integer_dtype(c3.lines["debit"])
    assert c3.closing == 30
