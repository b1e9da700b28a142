"""Shared pieces of the import tests: a small registry, messy source files, reading results back.

Kept in a test_* module (the import tests own only test_import*.py files); it holds no tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import python_calamine
import xlsxwriter

from xlcust.checks import run_checks
from xlcust.findings import Finding, Severity
from xlcust.io.reader import read_book
from xlcust.io.template import create_workbook
from xlcust.uscc import make_uscc

# Valid unified social credit codes (GB 32100-2015) for the test companies.
TAX_HUAYUAN = make_uscc("9", "1", "110108", "MA01ABCD")
TAX_SHENZHEN = make_uscc("9", "1", "440300", "MA5EXAMP")
TAX_TIANJIN = make_uscc("9", "1", "120116", "MA8CP001")

CATEGORIES = [
    {"code": "01", "name": "Domestic"},
    {"code": "0101", "name": "Construction"},
    {"code": "0102", "name": "零售"},
    {"code": "02", "name": "Export"},
]
CUSTOMERS = [
    {"code": "C0001", "name": "天津英飞百货有限公司", "category_code": "0102", "tax_id": TAX_TIANJIN,
     "opened_on": dt.date(2020, 1, 1)},
    {"code": "C0007", "name": "Acme Trading Co., Ltd.", "category_code": "02", "opened_on": dt.date(2020, 1, 1)},
]
TRANSACTIONS = [
    {"txn_id": "INV-001", "date": dt.date(2024, 1, 5), "customer_code": "C0001", "kind": "invoice", "amount": 1000.0},
]
HISTORY = [
    {"customer_code": c["code"], "category_code": c["category_code"], "valid_from": dt.date(2020, 1, 1)}
    for c in CUSTOMERS
]


def small_registry(path: Path, *, lang: str = "en", customers: list[dict] | None = None,
                   transactions: list[dict] | None = None, categories: list[dict] | None = None) -> Path:
    """A registry workbook made by `xlcust new` with a small category tree, two customers, one invoice."""
    create_workbook(path, lang=lang, data={
        "Categories": CATEGORIES if categories is None else categories,
        "Customers": CUSTOMERS if customers is None else customers,
        "Transactions": TRANSACTIONS if transactions is None else transactions,
        "CategoryHistory": HISTORY if customers is None else [],
    })
    return path


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], *, title: str | None = None, sheet: str = "Sheet1",
               other_sheets: dict[str, list[list[object]]] | None = None) -> Path:
    """A workbook as people send them: an optional merged title row above the header."""
    wb = xlsxwriter.Workbook(str(path))
    for name, data in (other_sheets or {}).items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(data):
            ws.write_row(r, 0, row)
    ws = wb.add_worksheet(sheet)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    top = 0
    if title is not None:
        ws.merge_range(0, 0, 0, max(len(r) for r in rows) - 1, title, wb.add_format({"bold": True}))
        top = 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(top + r, c, value if isinstance(value, dt.datetime)
                                  else dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, str):
                ws.write_string(top + r, c, value)
            else:
                ws.write(top + r, c, value)
    wb.close()
    return path


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def errors(path: Path) -> list[Finding]:
    return [f for f in run_checks(read_book(path)) if f.severity is Severity.ERROR]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codes(report, *wanted: str) -> dict[str, list[list[int]]]:
    """code → [rows of each issue] for the codes asked (all codes when none)."""
    out: dict[str, list[list[int]]] = {}
    for i in report.issues:
        if not wanted or i.code in wanted:
            out.setdefault(i.code, []).append([int(r) for r in i.rows])
    return out
