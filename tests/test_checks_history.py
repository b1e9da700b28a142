"""CategoryHistory: periods per customer, one open period, agreement with Customers."""

from __future__ import annotations

import datetime as dt

from xlcust.book import Book
from xlcust.checks import history as checks
from xlcust.checks import run_checks
from xlcust.findings import Finding, Severity

D = dt.date
CATEGORIES = [{"code": "01", "name": "a"}, {"code": "02", "name": "b"}, {"code": "03", "name": "c"}]
CUSTOMERS = [
    {"code": "C1", "name": "One", "category_code": "01"},
    {"code": "C2", "name": "Two", "category_code": "02"},
]


def period(customer: str, category: str, start: object, end: object = None) -> dict:
    return {"customer_code": customer, "category_code": category, "valid_from": start, "valid_to": end}


def book(history: list[dict] | None, customers: list[dict] = CUSTOMERS, transactions: list[dict] | None = None
         ) -> Book:
    return Book.from_rows(settings={"coding_scheme": "2"}, categories=CATEGORIES, customers=customers,
                          transactions=transactions or [], history=history)


def run(check, history: list[dict], **kw) -> list[Finding]:
    return list(check(book(history, **kw)))


def at(findings: list[Finding]) -> list[tuple[str, int, str | None]]:
    return [(f.code, f.row, f.field) for f in findings]


def test_no_history_sheet_means_no_findings() -> None:
    findings = run_checks(book(None))
    assert not [f for f in findings if f.code.startswith("HIS_")]


def test_customer_without_history_rows_is_fine() -> None:
    findings = run_checks(book([period("C1", "01", D(2023, 1, 1))]))
    assert not [f for f in findings if f.code.startswith("HIS_")]


def test_unknown_and_blank_customers_and_categories() -> None:
    rows = [period("C9", "01", D(2023, 1, 1)), period(None, "99", D(2023, 1, 1)), period("C1", None, None)]
    b = book(rows)
    assert at(checks.check_history_customers(b)) == [
        ("HIS_CUSTOMER_MISSING", 3, "customer_code"), ("HIS_CUSTOMER_UNKNOWN", 2, "customer_code"),
    ]
    assert at(checks.check_history_categories(b)) == [
        ("HIS_CATEGORY_MISSING", 4, "category_code"), ("HIS_CATEGORY_UNKNOWN", 3, "category_code"),
    ]
    assert at(checks.check_history_dates(b)) == [("HIS_FROM_MISSING", 4, "valid_from")]


def test_dates_as_text_and_unreadable() -> None:
    findings = run(checks.check_history_dates, [period("C1", "01", "2023-01-01", "31/12/2023")])
    assert at(findings) == [("HIS_DATE_TEXT", 2, "valid_from"), ("HIS_DATE_INVALID", 2, "valid_to")]


def test_empty_period() -> None:
    findings = run(checks.check_history_periods, [
        period("C1", "02", D(2023, 1, 1), D(2023, 1, 1)),
        period("C1", "01", D(2023, 1, 1)),
    ])
    assert at(findings) == [("HIS_PERIOD_EMPTY", 2, "valid_to")]


def test_overlap_names_the_other_row() -> None:
    findings = run(checks.check_history_periods, [
        period("C1", "02", D(2023, 1, 1), D(2023, 7, 1)),
        period("C1", "01", D(2023, 6, 1)),
        period("C2", "02", D(2023, 6, 1)),  # other customers are independent
        period("C2", "01", D(2022, 1, 1), D(2023, 6, 1)),  # touching periods do not overlap
    ])
    assert at(findings) == [("HIS_OVERLAP", 3, "valid_from")]
    assert "row 2" in findings[0].message and "2023-06-01" in findings[0].suggestion


def test_closed_period_inside_an_open_one_overlaps() -> None:
    findings = run(checks.check_history_periods, [
        period("C1", "01", D(2023, 1, 1)),
        period("C1", "02", D(2023, 3, 1), D(2023, 4, 1)),
    ])
    assert at(findings) == [("HIS_OVERLAP", 3, "valid_from")]
    assert "with no end" in findings[0].message


def test_gap_between_periods() -> None:
    findings = run(checks.check_history_periods, [
        period("C1", "02", D(2023, 1, 1), D(2023, 3, 1)),
        period("C1", "01", D(2023, 4, 1)),
    ])
    assert at(findings) == [("HIS_GAP", 3, "valid_from")]
    assert findings[0].severity is Severity.WARNING


def test_two_open_periods() -> None:
    findings = run(checks.check_history_open_rows, [
        period("C1", "02", D(2023, 1, 1)),
        period("C1", "01", D(2023, 6, 1)),
    ])
    assert at(findings) == [("HIS_SEVERAL_OPEN", 3, "valid_to")]
    assert "row 2" in findings[0].message
    # … reported once, not also as an overlap
    assert list(checks.check_history_periods(book([period("C1", "02", D(2023, 1, 1)),
                                                   period("C1", "01", D(2023, 6, 1))]))) == []


def test_no_open_period() -> None:
    findings = run(checks.check_history_open_rows, [
        period("C1", "02", D(2023, 1, 1), D(2023, 6, 1)),
        period("C1", "01", D(2023, 6, 1), D(2024, 1, 1)),
    ])
    assert at(findings) == [("HIS_NO_OPEN", 3, "valid_to")]
    assert "'01' from 2024-01-01" in findings[0].suggestion


def test_unreadable_valid_to_is_not_taken_as_open() -> None:
    rows = [period("C1", "02", D(2023, 1, 1), "later"), period("C1", "01", D(2023, 6, 1))]
    assert list(checks.check_history_open_rows(book(rows))) == []


INVOICE = {"txn_id": "T1", "date": D(2024, 3, 1), "customer_code": "C1", "kind": "invoice", "amount": 10}


def test_open_period_matches_customers() -> None:
    rows = [period("C1", "02", D(2023, 1, 1), D(2024, 1, 1)), period("C1", "01", D(2024, 1, 1))]
    assert run(checks.check_history_matches_customers, rows, transactions=[INVOICE]) == []


def test_change_with_transactions_in_the_open_period_is_unrecorded() -> None:
    # History says C1 is in 02 since 2023; Customers says 01; an invoice of 2024 cannot be placed.
    findings = run(checks.check_history_matches_customers, [period("C1", "02", D(2023, 1, 1))],
                   transactions=[INVOICE])
    (f,) = findings
    assert (f.code, f.sheet, f.row, f.field, f.column) == ("HIS_CHANGE_UNRECORDED", "Customers", 2, "category_code",
                                                           "C")
    assert f.severity is Severity.ERROR and "reclassify --apply" in f.suggestion and "1 transaction" in f.message


def test_change_without_transactions_is_a_warning_on_the_history_row() -> None:
    findings = run(checks.check_history_matches_customers, [period("C1", "02", D(2023, 1, 1))])
    assert at(findings) == [("HIS_OPEN_MISMATCH", 2, "category_code")]
    assert findings[0].sheet == "CategoryHistory" and findings[0].severity is Severity.WARNING


def test_change_with_only_older_transactions_is_a_warning() -> None:
    # The invoice predates the open period: history already places it, whatever changed later.
    findings = run(checks.check_history_matches_customers, [
        period("C1", "01", D(2023, 1, 1), D(2024, 6, 1)), period("C1", "02", D(2024, 6, 1)),
    ], transactions=[INVOICE])
    assert at(findings) == [("HIS_OPEN_MISMATCH", 3, "category_code")]
