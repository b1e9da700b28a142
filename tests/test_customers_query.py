"""Asking the registry a question (issue 14, point 7): `select_customers`, `xlcust customers --where`,
`statements --where` and =CUSTOMERS_WHERE, on small inline tables and on the demo."""

from __future__ import annotations

import csv
import html
import json
import zipfile
from datetime import date as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust import udfs
from xlcust.book import Book
from xlcust.cli import app
from xlcust.excel.bundle import BUNDLED
from xlcust.ledger import build_ledger
from xlcust.rules import metrics as metrics_module
from xlcust.rules.query import ConditionError, compile_where, records, select_customers

from .excel_hosts import host_from_file
from .workbooks import write_book

AS_OF = D(2026, 9, 30)
CATEGORIES = [{"code": "01", "name": "Domestic"}, {"code": "0101", "name": "Retail"},
              {"code": "0102", "name": "Wholesale"}]
CUSTOMERS = [
    {"code": "C1", "name": "Alpha", "category_code": "0101", "tags": "建筑业;VIP"},
    {"code": "C2", "name": "Beta", "category_code": "0102", "tags": "建筑业"},
    {"code": "C3", "name": "Gamma", "category_code": "0101", "tags": "VIP"},
]
TRANSACTIONS = [
    # C1: two invoices more than 90 days overdue, 1,500.25 open
    {"txn_id": "I1", "date": D(2026, 1, 5), "customer_code": "C1", "kind": "invoice", "amount": 1000.25,
     "due_date": D(2026, 2, 4)},
    {"txn_id": "I2", "date": D(2026, 2, 5), "customer_code": "C1", "kind": "invoice", "amount": 500,
     "due_date": D(2026, 3, 7)},
    # C2: one overdue invoice, the other paid
    {"txn_id": "I3", "date": D(2026, 1, 10), "customer_code": "C2", "kind": "invoice", "amount": 300,
     "due_date": D(2026, 2, 9)},
    {"txn_id": "I4", "date": D(2026, 9, 1), "customer_code": "C2", "kind": "invoice", "amount": 200,
     "due_date": D(2026, 10, 1)},
    {"txn_id": "R4", "date": D(2026, 9, 10), "customer_code": "C2", "kind": "receipt", "amount": 200,
     "reference": "I4"},
    {"txn_id": "I5", "date": D(2026, 8, 1), "customer_code": "C3", "kind": "invoice", "amount": 80,
     "due_date": D(2026, 8, 31)},
]


@pytest.fixture(autouse=True)
def no_credit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Selection, not grading: the figures here come from the ledger and the Customers sheet."""
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: False)


def book() -> Book:
    return Book.from_rows(settings={"as_of": AS_OF.isoformat()}, categories=CATEGORIES, customers=CUSTOMERS,
                          transactions=TRANSACTIONS)


def test_a_condition_selects_customers_with_the_figures_it_reads() -> None:
    b = book()
    sel = select_customers(b, build_ledger(b), 'AND(HAS_TAG("建筑业"), overdue_90_count >= 2)')
    assert list(sel.frame["customer_code"]) == ["C1"]
    assert sel.considered == 3 and sel.as_of == AS_OF
    # the usual figures, then what the condition reads (HAS_TAG reads the tags)
    assert sel.columns == ["name", "category_code", "balance", "overdue_amount", "revenue_12m",
                           "overdue_90_count", "tags"]
    (item,) = records(sel)
    assert item["row"] == 2 and item["name"] == "Alpha"
    assert str(item["balance"]) == "1500.25" and item["overdue_90_count"] == 2  # exact cents, whole counts


def test_chinese_names_tags_and_no_condition() -> None:
    b = book()
    ledger = build_ledger(b)
    assert list(select_customers(b, ledger, 'AND(HAS_TAG("vip"), 余额 > 100)').frame["customer_code"]) == ["C1"]
    assert list(select_customers(b, ledger, 'HAS_TAG("建筑业")').frame["customer_code"]) == ["C1", "C2"]
    assert list(select_customers(b, ledger, "   ").frame["customer_code"]) == ["C1", "C2", "C3"]
    assert list(select_customers(b, ledger, 'category_code = "0102"').frame["customer_code"]) == ["C2"]


@pytest.mark.parametrize(("text", "code", "at"), [
    ("overdue_90_cont >= 2", "RUL_UNKNOWN_NAME", 1),
    ('AND(HAS_TAG("x"), balance > 1', "RUL_SYNTAX", 30),  # one past the end: the ")" it lacks
    ('balance > "100"', "RUL_TYPE_MISMATCH", 9),
    ("balance + 1", "RUL_NOT_CONDITION", 1),
])
def test_a_condition_that_cannot_be_read_names_the_character(text: str, code: str, at: int) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_where(text, credit=False)
    assert caught.value.code == code and caught.value.at == at


# ---------------------------------------------------------------------- command line


def write(tmp_path: Path) -> Path:
    rows = {
        "Settings": [["Key", "Value"], ["as_of", "2026-09-30"]],
        "Categories": [["Code", "Name"], *([c["code"], c["name"]] for c in CATEGORIES)],
        "Customers": [["Code", "Name", "Category code", "Tags"],
                      *([c["code"], c["name"], c["category_code"], c["tags"]] for c in CUSTOMERS)],
        "Transactions": [["Txn ID", "Date", "Customer code", "Kind", "Amount", "Due date", "Reference"],
                         *([t["txn_id"], t["date"], t["customer_code"], t["kind"], t["amount"], t.get("due_date"),
                            t.get("reference")] for t in TRANSACTIONS)],
    }
    return write_book(tmp_path / "book.xlsx", rows)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_customers_command_json_csv_and_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path)
    where = 'AND(HAS_TAG("建筑业"), overdue_90_count >= 1)'
    result = invoke("customers", str(path), "--where", where, "--json", "--out", str(tmp_path / "x.csv"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["condition"] == where and doc["summary"] == {"matched": 2, "customers": 3}
    assert [(i["customer_code"], i["balance"], i["overdue_90_count"]) for i in doc["items"]] == [
        ("C1", 1500.25, 2), ("C2", 300.0, 1)]
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    header = next(i for i, r in enumerate(table) if r and r[0] == "code")
    assert table[header] == ["code", "name", "category_code", "balance", "overdue_amount", "revenue_12m",
                             "overdue_90_count", "tags"]
    assert table[header + 1][:4] == ["C1", "Alpha", "0101", "1500.25"]
    result = invoke("customers", str(path), "--where", where, "--out", str(tmp_path / "x.xlsx"), "--lang", "zh")
    assert result.exit_code == 0, result.output
    strings = html.unescape(zipfile.ZipFile(tmp_path / "x.xlsx").read("xl/sharedStrings.xml").decode())
    assert "逾期90天笔数" in strings and "余额" in strings and where in strings


def test_customers_command_a_bad_condition_is_exit_2_with_the_position(tmp_path: Path) -> None:
    path = write(tmp_path)
    before = path.read_bytes()
    result = invoke("customers", str(path), "--where", "AND(HAS_TAG(\"建筑业\"), overdu_90_count >= 1)")
    assert result.exit_code == 2
    assert "character 21 of 41" in result.stderr and "Did you mean overdue_90_count?" in result.stderr
    assert "Traceback" not in result.output and path.read_bytes() == before
    caret = result.stderr.splitlines()[2]
    assert caret.index("^") == 2 + 23  # under the o, after 建筑业's double-width characters


def test_statements_where_keeps_the_selected_customers(tmp_path: Path) -> None:
    path = write(tmp_path)
    result = invoke("statements", str(path), "--from", "2026-01-01", "--to", "2026-09-30", "--where",
                    'HAS_TAG("VIP")', "--out", str(tmp_path / "st"), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["parameters"]["where"] == 'HAS_TAG("VIP")'
    assert [(f["category_code"], f["customer_codes"], f["closing_total"]) for f in doc["files"]] == [
        ("0101", ["C1", "C3"], 1580.25)]
    summary = html.unescape(zipfile.ZipFile(doc["files"][0]["path"]).read("xl/sharedStrings.xml").decode())
    assert "aging balance of the customers shown" in summary  # not the whole category's
    result = invoke("statements", str(path), "--from", "2026-01-01", "--to", "2026-09-30", "--where",
                    'category_code = 0102', "--out", str(tmp_path / "st2"))
    assert result.exit_code == 2 and 'Put the code or word in double quotes: "0102"' in result.stderr


# -------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, list[list[object]]]:
    host = host_from_file(BUNDLED)
    return {name: host.read_grid(name) for name in host.sheet_names()}


def test_worksheet_function_gives_the_command_lines_answer_on_the_demo(demo_tables, monkeypatch) -> None:
    monkeypatch.undo()  # the demo with its grades, as Excel sees it
    udfs.clear_cache()
    where = 'AND(HAS_TAG("建筑业"), overdue_90_count >= 1)'
    result = invoke("customers", str(BUNDLED), "--where", where, "--json")
    assert result.exit_code in (0, 1), result.output
    items = json.loads(result.stdout)["items"]
    assert len(items) >= 3, "the demo has construction customers with old overdue invoices"
    t = demo_tables
    spill = udfs.CUSTOMERS_WHERE(where, t["Transactions"], t["Customers"], t["Settings"], t["Categories"],
                                 t["Risk"], t["CategoryHistory"])
    head, *body = spill
    assert head[:3] == ["code", "name", "category_code"] and "grade" in head
    assert [r[0] for r in body] == [i["customer_code"] for i in items]
    assert [r[head.index("balance")] for r in body] == pytest.approx([i["balance"] for i in items], abs=0.005)
    assert [r[head.index("grade")] for r in body] == [i["grade"] for i in items]
    bad = udfs.CUSTOMERS_WHERE("balance >", t["Transactions"], t["Customers"])
    assert bad.startswith("#xlcust: at the end:")
