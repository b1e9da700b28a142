"""Structure: missing sheets; the reader's findings travel through run_checks."""

from __future__ import annotations

import dataclasses

import pytest

from xlcust.book import Book
from xlcust.celltypes import type_sheet
from xlcust.checks import run_checks
from xlcust.checks.structure import check_required_sheets
from xlcust.findings import Severity, warning
from xlcust.schema import SHEETS_BY_KEY

ATTR = {"Settings": "settings_table", "Categories": "categories", "Customers": "customers",
        "Transactions": "transactions"}


def without(book: Book, key: str) -> Book:
    return dataclasses.replace(book, **{ATTR[key]: type_sheet(None, SHEETS_BY_KEY[key])})


@pytest.mark.parametrize("key", ["Categories", "Customers", "Transactions"])
def test_required_sheet_missing_is_an_error(key: str) -> None:
    book = without(Book.from_rows(rules=[], history=[]), key)
    findings = list(check_required_sheets(book))
    assert [(f.code, f.sheet, f.severity) for f in findings] == [("SHEET_MISSING", key, Severity.ERROR)]
    assert SHEETS_BY_KEY[key].zh in findings[0].suggestion


def test_optional_sheets_missing_are_notes() -> None:
    book = without(Book.from_rows(), "Settings")  # from_rows leaves out Rules and CategoryHistory
    findings = list(check_required_sheets(book))
    assert {(f.code, f.sheet) for f in findings} == {
        ("SHEET_OPTIONAL_MISSING", "Settings"),
        ("SHEET_OPTIONAL_MISSING", "Rules"),
        ("SHEET_OPTIONAL_MISSING", "CategoryHistory"),
    }
    assert all(f.severity is Severity.INFO for f in findings)


def test_all_sheets_present_gives_nothing() -> None:
    assert list(check_required_sheets(Book.from_rows(rules=[], history=[]))) == []


def test_missing_customers_sheet_does_not_flood_transactions() -> None:
    book = without(Book.from_rows(transactions=[
        {"txn_id": "T1", "date": "2024-01-01", "customer_code": "C1", "kind": "invoice", "amount": 1},
    ]), "Customers")
    codes = [f.code for f in run_checks(book)]
    assert "SHEET_MISSING" in codes and "TXN_CUSTOMER_UNKNOWN" not in codes


def test_read_findings_are_included_and_sorted() -> None:
    book = Book.from_rows(categories=[{"code": "01", "name": None}])
    book.read_findings.append(warning("ROW_BLANK", "Categories", "blank rows", row=5))
    findings = run_checks(book)
    assert [(f.code, f.row) for f in findings if f.sheet == "Categories"] == [
        ("CAT_NAME_MISSING", 2), ("ROW_BLANK", 5),
    ]


def test_settings_parse_findings_come_through() -> None:
    findings = run_checks(Book.from_rows(settings={"coding_scheme": "2-x", "colour": "red"}))
    assert [(f.code, f.row, f.column) for f in findings if f.sheet == "Settings"] == [
        ("SET_BAD_VALUE", 2, "B"), ("SET_UNKNOWN_KEY", 3, "A"),
    ]
