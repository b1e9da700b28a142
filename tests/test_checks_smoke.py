"""The whole check run: a clean registry is clean; every code is catalogued; a crash is a finding."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

import xlcust
from xlcust.book import Book
from xlcust.checks import CATALOG, CHECKS, markdown_table, run_checks
from xlcust.findings import Severity, has_errors

D = dt.date

CLEAN = {
    "settings": {"coding_scheme": "2-2", "as_of": "2024-12-31", "aging_bounds": "30,60,90,180", "dormant_months": 12},
    "categories": [
        {"code": "01", "name": "Domestic", "tax_rate": 0.13, "payment_terms_days": 30, "credit_limit": 100000},
        {"code": "0101", "name": "Construction", "tax_rate": "13%"},
        {"code": "0102", "name": "Online", "tax_rate": 0.06, "reminder_days": 7},
        {"code": "02", "name": "Export", "tax_rate": 0, "active": "是"},
    ],
    "customers": [
        {"code": "C001", "name": "华远建筑有限公司", "mnemonic": "HYJZ", "category_code": "0101",
         "tax_id": "91440300708461136T", "status": "正常"},
        {"code": "C002", "name": "Acme Trading Co., Ltd.", "mnemonic": "ACME", "category_code": "0102",
         "tax_id": "91440300123456788M", "credit_limit": 50000, "payment_terms_days": 45},
        {"code": "C003", "name": "深圳星河贸易", "mnemonic": "SZXH", "category_code": "02", "status": "active",
         "opened_on": D(2020, 5, 1)},
    ],
    "transactions": [
        {"txn_id": "T1", "date": D(2024, 1, 5), "customer_code": "C001", "kind": "invoice", "amount": 1200.50,
         "due_date": D(2024, 2, 4)},
        {"txn_id": "T2", "date": D(2024, 2, 1), "customer_code": "C001", "kind": "收款", "amount": 1200.50,
         "reference": "T1"},
        {"txn_id": "T3", "date": D(2024, 3, 1), "customer_code": "C002", "kind": "发票", "amount": 5000},
        {"txn_id": "T4", "date": D(2024, 3, 5), "customer_code": "C002", "kind": "credit_note", "amount": 500,
         "reference": "T3"},
        {"txn_id": "T5", "date": D(2024, 1, 1), "customer_code": "C003", "kind": "opening", "amount": 800},
        {"txn_id": "T6", "date": D(2024, 6, 30), "customer_code": "C003", "kind": "adjustment", "amount": -20},
    ],
    "history": [
        {"customer_code": "C001", "category_code": "0101", "valid_from": D(2023, 1, 1), "valid_to": None},
        {"customer_code": "C002", "category_code": "0101", "valid_from": D(2023, 1, 1), "valid_to": D(2024, 1, 1)},
        {"customer_code": "C002", "category_code": "0102", "valid_from": D(2024, 1, 1), "valid_to": None},
    ],
}


def test_clean_registry_has_no_errors_or_warnings() -> None:
    findings = run_checks(Book.from_rows(**CLEAN))
    assert not has_errors(findings), findings
    assert [f.code for f in findings] == ["SHEET_OPTIONAL_MISSING"]  # no Rules sheet: a note only
    assert findings[0].sheet == "Rules"


DIRTY = {
    "settings": {"coding_scheme": "2-2", "as_of": "2024-12-31", "weight_scale": 50, "grade_b_min": 90,
                 "aging_bounds": "60,30", "provision_rates": "0.5,0.1,0.2", "dormant_months": 0, "bogus": 1},
    "categories": [
        {"code": "01", "name": "A", "tax_rate": 0.12, "payment_terms_days": -3, "credit_limit": "lots",
         "active": "maybe"},
        {"code": 101, "name": "", "tax_rate": "x"},
        {"code": "ab", "name": "B", "reminder_days": "7"},
        {"code": "011", "name": "C", "tax_rate": 13},
        {"code": "0301", "name": "D"},
        {"code": "01", "name": "E"},
        {"code": " 02", "name": "F"},
        {"code": None, "name": "G"},
    ],
    "customers": [
        {"code": "C1", "name": "华远建筑有限公司", "category_code": "01", "tax_id": "91440300708461136X",
         "mnemonic": None, "status": "odd", "credit_limit": "1,2", "payment_terms_days": "30",
         "opened_on": "2024/13/45"},
        {"code": "C1", "name": "华远建筑（集团）", "category_code": "99", "tax_id": 914403007084611360,
         "mnemonic": "X"},
        {"code": None, "name": None, "category_code": None, "tax_id": "91440300123456788M", "mnemonic": "Y"},
        {"code": "C4", "name": "Four", "category_code": "02", "tax_id": "91440300123456788M", "mnemonic": "Z",
         "opened_on": "2020-01-01"},
    ],
    "transactions": [
        {"txn_id": "T1", "date": "2024-01-05", "customer_code": "C1", "kind": "inv", "amount": "1,2,3",
         "due_date": D(2024, 1, 1)},
        {"txn_id": "T1", "date": "05/01/2024", "customer_code": "C9", "kind": "gift", "amount": -5,
         "reference": "T1"},
        {"txn_id": None, "date": None, "customer_code": None, "kind": None, "amount": None},
        {"txn_id": "T4", "date": D(2025, 3, 1), "customer_code": "C4", "kind": "receipt", "amount": "1,200.005",
         "reference": "NOPE"},
        {"txn_id": "T5", "date": D(2024, 3, 1), "customer_code": "C4", "kind": "receipt", "amount": 0,
         "reference": "T1"},
        {"txn_id": "T6", "date": D(2024, 3, 1), "customer_code": "C4", "kind": "invoice", "amount": 1.005},
    ],
    "history": [
        {"customer_code": "C1", "category_code": "01", "valid_from": D(2023, 1, 1), "valid_to": None},
        {"customer_code": "C1", "category_code": "01", "valid_from": D(2023, 6, 1), "valid_to": None},
        {"customer_code": "C4", "category_code": "01", "valid_from": D(2023, 1, 1), "valid_to": D(2023, 3, 1)},
        {"customer_code": "C4", "category_code": "01", "valid_from": D(2023, 2, 1), "valid_to": D(2023, 4, 1)},
        {"customer_code": "C4", "category_code": "01", "valid_from": D(2023, 5, 1), "valid_to": D(2023, 5, 1)},
        {"customer_code": "C4", "category_code": "01", "valid_from": D(2023, 6, 1), "valid_to": "someday"},
        {"customer_code": "C8", "category_code": "77", "valid_from": None},
    ],
}


def test_every_emitted_code_is_in_the_catalog_with_its_severity() -> None:
    findings = run_checks(Book.from_rows(**DIRTY))
    assert has_errors(findings)
    emitted = {f.code for f in findings}
    assert "CHECK_CRASHED" not in emitted, [f for f in findings if f.code == "CHECK_CRASHED"]
    for f in findings:
        assert f.code in CATALOG, f.code
        assert f.severity is CATALOG[f.code].severity, f
        assert f.message and f.sheet
    assert len(emitted) > 50  # the dirty book exercises most of the catalogue


SOURCES = ("checks/*.py", "io/reader.py", "settings.py")
_EMIT = re.compile(r"""\b(?:error|warning|info)\(\s*f?"([A-Z][A-Z_]+)""")


def test_every_code_in_the_source_is_in_the_catalog() -> None:
    root = Path(xlcust.__file__).parent
    found = set()
    for pattern in SOURCES:
        for path in root.glob(pattern):
            found |= set(_EMIT.findall(path.read_text(encoding="utf-8")))
    for area in ("CAT", "CUS", "TXN", "HIS"):  # built by odd_cells as f"{area}_…"
        found |= {f"{area}_ERROR_VALUE", f"{area}_SPACES"}
    found = {c for c in found if not c.endswith("_")}
    assert found - set(CATALOG) == set()


def test_catalog_codes_are_prefixed_upper_snake() -> None:
    prefixes = ("SHEET_", "HDR_", "ROW_", "SET_", "CAT_", "CUS_", "TXN_", "HIS_", "RUL_", "RCL_", "CHECK_")
    for code, entry in CATALOG.items():
        assert re.fullmatch(r"[A-Z]+(_[A-Z0-9]+)+", code) and code.startswith(prefixes), code
        assert entry.en and entry.zh and entry.fix
        assert isinstance(entry.severity, Severity)
    table = markdown_table()
    assert table.count("\n") == len(CATALOG) + 1 and "`CAT_PARENT_MISSING`" in table
    assert "| 代码 |" in markdown_table("zh")


def test_a_crashing_check_becomes_a_finding() -> None:
    def check_explodes(book: Book):
        raise KeyError("boom")

    book = Book.from_rows(**CLEAN)
    findings = run_checks(book, [*CHECKS, check_explodes])
    crashed = [f for f in findings if f.code == "CHECK_CRASHED"]
    assert len(crashed) == 1
    assert "check_explodes" in crashed[0].message and crashed[0].severity is Severity.ERROR


def test_a_lazy_check_crashing_midway_keeps_the_others() -> None:
    from xlcust.checks import customers

    def check_half(book: Book):
        yield from customers.check_customer_codes(book)
        raise ValueError("half way")

    findings = run_checks(Book.from_rows(**CLEAN), [check_half, customers.check_customer_names])
    assert [f.code for f in findings] == ["CHECK_CRASHED"]


def test_findings_are_sorted_by_sheet_order_then_row_then_column() -> None:
    findings = run_checks(Book.from_rows(**DIRTY))
    order = {"Settings": 0, "Categories": 1, "Customers": 2, "Transactions": 3, "Rules": 4, "CategoryHistory": 5}
    keys = [(order[f.sheet], f.row or 0, (len(f.column or ""), f.column or "")) for f in findings]
    assert keys == sorted(keys)


def test_large_transactions_sheet_is_checked_quickly() -> None:
    """200,000 rows, a few hundred of them bad: the checks stay vectorised."""
    n = 200_000
    rng = np.random.default_rng(1)
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    amounts = rng.integers(1, 100_000, n) / 100
    rows = [
        {"txn_id": f"T{i}", "date": d, "customer_code": "C001" if i % 2 else "C002", "kind": "invoice",
         "amount": a}
        for i, (d, a) in enumerate(zip(dates.to_pydatetime(), amounts.tolist(), strict=True))
    ]
    for i in range(0, n, 1000):  # 200 bad rows
        rows[i]["amount"] = "1,2,3"
    book = Book.from_rows(**{**CLEAN, "transactions": rows})
    start = time.process_time()
    findings = run_checks(book)
    elapsed = time.process_time() - start
    assert sum(f.code == "TXN_AMOUNT_INVALID" for f in findings) == 200
    assert elapsed < 10, f"checks took {elapsed:.1f}s"
