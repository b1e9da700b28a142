"""Transactions: ids, customers, kinds, dates, amounts, due dates, references."""

from __future__ import annotations

import datetime as dt

import pytest

from xlcust.book import Book
from xlcust.celltypes import ExcelError
from xlcust.checks import transactions as checks
from xlcust.findings import Finding, Severity

D = dt.date
CUSTOMERS = [{"code": "C1", "name": "One", "category_code": "01"}, {"code": "0002", "name": "Two",
                                                                        "category_code": "01"}]


def txn(txn_id: object = "T1", **cells: object) -> dict:
    row = {"txn_id": txn_id, "date": D(2024, 1, 5), "customer_code": "C1", "kind": "invoice", "amount": 100}
    row.update(cells)
    return row


def run(check, rows: list[dict], **settings: object) -> list[Finding]:
    b = Book.from_rows(settings=settings or {"as_of": "2024-12-31"}, categories=[{"code": "01", "name": "x"}],
                       customers=CUSTOMERS, transactions=rows)
    return list(check(b))


def at(findings: list[Finding]) -> list[tuple[str, int, str | None]]:
    return [(f.code, f.row, f.column) for f in findings]


def test_ids_blank_and_duplicated() -> None:
    findings = run(checks.check_txn_ids, [txn("T1"), txn(None), txn("T1"), txn("T2")])
    assert at(findings) == [("TXN_ID_MISSING", 3, "A"), ("TXN_DUPLICATE_ID", 4, "A")]
    assert "row 2" in findings[1].message


def test_customers_blank_and_unknown() -> None:
    findings = run(checks.check_txn_customers, [txn(customer_code=None), txn(customer_code="C9"), txn()])
    assert at(findings) == [("TXN_CUSTOMER_MISSING", 2, "C"), ("TXN_CUSTOMER_UNKNOWN", 3, "C")]


def test_number_customer_code_suggests_padding() -> None:
    (f,) = run(checks.check_txn_customers, [txn(customer_code=2)])
    assert f.code == "TXN_CUSTOMER_UNKNOWN" and "'0002'" in f.suggestion


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("invoice", []), ("发票", []), ("Credit Note", []), ("收款", []), ("期初", []), ("adj", []),
     ("gift", ["TXN_KIND_UNKNOWN"]), (None, ["TXN_KIND_MISSING"]), (3, ["TXN_KIND_UNKNOWN"])],
)
def test_kinds(kind: object, expected: list[str]) -> None:
    findings = run(checks.check_txn_kinds, [txn(kind=kind)])
    assert [f.code for f in findings] == expected
    assert all(f.column == "D" for f in findings)


def test_unknown_kind_lists_accepted_words() -> None:
    (f,) = run(checks.check_txn_kinds, [txn(kind="gift")])
    assert "credit_note" in f.suggestion and "红字发票" in f.suggestion


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (D(2024, 1, 5), []),
        (dt.datetime(2024, 1, 5, 0, 0), []),
        ("2024-01-05", ["TXN_DATE_TEXT"]),
        ("2024年1月5日", ["TXN_DATE_TEXT"]),
        ("05/01/2024", ["TXN_DATE_INVALID"]),
        ("25/01/2024", ["TXN_DATE_INVALID"]),
        ("2024-02-30", ["TXN_DATE_INVALID"]),
        ("yesterday", ["TXN_DATE_INVALID"]),
        (45296, ["TXN_DATE_INVALID"]),
        (None, ["TXN_DATE_MISSING"]),
    ],
)
def test_dates(date: object, expected: list[str]) -> None:
    findings = run(checks.check_txn_dates, [txn(date=date)])
    assert [f.code for f in findings] == expected
    assert all((f.row, f.column) == (2, "B") for f in findings)


def test_date_text_says_how_it_was_read() -> None:
    (f,) = run(checks.check_txn_dates, [txn(date="2024/1/5")])
    assert "read as 2024-01-05" in f.message and f.severity is Severity.WARNING


def test_ambiguous_date_says_so() -> None:
    (f,) = run(checks.check_txn_dates, [txn(date="05/01/2024")])
    assert "ambiguous" in f.message and "2024-01-05" in f.suggestion


def test_due_date_cells_are_checked_too() -> None:
    findings = run(checks.check_txn_dates, [txn(due_date="2024-02-05"), txn("T2", due_date="soon")])
    assert at(findings) == [("TXN_DATE_TEXT", 2, "F"), ("TXN_DATE_INVALID", 3, "F")]


def test_future_dates_are_noted_against_as_of() -> None:
    findings = run(checks.check_txn_future_dates, [txn(date=D(2025, 1, 1)), txn("T2", date=D(2024, 12, 31))],
                   as_of="2024-12-31")
    assert at(findings) == [("TXN_DATE_FUTURE", 2, "B")]
    assert findings[0].severity is Severity.INFO


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1200.5, []),
        (None, ["TXN_AMOUNT_MISSING"]),
        (ExcelError("#DIV/0!"), ["TXN_AMOUNT_ERROR_VALUE"]),
        ("1,2,3", ["TXN_AMOUNT_INVALID"]),
        ("twelve", ["TXN_AMOUNT_INVALID"]),
        (True, ["TXN_AMOUNT_INVALID"]),
        ("1,200.50", ["TXN_AMOUNT_TEXT"]),
        ("¥1,200", ["TXN_AMOUNT_TEXT"]),
        (10.005, ["TXN_AMOUNT_FRACTION"]),
    ],
)
def test_amount_cells(amount: object, expected: list[str]) -> None:
    findings = run(checks.check_txn_amount_cells, [txn(amount=amount)])
    assert [f.code for f in findings] == expected
    assert all((f.row, f.column, f.field) == (2, "E", "amount") for f in findings)


def test_error_value_names_the_error() -> None:
    (f,) = run(checks.check_txn_amount_cells, [txn(amount=ExcelError("#DIV/0!"))])
    assert "#DIV/0!" in f.message and f.value == "#DIV/0!"


def test_error_value_in_amount_is_not_reported_twice() -> None:
    findings = run(checks.check_transaction_cells, [txn(amount=ExcelError("#N/A"), memo=ExcelError("#N/A"))])
    assert at(findings) == [("TXN_ERROR_VALUE", 2, "F")]  # memo only; amount has its own code


def test_text_amount_says_how_it_was_read() -> None:
    (f,) = run(checks.check_txn_amount_cells, [txn(amount="1,200.50")])
    assert "read as 1,200.50" in f.message


@pytest.mark.parametrize(
    ("kind", "amount", "expected"),
    [
        ("invoice", 100, []),
        ("invoice", -100, ["TXN_AMOUNT_NEGATIVE"]),
        ("receipt", -1, ["TXN_AMOUNT_NEGATIVE"]),
        ("credit_note", -1, ["TXN_AMOUNT_NEGATIVE"]),
        ("opening", -1, ["TXN_AMOUNT_NEGATIVE"]),
        ("adjustment", -100, []),  # an adjustment carries its own sign
        ("invoice", 0, ["TXN_AMOUNT_ZERO"]),
        ("adjustment", 0, ["TXN_AMOUNT_ZERO"]),
    ],
)
def test_amount_signs(kind: str, amount: float, expected: list[str]) -> None:
    findings = run(checks.check_txn_amount_signs, [txn(kind=kind, amount=amount)])
    assert [f.code for f in findings] == expected


def test_due_date_before_date() -> None:
    findings = run(checks.check_txn_due_dates, [
        txn(date=D(2024, 3, 1), due_date=D(2024, 2, 28)),
        txn("T2", date=D(2024, 3, 1), due_date=D(2024, 3, 1)),
        txn("T3", due_date=None),
    ])
    assert at(findings) == [("TXN_DUE_BEFORE_DATE", 2, "F")]


def test_references() -> None:
    rows = [
        txn("INV1"),
        txn("INV2", customer_code="0002"),
        txn("OB1", kind="opening"),
        txn("R1", kind="receipt", reference="INV1"),  # fine
        txn("R2", kind="receipt", reference="OB1"),  # an opening balance can be settled too
        txn("R3", kind="receipt", reference="NOPE"),  # unknown
        txn("R4", kind="receipt", reference="R1"),  # a receipt, not an invoice
        txn("CN1", kind="credit_note", reference="INV2"),  # another customer's invoice
        txn("I3", kind="invoice", reference="WHATEVER"),  # invoices' references are not checked
    ]
    findings = run(checks.check_txn_references, rows)
    assert at(findings) == [
        ("TXN_REFERENCE_UNKNOWN", 7, "F"),  # no due date column here: reference is F
        ("TXN_REFERENCE_UNKNOWN", 8, "F"),
        ("TXN_REFERENCE_OTHER_CUSTOMER", 9, "F"),
    ]
    assert "row 5, a receipt" in findings[1].message
    assert "'0002'" in findings[2].message and "row 3" in findings[2].message


def test_a_reference_settles_the_first_invoice_with_that_id() -> None:
    rows = [
        txn("X1", kind="receipt"),  # a receipt used the id first
        txn("X1", customer_code="0002"),  # the first invoice with it: another customer's
        txn("X1"),  # a later invoice with the same id does not count
        txn("R1", kind="receipt", reference="X1"),
        txn("R2", kind="credit_note", reference="X1", customer_code="0002"),  # fine
        txn("R3", kind="receipt", reference="X1", customer_code=None),  # no customer: nothing to compare
    ]
    findings = run(checks.check_txn_references, rows)
    assert at(findings) == [("TXN_REFERENCE_OTHER_CUSTOMER", 5, "F")]
    assert "'0002' (row 3)" in findings[0].message


def test_a_reference_to_a_row_of_no_known_kind() -> None:
    findings = run(checks.check_txn_references, [txn("K1", kind=None), txn("R1", kind="receipt", reference="K1")])
    assert at(findings) == [("TXN_REFERENCE_UNKNOWN", 3, "F")]
    assert "row 2, a row of unknown kind, not an invoice" in findings[0].message
