"""lite/main.py, run as xlwings Lite runs it, without the file readers, against the command line.

A fresh interpreter (tests/lite_runner.py) blocks fastexcel, python-calamine and pywin32,
imports lite/main.py through xlwings' custom-functions code, calls every function through
xlwings' own `custom_functions_call` with the arguments as Office.js hands them over (dates
as serial numbers, empty cells as ""), and every script through `custom_scripts_call` on an
xlwings Book built from the demo workbook's values as Lite sends them. The answers must be
the command line's (functions) and the classic add-in's (scripts).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings as xw
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.excel import handlers
from xlcust.excel.bundle import BUNDLED_XLSM
from xlcust.excel.cells import EXCEL_EPOCH

from .excel_hosts import host_from_file

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = {"xlcust_validate": handlers.validate, "xlcust_reclassify_dry_run": handlers.reclassify_dry_run,
           "xlcust_reclassify_apply": handlers.reclassify_apply, "xlcust_statements": handlers.statements,
           "xlcust_refresh_all": handlers.refresh_all}


WHERE = 'AND(HAS_TAG("建筑业"), overdue_90_count >= 1)'


def office_js(value: object) -> object:
    """A cell value as Office.js gives it to a custom function: dates as serials, blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (value - dt.datetime.combine(EXCEL_EPOCH, dt.time())) / dt.timedelta(days=1)
    return value if isinstance(value, str | int | float | bool) else str(value)


def book_json_value(value: object) -> object:
    """A cell value as xlwings Lite sends a book to a script: dates as JavaScript ISO strings."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return office_js(value)


def matrix(value: object) -> list[list[object]]:
    rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [[value]]
    return [[office_js(v) for v in row] for row in rows]


def command(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def column(values: list) -> list[list]:
    return [[v] for v in values]


@pytest.fixture(scope="module")
def demo():
    host = host_from_file(BUNDLED_XLSM)
    return host, {name: host.read_grid(name) for name in host.sheet_names()}


def book_payload(host) -> dict:
    sheets = []
    for name in host.sheet_names():
        tables = [{"name": t.name, "range_address": t.ref, "header_row_range_address": None,
                   "data_body_range_address": None, "total_row_range_address": None, "show_headers": True,
                   "show_totals": False, "table_style": "TableStyleMedium2", "show_autofilter": True,
                   "show_banded_columns": False, "show_banded_rows": True, "show_filter_button": True}
                  for t in host.tables() if t.sheet == name]
        sheets.append({"name": name, "values": [[book_json_value(v) for v in row] for row in host.read_grid(name)],
                       "pictures": [], "tables": tables, "charts": [], "shapes": [], "pivot_tables": []})
    return {"client": "Office.js", "version": xw.__version__, "sheets": sheets, "names": [],
            "book": {"name": "CustomerLedger.xlsm", "active_sheet_index": 0, "selection": "A1"}}


@pytest.fixture(scope="module")
def lite(demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """(what the command line says, what lite/main.py answered) for every function and script."""
    host, t = demo
    aging = command("aging", str(BUNDLED_XLSM))
    grades = command("grades", str(BUNDLED_XLSM))["items"]
    revenue = command("revenue", str(BUNDLED_XLSM), "--from", "2026-01-01", "--to", "2026-09-30")
    selected = command("customers", str(BUNDLED_XLSM), "--where", WHERE)["items"]
    as_of = dt.datetime.fromisoformat(aging["as_of"])
    items = aging["items"]
    due = column([dt.datetime.fromisoformat(i["due_date"]) for i in items])
    bounds = next(r[1] for r in t["Settings"] if r[0] == "aging_bounds")
    balances = {c["customer_code"]: c["balance"] for c in aging["by_customer"]}
    codes = column([g["customer_code"] for g in grades])
    credit_tables = [t["Transactions"], t["Customers"], t["Settings"], t["Categories"], t["Risk"]]
    sales: dict[str, float] = {}
    for item in revenue["items"]:
        if item["category_code"] is not None:
            sales[item["category_code"]] = round(sales.get(item["category_code"], 0) + item["net_sales"], 2)
    header = t["Customers"][0]
    customers = t["Customers"][1:]
    name_col, tax_col = header.index("Name"), header.index("Tax ID")
    from xlcust.io.reader import read_book

    book = read_book(BUNDLED_XLSM)
    from xlcust.codes import CategoryTree
    from xlcust.history import current_categories

    tree = CategoryTree.from_book(book)
    current = current_categories(book)
    expected = {
        "AGING_BUCKET": [i["bucket"] for i in items],
        "DAYS_OVERDUE": [i["days_overdue"] for i in items],
        "CUSTOMER_BALANCE": list(balances.values()),
        "CREDIT_SCORE": [g["score"] for g in grades],
        "CREDIT_GRADE": [g["grade"] for g in grades],
        "CREDIT_EXPLAIN": [g["explanation"] for g in grades],
        "CATEGORY_OF": list(current.iloc[:40]),
        "CATEGORY_PATH": [f"{c} {tree.names[c]}".strip() for c in tree.codes],
        "CATEGORY_LEVEL": [tree.level(c) for c in tree.codes],
        "VALID_CATEGORY_CODE": [True] * len(tree.codes),
        "VALID_TAX_ID": [not any(f.code == "CUS_TAX_ID_INVALID" and f.row == i + 2 for f in flagged(book))
                         if r[tax_col] is not None else None for i, r in enumerate(customers)],
        "MNEMONIC": None,  # compared with the classic function below (blank cells are filled by check --write)
        "CATEGORY_REVENUE": list(sales.values()),
        "CUSTOMERS_WHERE": ["code", *(i["customer_code"] for i in selected)],
    }
    calls = {
        "AGING_BUCKET": ["AGING_BUCKET", [matrix(due), matrix(as_of), matrix(bounds)]],
        "DAYS_OVERDUE": ["DAYS_OVERDUE", [matrix(due), matrix(as_of)]],
        "CUSTOMER_BALANCE": ["CUSTOMER_BALANCE", [matrix(column(list(balances))), matrix(t["Transactions"]),
                                                  matrix(as_of)]],
        "CREDIT_SCORE": ["CREDIT_SCORE", [matrix(codes), [matrix(x) for x in credit_tables]]],
        "CREDIT_GRADE": ["CREDIT_GRADE", [matrix(codes), [matrix(x) for x in credit_tables]]],
        "CREDIT_EXPLAIN": ["CREDIT_EXPLAIN", [matrix(codes), [matrix(x) for x in credit_tables]]],
        "CATEGORY_OF": ["CATEGORY_OF", [matrix(column(list(current.index[:40]))), [[""]], matrix(t["Customers"]),
                                        matrix(t["CategoryHistory"])]],
        "CATEGORY_PATH": ["CATEGORY_PATH", [matrix(column(tree.codes)), matrix(t["Categories"]), [[""]]]],
        "CATEGORY_LEVEL": ["CATEGORY_LEVEL", [matrix(column(tree.codes)), [[""]]]],
        "VALID_CATEGORY_CODE": ["VALID_CATEGORY_CODE", [matrix(column(tree.codes)), [["2-2-2"]]]],
        "VALID_TAX_ID": ["VALID_TAX_ID", [matrix(column([r[tax_col] for r in customers]))]],
        "MNEMONIC": ["MNEMONIC", [matrix(column([r[name_col] for r in customers]))]],
        "CATEGORY_REVENUE": ["CATEGORY_REVENUE", [matrix(column(list(sales))), matrix(dt.datetime(2026, 1, 1)),
                                                  matrix(dt.datetime(2026, 9, 30)), matrix(t["Transactions"]),
                                                  matrix(t["Customers"]), matrix(t["Categories"]),
                                                  matrix(t["CategoryHistory"]), matrix(t["Settings"]),
                                                  [[""]], [[""]]]],
        "CUSTOMERS_WHERE": ["CUSTOMERS_WHERE", [matrix(WHERE), [matrix(x) for x in credit_tables]]],
    }
    tmp = tmp_path_factory.mktemp("lite")
    (tmp / "calls.json").write_text(json.dumps({"functions": calls, "scripts": list(SCRIPTS),
                                                "book": book_payload(host)}, default=str), encoding="utf-8")
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "lite_runner.py"), str(tmp / "calls.json"),
                          str(tmp / "results.json")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    return expected, json.loads((tmp / "results.json").read_text(encoding="utf-8"))


def flagged(book) -> list:
    from xlcust.checks import run_checks

    return run_checks(book)


def test_lite_imports_without_the_file_readers_and_registers_everything(lite) -> None:
    _, got = lite
    assert got["blocked_loaded"] == []
    assert set(got["functions"]) == {
        "AGING_BUCKET", "DAYS_OVERDUE", "CUSTOMER_BALANCE", "CREDIT_SCORE", "CREDIT_GRADE", "CREDIT_EXPLAIN",
        "CATEGORY_OF", "CATEGORY_PATH", "CATEGORY_LEVEL", "VALID_CATEGORY_CODE", "VALID_TAX_ID", "MNEMONIC",
        "CATEGORY_REVENUE", "CUSTOMERS_WHERE"}
    assert sorted(got["scripts"]) == sorted(SCRIPTS)


@pytest.mark.parametrize("name", ["AGING_BUCKET", "DAYS_OVERDUE", "CUSTOMER_BALANCE", "CREDIT_SCORE", "CREDIT_GRADE",
                                  "CREDIT_EXPLAIN", "CATEGORY_OF", "CATEGORY_LEVEL", "VALID_CATEGORY_CODE",
                                  "VALID_TAX_ID", "CATEGORY_REVENUE", "CUSTOMERS_WHERE"])
def test_every_function_gives_the_command_lines_answer(lite, name: str) -> None:
    expected, got = lite
    answer = [row[0] for row in got["results"][name]]
    answer = [None if v == "" else v for v in answer]  # xlwings writes a blank result as ""
    if name in ("CUSTOMER_BALANCE", "CATEGORY_REVENUE"):
        assert answer == pytest.approx(expected[name], abs=0.005)
    else:
        assert answer == expected[name]


def test_category_path_and_mnemonic_as_the_classic_functions(lite, demo) -> None:
    from xlcust import udfs

    expected, got = lite
    paths = [row[0] for row in got["results"]["CATEGORY_PATH"]]
    assert [p.split(" › ")[-1] for p in paths] == expected["CATEGORY_PATH"]
    _, t = demo
    names = column([r[t["Customers"][0].index("Name")] for r in t["Customers"][1:]])
    classic = [row[0] for row in udfs.MNEMONIC(names)]
    assert [None if r[0] == "" else r[0] for r in got["results"]["MNEMONIC"]] == classic


def test_every_script_does_what_the_button_does(lite, demo) -> None:
    """Each Lite script shows the message the classic button shows on the same workbook."""
    _, got = lite
    host, _ = demo
    for name, handler in SCRIPTS.items():
        run = got["script_runs"][name]
        classic_host = host_from_file(BUNDLED_XLSM)
        message = handler(classic_host)
        assert run["alerts"] == [message], name
        assert "could not run" not in message, message
        assert set(run["sheets_added"]) <= set(classic_host.sheet_names()) - set(host.sheet_names()), name
