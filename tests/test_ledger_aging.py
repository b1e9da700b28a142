"""Aging: bucket boundaries, both bases, as-of in the past, roll-up by category, totals."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlcust.book import Book
from xlcust.ledger import bucket_index, bucket_labels, build_ledger

AS_OF = dt.date(2024, 6, 30)


def test_default_labels() -> None:
    assert bucket_labels((30, 60, 90, 180)) == ("Not due", "1-30", "31-60", "61-90", "91-180", ">180")
    assert bucket_labels((90, 30)) == ("Not due", "1-30", "31-90", ">90")
    assert bucket_labels(()) == ("Not due", ">0")


@pytest.mark.parametrize(("days", "label"), [
    (-5, "Not due"), (0, "Not due"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
    (90, "61-90"), (91, "91-180"), (180, "91-180"), (181, ">180"), (5000, ">180"),
])
def test_bucket_boundaries(days: int, label: str) -> None:
    labels = bucket_labels((30, 60, 90, 180))
    assert labels[bucket_index(np.array([days]), (30, 60, 90, 180))[0]] == label
    # and through a whole ledger, on the due date
    due = AS_OF - dt.timedelta(days=days)
    ledger = build_ledger(Book.from_rows(
        settings={"as_of": AS_OF.isoformat()},
        transactions=[{"txn_id": "I1", "date": due - dt.timedelta(days=30), "customer_code": "A", "kind": "invoice",
                       "amount": 10, "due_date": due}],
    ))
    report = ledger.aging()
    assert report.items[["days_overdue", "bucket"]].values.tolist() == [[days, label]]
    assert report.total[label] == 1000


def aging_book(**extra_settings: object) -> Book:
    return Book.from_rows(
        settings={"as_of": "2024-06-30", "default_payment_terms_days": 30, **extra_settings},
        categories=[
            {"code": "01", "name": "Trade"},
            {"code": "0101", "name": "Retail"},
            {"code": "0102", "name": "Wholesale"},
            {"code": "02", "name": "Other"},
        ],
        customers=[
            {"code": "A", "name": "Alpha", "category_code": "0101"},
            {"code": "B", "name": "Beta", "category_code": "0102"},
            {"code": "C", "name": "Gamma", "category_code": "02"},
        ],
        transactions=[
            {"txn_id": "I1", "date": "2024-01-15", "customer_code": "A", "kind": "invoice", "amount": 100},  # due 02-14
            {"txn_id": "I2", "date": "2024-06-10", "customer_code": "A", "kind": "invoice", "amount": 50},  # due 07-10
            {"txn_id": "R1", "date": "2024-03-01", "customer_code": "A", "kind": "receipt", "amount": 40},
            {"txn_id": "I3", "date": "2024-05-20", "customer_code": "B", "kind": "invoice", "amount": 70},  # due 06-19
            {"txn_id": "R2", "date": "2024-06-01", "customer_code": "C", "kind": "receipt", "amount": 25},
            {"txn_id": "I4", "date": "2024-06-01", "customer_code": "X", "kind": "invoice", "amount": 5},
        ],
    )


def test_due_basis_by_customer_and_total() -> None:
    report = build_ledger(aging_book()).aging()
    assert report.basis == "due"
    rows = report.by_customer.set_index("customer_code")
    assert rows.loc["A", ["Not due", "91-180", "open_amount", "unapplied_credit", "balance"]].tolist() == [
        5000, 6000, 11000, 0, 11000,
    ]
    assert rows.loc["C", ["open_amount", "unapplied_credit", "balance"]].tolist() == [0, 2500, -2500]
    assert rows.loc["B", "1-30"] == 7000
    assert report.total["open_amount"] == 11000 + 7000 + 500
    assert report.total["balance"] == 11000 + 7000 + 500 - 2500
    assert sum(report.total[label] for label in report.labels) == report.total["open_amount"]


def test_invoice_basis_counts_from_the_invoice_date() -> None:
    report = build_ledger(aging_book(), basis="invoice").aging()
    days = dict(zip(report.items["txn_id"], report.items["days_overdue"], strict=True))
    assert days == {"I1": 167, "I2": 20, "I3": 41, "I4": 29}
    assert report.total["91-180"] == 6000 and report.total["1-30"] == 5000 + 500 and report.total["31-60"] == 7000
    assert build_ledger(aging_book(aging_basis="invoice")).aging().basis == "invoice"


def test_by_category_rolls_up_every_level() -> None:
    report = build_ledger(aging_book()).aging()
    cats = report.by_category.set_index(report.by_category["category_code"].fillna("-"))
    assert cats.loc["01", "open_amount"] == cats.loc["0101", "open_amount"] + cats.loc["0102", "open_amount"]
    assert cats.loc["01", "level"] == 1 and cats.loc["0101", "level"] == 2
    assert cats.loc["02", "unapplied_credit"] == 2500
    assert cats.loc["-", "open_amount"] == 500  # customer X is not in the registry
    top = report.by_category[report.by_category["level"].fillna(1) == 1]
    for column in (*report.labels, "open_amount", "unapplied_credit", "balance"):
        assert top[column].sum() == report.total[column]


def test_aging_in_the_past_uses_only_earlier_transactions() -> None:
    report = build_ledger(aging_book(), as_of=dt.date(2024, 2, 29)).aging()
    assert report.items["txn_id"].tolist() == ["I1"]
    assert report.items["days_overdue"].tolist() == [15]
    assert report.total["open_amount"] == 10000  # R1 (03-01) has not happened yet


def test_json_document() -> None:
    doc = json.loads(json.dumps(build_ledger(aging_book()).aging().to_json()))
    assert doc["as_of"] == "2024-06-30" and doc["buckets"][0] == "Not due"
    assert doc["items"][0] == {
        "txn_id": "I1", "customer_code": "A", "category_code": "0101", "kind": "invoice", "date": "2024-01-15",
        "due_date": "2024-02-14", "days_overdue": 137, "bucket": "91-180", "amount": 100.0, "open_amount": 60.0,
        "source_row": 2,
    }
    assert doc["total"]["balance"] == 160.0


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from(["invoice", "receipt", "credit_note", "opening"]),
                          st.integers(0, 400), st.integers(1, 100_000), st.integers(0, 90)), max_size=30),
       st.sampled_from(["due", "invoice"]))
def test_buckets_always_sum_to_the_balance(rows: list[tuple], basis: str) -> None:
    start = dt.date(2023, 6, 1)
    book = Book.from_rows(settings={"as_of": "2024-06-30"}, transactions=[
        {"txn_id": f"T{i}", "date": start + dt.timedelta(days=d), "customer_code": c, "kind": k, "amount": a / 100,
         "due_date": start + dt.timedelta(days=d + due)}
        for i, (c, k, d, a, due) in enumerate(rows)
    ])
    ledger = build_ledger(book, basis=basis)
    report = ledger.aging()
    by_customer = report.by_customer
    assert (by_customer[list(report.labels)].sum(axis=1) == by_customer["open_amount"]).all()
    assert (by_customer["open_amount"] - by_customer["unapplied_credit"] == by_customer["balance"]).all()
    signed = int(ledger.lines["amount"].sum())
    assert report.total["balance"] == signed
    ledger.reconcile()
