"""The rest of the T3 客户档案 (issue 14, point 3): the optional Customers columns, settlement method
and invoice type inherited down the category tree, the importer, statements, Metrics and the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.codes import CodingScheme
from xlcust.demo import demo_data
from xlcust.io.reader import read_book
from xlcust.ledger.terms import archive_defaults
from xlcust.reports.statements import build_statements
from xlcust.schema import CATEGORIES, CUSTOMERS

from .workbooks import write_book

NEW = ("shipping_address", "settlement_method", "customer_type", "ownership", "bank", "bank_account",
       "salesperson", "department")
TREE = [
    {"code": "01", "name": "Domestic", "settlement_method": "电汇", "invoice_type": "增值税专用发票"},
    {"code": "0101", "name": "Retail", "invoice_type": "普通发票"},  # its own invoice type, 01's settlement
    {"code": "010101", "name": "Retail East", "settlement_method": "支票"},
    {"code": "0102", "name": "Wholesale"},
    {"code": "02", "name": "Export"},  # nothing: blank, no default in Settings
]
PEOPLE = [
    {"code": "C1", "name": "Alpha", "category_code": "010101"},
    {"code": "C2", "name": "Beta", "category_code": "0102", "settlement_method": "银行承兑汇票"},
    {"code": "C3", "name": "Gamma", "category_code": "02"},
    {"code": "C4", "name": "Delta", "category_code": "0102"},
]


def test_the_columns_are_optional_and_named_in_both_languages() -> None:
    assert [c.name for c in CUSTOMERS.columns[-len(NEW):]] == list(NEW)  # appended: older column letters stay
    assert [CUSTOMERS.by_name[n].zh for n in NEW] == ["发货地址", "结算方式", "客户类型", "企业性质", "开户银行",
                                                      "银行账号", "专管业务员", "分管部门"]
    assert not any(CUSTOMERS.by_name[n].required for n in NEW)
    assert CATEGORIES.columns[-1].name == "settlement_method" and CATEGORIES.columns[-1].zh == "结算方式"


def test_a_chinese_sheet_is_read_into_the_fields(tmp_path: Path) -> None:
    path = write_book(tmp_path / "b.xlsx", {
        "客户分类": [["分类编码", "分类名称", "结算方式"], ["01", "国内", "电汇"]],
        "客户档案": [["客户编码", "客户名称", "分类编码", "发货地址", "客户类型", "企业性质", "开户银行", "银行账号",
                      "业务员", "部门"],
                     ["C1", "北京朝阳华远", "01", "北京市朝阳区3号库", "企业", "民营企业", "中国银行北京分行",
                      6217000010012345678, "王磊", "销售一部"]],
        "往来明细": [["单据号", "日期", "客户编码", "类型", "金额"]],
    })
    book = read_book(path)
    row = book.customers.data.iloc[0]
    assert row["shipping_address"] == "北京市朝阳区3号库" and row["salesperson"] == "王磊"
    assert row["department"] == "销售一部" and row["ownership"] == "民营企业"
    assert book.categories.data.iloc[0]["settlement_method"] == "电汇"


def test_settlement_method_and_invoice_type_inherit_down_the_tree() -> None:
    book = Book.from_rows(categories=TREE, customers=PEOPLE)
    got = archive_defaults(book.customers.data, book.categories.data, CodingScheme((2, 2, 2)))
    table = {r.Index: (r.settlement_method, r.settlement_source, r.settlement_category, r.invoice_type,
                       r.invoice_type_category) for r in got.itertuples()}
    assert table == {
        "C1": ("支票", "category", "010101", "普通发票", "0101"),  # own category; invoice type from its parent
        "C2": ("银行承兑汇票", "customer", None, "增值税专用发票", "01"),  # the customer's own overrides 01's
        "C3": (None, None, None, None, None),
        "C4": ("电汇", "ancestor", "01", "增值税专用发票", "01"),
    }


def test_statements_show_them() -> None:
    txns = [{"txn_id": f"I{i}", "date": dt.date(2026, 3, 1), "customer_code": c, "kind": "invoice", "amount": 100}
            for i, c in enumerate(("C1", "C2", "C4"))]
    book = Book.from_rows(categories=TREE, customers=PEOPLE, transactions=txns)
    result = build_statements(book, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    details = {s.customer_code: s.details for g in result.categories for s in g.customers}
    assert (details["C1"]["settlement_method"], details["C1"]["invoice_type"]) == ("支票", "普通发票")
    assert (details["C4"]["settlement_method"], details["C4"]["invoice_type"]) == ("电汇", "增值税专用发票")


def test_import_maps_them_instead_of_dropping_them(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlcust.cli import app

    headers = [c.header("zh") for c in CUSTOMERS.columns]
    book = write_book(tmp_path / "book.xlsx", {
        "客户分类": [["分类编码", "分类名称"], ["01", "国内"]],
        "客户档案": [headers],
        "往来明细": [["单据号", "日期", "客户编码", "类型", "金额"]],
        "分类历史": [["客户编码", "分类编码", "生效日期"]],
    })
    source = tmp_path / "old.csv"
    source.write_text("客户编号,客户名称,所属分类,发货地址,结算方式,客户类型,企业性质,开户银行,银行账号,专管业务员,分管部门\n"
                      "C9,北京朝阳华远建筑有限公司,01,北京市朝阳区物流园3号库,支票,企业,民营企业,中国银行北京朝阳支行,"
                      "6217 0000 1001 2345 678,王磊,销售一部\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "customers", str(source), "--into", str(book)])
    assert result.exit_code == 0, result.output
    assert "IMP_COLUMN_IGNORED" not in result.output
    row = read_book(book).customers.data.iloc[0]
    assert row["mnemonic"] == "BJCYHYJZYX"  # 朝阳 read as the place
    assert [row[f] for f in NEW] == ["北京市朝阳区物流园3号库", "支票", "企业", "民营企业", "中国银行北京朝阳支行",
                                     "6217 0000 1001 2345 678", "王磊", "销售一部"]


def test_metrics_sheet_shows_them() -> None:
    from xlcust.views.metrics import METRICS_FIELDS, metrics_sheet

    book = Book.from_rows(categories=TREE, customers=[{**p, "salesperson": "王磊"} for p in PEOPLE])
    grades = pd.DataFrame({f[0]: [None, None, None] for f in METRICS_FIELDS})  # the credit figures do not matter
    grades = grades.assign(customer_code=["C1", "C4", "C9"], source_row=[2, 5, None], grade=["A", "B", "C"],
                           explanation_zh=["", "", ""]).set_index("customer_code")
    sheet = metrics_sheet(book, grades, "zh")
    headers = [c.header for c in sheet.columns]
    assert headers[-4:] == ["结算方式", "发票类型", "专管业务员", "分管部门"]
    rows = sheet.rows
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    last = frame.iloc[:, -4:].values.tolist()
    assert last == [["支票", "普通发票", "王磊", None], ["电汇", "增值税专用发票", "王磊", None],
                    [None, None, None, None]]  # C9 is not on the Customers sheet


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_demo_shows_them(lang: str) -> None:
    data = demo_data(lang=lang)
    customers = pd.DataFrame(data.rows[CUSTOMERS.key])
    for f in ("customer_type", "ownership", "bank", "bank_account", "salesperson", "department"):
        assert customers[f].notna().all(), f
    assert 0.3 < customers["shipping_address"].notna().mean() < 0.7
    own = customers["settlement_method"].notna()
    assert 0 < own.sum() < len(customers) / 4  # a few override their category's
    cats = pd.DataFrame(data.rows[CATEGORIES.key])
    set_on = cats.loc[cats["settlement_method"].notna(), "code"]
    assert set(set_on) == {"01", "02", "03", "04", "05"}  # the top level only: the rest inherit
    book = Book.from_rows(categories=data.rows[CATEGORIES.key], customers=data.rows[CUSTOMERS.key])
    got = archive_defaults(book.customers.data, book.categories.data, CodingScheme((2, 2, 2)))
    assert set(got["settlement_source"].dropna()) == {"customer", "ancestor"}
    assert got["invoice_type"].notna().all()


def test_rules_and_questions_can_use_them() -> None:
    from xlcust.ledger import build_ledger
    from xlcust.rules.query import select_customers

    people = [{**p, "salesperson": "王磊" if p["code"] in ("C1", "C4") else "李娜", "customer_type": "企业"}
              for p in PEOPLE]
    book = Book.from_rows(settings={"as_of": "2026-09-30"}, categories=TREE, customers=people)
    ledger = build_ledger(book)
    chosen = select_customers(book, ledger, 'AND(业务员 = "王磊", 结算方式 = "电汇")')
    assert list(chosen.frame["customer_code"]) == ["C4"]  # C1's own category pays by cheque
    assert list(select_customers(book, ledger, 'invoice_type = "普通发票"').frame["customer_code"]) == ["C1"]
    assert len(select_customers(book, ledger, 'customer_type = "企业"').frame) == 4


def test_an_unknown_customer_type_is_a_warning_on_its_cell() -> None:
    from xlcust.checks import run_checks

    people = [{**PEOPLE[0], "customer_type": "企业"}, {**PEOPLE[1], "customer_type": "Individual"},
              {**PEOPLE[2], "customer_type": "合伙"}, PEOPLE[3]]
    book = Book.from_rows(categories=TREE, customers=people)
    found = [(f.code, f.row, f.field, f.value) for f in run_checks(book) if f.code == "CUS_TYPE_UNKNOWN"]
    assert found == [("CUS_TYPE_UNKNOWN", 4, "customer_type", "合伙")]
