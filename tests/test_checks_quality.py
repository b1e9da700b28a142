"""The data-quality sweep (数据清理): required blanks, inactive categories, stopped customers trading,
same phone / address, idle active customers, empty leaf categories."""

from __future__ import annotations

import datetime as dt

import pytest

from xlcust.book import Book
from xlcust.checks import quality, run_checks
from xlcust.demo import DATA_QUALITY, RETIRED_CATEGORY, demo_data
from xlcust.findings import Finding, Severity
from xlcust.settings import parse_customer_fields

CATEGORIES = [
    {"code": "01", "name": "Domestic"},
    {"code": "0101", "name": "Construction"},
    {"code": "0102", "name": "Online"},
    {"code": "02", "name": "Export", "active": False},
    {"code": "0201", "name": "Asia"},
]


def book(customers: list[dict], transactions: list[dict] | None = None, **settings) -> Book:
    return Book.from_rows(settings={"coding_scheme": "2-2", "as_of": "2026-06-30", **settings},
                          categories=CATEGORIES, customers=customers, transactions=transactions or [])


def found(findings, code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def test_required_fields_blank_point_at_the_cell() -> None:
    b = book([
        {"code": "C1", "name": "A", "category_code": "0101", "tax_id": "91440300708461136T", "phone": "1"},
        {"code": "C2", "name": "B", "category_code": "0101", "tax_id": None, "phone": "2"},
    ], required_customer_fields="tax_id,电话")
    out = list(quality.check_required_fields(b))
    assert [(f.code, f.row, f.field, f.severity) for f in out] == [
        ("CUS_REQUIRED_BLANK", 3, "tax_id", Severity.WARNING)]
    assert "C2" in out[0].message and "Tax ID" in out[0].message


def test_no_required_fields_by_default() -> None:
    b = book([{"code": "C1", "name": "A", "category_code": "0101", "phone": None}])
    assert list(quality.check_required_fields(b)) == []


def test_a_required_column_the_sheet_lacks_is_named_on_the_settings_cell() -> None:
    b = book([{"code": "C1", "name": "A", "category_code": "0101"}], required_customer_fields="contact")
    (f,) = quality.check_required_fields(b)
    assert (f.sheet, f.column) == ("Settings", "B") and f.row is not None


def test_required_fields_setting_is_validated() -> None:
    assert parse_customer_fields("tax_id, 联系人；phone") == ("tax_id", "contact", "phone")
    with pytest.raises(ValueError, match="'mobile' is not a Customers column"):
        parse_customer_fields("tax_id,mobile")
    b = book([{"code": "C1", "name": "A", "category_code": "0101"}], required_customer_fields="mobile")
    assert [f.code for f in b.read_findings] == ["SET_BAD_VALUE"]
    assert b.settings.required_customer_fields == ()


def test_customer_under_an_inactive_category_or_ancestor() -> None:
    b = book([
        {"code": "C1", "name": "A", "category_code": "0101"},
        {"code": "C2", "name": "B", "category_code": "0201"},  # its parent 02 is inactive
    ])
    assert quality.inactive_categories(b) == {"02", "0201"}
    (f,) = quality.check_customer_category_active(b)
    assert (f.code, f.row, f.field, f.value) == ("CUS_CATEGORY_INACTIVE", 3, "category_code", "0201")


def test_stopped_customers_that_owe_or_are_invoiced() -> None:
    b = book([
        {"code": "C1", "name": "A", "category_code": "0101", "status": "inactive"},  # owes 50.00, invoiced in May
        {"code": "C2", "name": "B", "category_code": "0101", "status": "休眠"},  # invoiced 2025, settled
        {"code": "C3", "name": "C", "category_code": "0101"},  # active: none of this applies
    ], [
        {"txn_id": "T1", "date": dt.date(2026, 5, 1), "customer_code": "C1", "kind": "invoice", "amount": 150},
        {"txn_id": "T2", "date": dt.date(2026, 5, 9), "customer_code": "C1", "kind": "receipt", "amount": 100},
        {"txn_id": "T3", "date": dt.date(2025, 1, 1), "customer_code": "C2", "kind": "invoice", "amount": 80},
        {"txn_id": "T4", "date": dt.date(2025, 2, 1), "customer_code": "C2", "kind": "receipt", "amount": 80},
        {"txn_id": "T5", "date": dt.date(2026, 6, 1), "customer_code": "C3", "kind": "invoice", "amount": 10},
    ])
    out = list(quality.check_stopped_customers_trading(b))
    assert [(f.code, f.row, f.field) for f in out] == [
        ("CUS_INACTIVE_BALANCE", 2, "status"), ("CUS_INACTIVE_INVOICED", 2, "status")]
    assert "50.00" in out[0].message
    assert "2026-05-01" in out[1].message


def test_a_transaction_after_the_as_of_date_does_not_count() -> None:
    b = book([{"code": "C1", "name": "A", "category_code": "0101", "status": "dormant"}], [
        {"txn_id": "T1", "date": dt.date(2026, 7, 2), "customer_code": "C1", "kind": "invoice", "amount": 150}])
    assert list(quality.check_stopped_customers_trading(b)) == []


def test_same_phone_ignores_punctuation_and_country_code() -> None:
    b = book([
        {"code": "C1", "name": "A", "category_code": "0101", "phone": "138-0013 8000"},
        {"code": "C2", "name": "B", "category_code": "0101", "phone": "+86 13800138000"},
        {"code": "C3", "name": "C", "category_code": "0101", "phone": "13800138001"},
        {"code": "C4", "name": "D", "category_code": "0101", "phone": None},
        {"code": "C5", "name": "E", "category_code": "0101", "phone": None},
    ])
    (f,) = quality.check_same_phone(b)
    assert (f.code, f.row, f.field) == ("CUS_SAME_PHONE", 3, "phone")
    assert "'C1' on row 2" in f.message


def test_same_address_ignores_spaces_and_full_width() -> None:
    b = book([
        {"code": "C1", "name": "A", "category_code": "0101", "address": "上海市 中山路1号"},
        {"code": "C2", "name": "B", "category_code": "0101", "address": "上海市中山路１号"},
        {"code": "C3", "name": "C", "category_code": "0101", "address": "上海市中山路2号"},
    ])
    assert [(f.code, f.row) for f in quality.check_same_address(b)] == [("CUS_SAME_ADDRESS", 3)]


def test_active_customers_idle_for_dormant_months() -> None:
    b = book([
        {"code": "C1", "name": "A", "category_code": "0101", "status": "active"},  # last 2025-12-30
        {"code": "C2", "name": "B", "category_code": "0101"},  # last 2026-01-01: within 6 months
        {"code": "C3", "name": "C", "category_code": "0101", "opened_on": dt.date(2024, 1, 1)},  # never traded
        {"code": "C4", "name": "D", "category_code": "0101", "opened_on": dt.date(2026, 3, 1)},  # new
        {"code": "C5", "name": "E", "category_code": "0101", "status": "dormant"},  # says so already
    ], [
        {"txn_id": "T1", "date": dt.date(2025, 12, 30), "customer_code": "C1", "kind": "invoice", "amount": 1},
        {"txn_id": "T2", "date": dt.date(2026, 1, 1), "customer_code": "C2", "kind": "invoice", "amount": 1},
        {"txn_id": "T3", "date": dt.date(2024, 1, 1), "customer_code": "C5", "kind": "invoice", "amount": 1},
    ], dormant_months=6)
    out = list(quality.check_idle_active_customers(b))
    assert [(f.code, f.row) for f in out] == [("CUS_ACTIVE_IDLE", 2), ("CUS_ACTIVE_IDLE", 4)]
    assert "2025-12-30" in out[0].message and "2024-01-01" in out[1].message


def test_empty_active_leaf_categories_are_noted() -> None:
    b = book([{"code": "C1", "name": "A", "category_code": "0101"}])
    # 0102 is an empty active leaf; 01 is not a leaf; 0201 is empty but under an inactive parent.
    assert [(f.code, f.row, f.severity) for f in quality.check_empty_leaf_categories(b)] == [
        ("CAT_EMPTY_LEAF", 4, Severity.INFO)]


def test_every_sweep_check_runs_with_the_others_and_never_errors() -> None:
    b = book([{"code": "C1", "name": "A", "category_code": "0201", "phone": "1", "status": "停用"},
              {"code": "C2", "name": "B", "category_code": "0101", "phone": "1"}])
    codes = {f.code for f in run_checks(b)}
    assert {"CUS_CATEGORY_INACTIVE", "CAT_EMPTY_LEAF"} <= codes
    assert not any(f.code.startswith("CHECK_") for f in run_checks(b))


def test_the_demo_shows_every_sweep_finding() -> None:
    data = demo_data()
    rows = {_arg(k): v for k, v in data.rows.items()}
    rows["settings"] = {r["key"]: r["value"] for r in rows["settings"]}
    b = Book.from_rows(**rows)
    by_code: dict[str, set[str]] = {}
    codes = b.customers.data["code"]
    for f in run_checks(b):
        if f.sheet == "Customers" and f.row is not None:
            by_code.setdefault(f.code, set()).add(codes[f.row])
        elif f.code == "CAT_EMPTY_LEAF":
            by_code.setdefault(f.code, set()).add(f.value)
    q = DATA_QUALITY
    assert by_code["CUS_REQUIRED_BLANK"] == {*q["blank_contact"], *q["blank_phone"]}
    assert by_code["CUS_SAME_PHONE"] == {q["same_phone"][1]}
    assert by_code["CUS_SAME_ADDRESS"] == {q["same_address"][1]}
    assert by_code["CUS_INACTIVE_BALANCE"] == by_code["CUS_INACTIVE_INVOICED"] == set(q["marked_dormant"])
    retired = set(codes[b.customers.data["category_code"] == RETIRED_CATEGORY])
    assert by_code["CUS_CATEGORY_INACTIVE"] == retired and len(retired) == 1
    assert "C0007" in by_code["CUS_ACTIVE_IDLE"]  # the demo's dormant story
    assert by_code["CAT_EMPTY_LEAF"]
    assert data.settings.required_customer_fields == ("tax_id", "contact", "phone")


def _arg(key: str) -> str:
    return {"Settings": "settings", "Categories": "categories", "Customers": "customers",
            "Transactions": "transactions", "Rules": "rules", "CategoryHistory": "history", "Risk": "risk"}[key]


def test_sweep_on_a_large_archive_stays_vectorised() -> None:
    # 50,000 customers, a shared phone every 1,000: the findings are the duplicates, nothing else.
    n = 50_000
    customers = [{"code": f"C{i:05d}", "name": f"N{i}", "category_code": "0101",
                  "phone": f"139{(i - i % 1000 if i % 1000 == 1 else i):08d}", "address": f"路{i}号"}
                 for i in range(n)]
    b = book(customers)
    assert len(list(quality.check_same_phone(b))) == n // 1000
