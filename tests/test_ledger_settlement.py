"""Due dates from terms, settlement records, and the IBM accounts-receivable reference data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.ledger import build_ledger, json_records

from .external import EXTERNAL

CATEGORIES = [
    {"code": "01", "name": "Trade", "payment_terms_days": 45},
    {"code": "0101", "name": "Retail"},  # inherits 45 from 01
    {"code": "010101", "name": "Online"},  # inherits 45 through 0101 from 01
    {"code": "0102", "name": "Wholesale", "payment_terms_days": 60},
    {"code": "02", "name": "Other"},  # nothing: the default applies
]


@pytest.mark.parametrize(("customer", "due", "source"), [
    ({"code": "C", "category_code": "0102", "payment_terms_days": 10}, "2024-01-11", "customer"),
    ({"code": "C", "category_code": "0102"}, "2024-03-01", "category"),
    ({"code": "C", "category_code": "0101"}, "2024-02-15", "ancestor"),
    ({"code": "C", "category_code": "010101"}, "2024-02-15", "ancestor"),
    ({"code": "C", "category_code": "0103"}, "2024-02-15", "ancestor"),  # row missing: 01 still applies
    ({"code": "C", "category_code": "02"}, "2024-01-21", "default"),
    ({"code": "C", "category_code": None}, "2024-01-21", "default"),
])
def test_due_dates_derived_from_terms(customer: dict, due: str, source: str) -> None:
    book = Book.from_rows(
        settings={"as_of": "2024-12-31", "default_payment_terms_days": 20},
        categories=CATEGORIES,
        customers=[{"name": "c", **customer}],
        transactions=[
            {"txn_id": "I1", "date": "2024-01-01", "customer_code": "C", "kind": "invoice", "amount": 1},
            {"txn_id": "I2", "date": "2024-01-01", "customer_code": "C", "kind": "invoice", "amount": 1,
             "due_date": "2024-01-05"},
        ],
    )
    ledger = build_ledger(book)
    items = ledger.items.set_index("txn_id")
    assert items.loc["I1", "due_date"] == pd.Timestamp(due)
    assert items.loc["I1", "due_source"] == source
    assert items.loc["I2", "due_date"] == pd.Timestamp("2024-01-05")
    assert items.loc["I2", "due_source"] == "explicit"


def test_settlement_records() -> None:
    book = Book.from_rows(
        settings={"as_of": "2024-03-31", "default_payment_terms_days": 30},
        transactions=[
            {"txn_id": "I1", "date": "2024-01-01", "customer_code": "A", "kind": "invoice", "amount": 100},
            {"txn_id": "I2", "date": "2024-01-10", "customer_code": "A", "kind": "invoice", "amount": 100},
            {"txn_id": "R1", "date": "2024-02-15", "customer_code": "A", "kind": "receipt", "amount": 130},
        ],
    )
    records = json_records(build_ledger(book).settlement())
    assert records == [
        {"txn_id": "I1", "customer_code": "A", "kind": "invoice", "date": "2024-01-01", "due_date": "2024-01-31",
         "amount": 100.0, "settled_on": "2024-02-15", "days_to_settle": 45, "days_late": 15, "open_amount": 0.0,
         "source_row": 2},
        {"txn_id": "I2", "customer_code": "A", "kind": "invoice", "date": "2024-01-10", "due_date": "2024-02-09",
         "amount": 100.0, "settled_on": None, "days_to_settle": None, "days_late": 51, "open_amount": 70.0,
         "source_row": 3},
    ]
    json.dumps(records)


def ibm_book() -> tuple[Book, pd.DataFrame]:
    path = EXTERNAL / "ibm_accounts_receivable.csv"
    assert path.exists(), f"reference data missing: {path} (the CI clones shared/ beside the repo)"
    ar = pd.read_csv(path, dtype={"invoiceNumber": str, "customerID": str})
    for column in ("InvoiceDate", "DueDate", "SettledDate"):
        ar[column] = pd.to_datetime(ar[column], format="%m/%d/%Y")
    invoices = [{"txn_id": n, "date": d.date(), "due_date": due.date(), "amount": a, "customer_code": c,
                 "kind": "invoice"}
                for n, d, due, a, c in zip(ar["invoiceNumber"], ar["InvoiceDate"], ar["DueDate"],
                                           ar["InvoiceAmount"], ar["customerID"], strict=True)]
    receipts = [{"txn_id": f"R{n}", "date": s.date(), "amount": a, "customer_code": c, "kind": "receipt",
                 "reference": n}
                for n, s, a, c in zip(ar["invoiceNumber"], ar["SettledDate"], ar["InvoiceAmount"], ar["customerID"],
                                      strict=True)]
    as_of = ar["SettledDate"].max().date()
    return Book.from_rows(settings={"as_of": as_of}, transactions=invoices + receipts), ar


@pytest.mark.external
def test_ibm_days_to_settle_and_days_late_match_for_every_invoice() -> None:
    book, ar = ibm_book()
    ledger = build_ledger(book)
    s = ledger.settlement().set_index("txn_id")
    assert len(s) == len(ar) == 2466
    assert (s["open_amount"] == 0).all()
    assert (ledger.allocations["method"] == "reference").all()
    ours = s.loc[ar["invoiceNumber"]]
    assert ours["days_to_settle"].astype(int).tolist() == ar["DaysToSettle"].tolist()
    assert ours["days_late"].astype(int).tolist() == ar["DaysLate"].tolist()
    assert ours["settled_on"].tolist() == ar["SettledDate"].tolist()
    totals = ledger.reconcile()
    assert totals.debits == totals.credits == totals.allocated
    assert totals.debits == round(ar["InvoiceAmount"].sum() * 100)
