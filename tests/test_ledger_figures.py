"""Customer figures, DSO by quarter, bad-debt provision, collections list, control totals."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.ledger import LedgerImbalance, build_ledger, reconcile
from xlcust.ledger.provision import provide, rates_for


def figures_book(**extra: object) -> Book:
    return Book.from_rows(
        settings={"as_of": "2024-06-30", "default_payment_terms_days": 30, **extra},
        categories=[
            {"code": "01", "name": "Trade", "reminder_days": 10},
            {"code": "0101", "name": "Retail"},
            {"code": "02", "name": "Other", "reminder_days": 100},
        ],
        customers=[
            {"code": "A", "name": "Alpha", "category_code": "0101", "contact": "Li", "phone": "138"},
            {"code": "B", "name": "Beta", "category_code": "02"},
            {"code": "Q", "name": "Quiet", "category_code": "02"},
        ],
        transactions=[
            {"txn_id": "A0", "date": "2023-05-01", "customer_code": "A", "kind": "invoice", "amount": 500},
            {"txn_id": "A1", "date": "2024-01-10", "customer_code": "A", "kind": "invoice", "amount": 100},
            {"txn_id": "A2", "date": "2024-03-01", "customer_code": "A", "kind": "invoice", "amount": 300},
            {"txn_id": "AC", "date": "2024-03-05", "customer_code": "A", "kind": "credit_note", "amount": 20},
            {"txn_id": "AR", "date": "2024-04-20", "customer_code": "A", "kind": "receipt", "amount": 580},
            {"txn_id": "A3", "date": "2024-06-20", "customer_code": "A", "kind": "invoice", "amount": 50},
            {"txn_id": "B1", "date": "2024-01-01", "customer_code": "B", "kind": "invoice", "amount": 200},
            {"txn_id": "BR", "date": "2024-05-01", "customer_code": "B", "kind": "receipt", "amount": 250},
        ],
    )


def test_customer_figures() -> None:
    fig = build_ledger(figures_book()).customer_figures()
    a, b, q = fig.loc["A"], fig.loc["B"], fig.loc["Q"]
    # FIFO: the credit note (03-05) pays 20 of A0; the receipt (04-20) pays A0's 480 and A1's 100.
    assert a["balance"] == 50000 + 10000 + 30000 - 2000 - 58000 + 5000
    assert a["open_amount"] == 30000 + 5000 and a["unapplied_credit"] == 0
    assert a["overdue_amount"] == 30000  # A2 due 03-31; A3 not due
    assert a["overdue_90_amount"] == 30000 and a["overdue_90_count"] == 1  # 91 days
    assert a["overdue_90_share"] == pytest.approx(30000 / 35000)
    assert a["revenue_12m"] == 10000 + 30000 - 2000 + 5000  # A0 is older than 12 months
    assert a["invoice_count_12m"] == 3
    # settled in the window: A0 (500, 355 days, 325 late) and A1 (100, 101 days, 71 late) on 04-20
    assert a["avg_days_to_settle"] == pytest.approx((500 * 355 + 100 * 101) / 600)
    assert a["avg_days_late"] == pytest.approx((500 * 325 + 100 * 71) / 600)
    assert a["active_months_12m"] == 4  # Jan, Mar, Apr, Jun 2024 (A0 in May 2023 is outside)
    assert a["first_txn_date"] == pd.Timestamp("2023-05-01") and a["months_since_last_txn"] == 0
    assert a["dso"] == pytest.approx(35000 / 5000 * 92)  # (03-30, 06-30]: 92 days, sales A3 only
    assert b["balance"] == -5000 and b["unapplied_credit"] == 5000 and math.isnan(b["dso"])
    assert b["avg_days_late"] == 91  # B1 due 01-31, settled 05-01
    assert q["balance"] == 0 and pd.isna(q["months_since_last_txn"]) and pd.isna(q["last_txn_date"])
    assert math.isnan(q["avg_days_late"])
    assert fig.attrs["money_columns"][0] == "balance"
    assert fig["balance"].dtype == np.int64


def test_dso_by_quarter() -> None:
    report = build_ledger(figures_book()).dso_by_quarter()
    a = report.by_customer[report.by_customer["customer_code"] == "A"].set_index("quarter")
    assert a.index.tolist() == ["2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    assert a.loc["2023Q2", "receivables"] == 50000 and a.loc["2023Q2", "net_sales"] == 50000
    assert a.loc["2023Q2", "dso"] == pytest.approx(91)
    assert a.loc["2024Q1", "receivables"] == 50000 + 10000 + 30000 - 2000
    assert a.loc["2024Q1", "dso"] == pytest.approx(88000 / 38000 * 91)
    assert math.isnan(a.loc["2023Q3", "dso"])  # no sales
    assert not a.loc["2024Q2", "complete"] and a.loc["2024Q2", "days"] == 91
    cats = report.by_category
    q1 = cats[cats["quarter"] == "2024Q1"].set_index("category_code")
    assert q1.loc["01", "receivables"] == q1.loc["0101", "receivables"] == 88000
    b_q2 = report.by_customer.query("customer_code == 'B' and quarter == '2024Q2'")
    assert b_q2["receivables"].item() == 0  # in credit: owes nothing


def test_provision_per_customer_rounds_half_up() -> None:
    ledger = build_ledger(figures_book(provision_rates="0,0.015,0.05,0.1,0.3,1"))
    report = ledger.provision()
    rows = report.by_customer.set_index("customer_code")
    # A: 300 in 91-180 at 30%, 50 not due at 0
    assert rows.loc["A", "provision"] == 9000
    assert report.total == 9000
    cats = report.by_category.set_index("category_code")
    assert cats.loc["01", "provision"] == cats.loc["0101", "provision"] == 9000
    assert cats.loc["02", "provision"] == 0
    assert report.rates[1] == Decimal("0.015")


@pytest.mark.parametrize(("open_cents", "rate", "provided"), [
    (1, "0.5", 1),  # 0.5 cent rounds up
    (3, "0.5", 2),  # 1.5 → 2
    (1, "0.49", 0),
    (333, "0.015", 5),  # 4.995 → 5
    (10**15, "0.3333333333333333333", 333333333333333),
])
def test_provide_is_exact(open_cents: int, rate: str, provided: int) -> None:
    assert provide(np.array([[open_cents]], dtype=np.int64), (Decimal(rate),)).tolist() == [provided]


def test_rates_for_pads_with_the_last_rate() -> None:
    labels = ("Not due", "1-30", "31-60", ">60")
    assert rates_for(labels, (Decimal(0), Decimal("0.1"))) == (Decimal(0), Decimal("0.1"), Decimal("0.1"),
                                                                Decimal("0.1"))
    assert rates_for(labels, ()) == (Decimal(0),) * 4


def test_collections_list() -> None:
    book = Book.from_rows(
        settings={"as_of": "2024-06-30"},
        categories=[{"code": "01", "name": "Trade", "reminder_days": 10}, {"code": "0101", "name": "Retail"},
                    {"code": "02", "name": "Other"}],
        customers=[{"code": "A", "name": "Alpha", "category_code": "0101", "contact": "Li", "phone": "138"},
                   {"code": "B", "name": "Beta", "category_code": "02"}],
        transactions=[
            {"txn_id": "I1", "date": "2024-01-01", "customer_code": "A", "kind": "invoice", "amount": 10,
             "due_date": "2024-06-25"},  # 5 days × 1000
            {"txn_id": "I2", "date": "2024-01-01", "customer_code": "A", "kind": "invoice", "amount": 1,
             "due_date": "2024-03-01"},  # 121 days × 100
            {"txn_id": "I3", "date": "2024-01-01", "customer_code": "A", "kind": "invoice", "amount": 1000,
             "due_date": "2024-07-05"},  # not due
            {"txn_id": "I4", "date": "2024-01-01", "customer_code": "B", "kind": "invoice", "amount": 5,
             "due_date": "2024-06-29"},
            {"txn_id": "I5", "date": "2024-01-01", "customer_code": "Z", "kind": "invoice", "amount": 5,
             "due_date": "2024-06-01"},
        ],
    )
    c = build_ledger(book).collections()
    assert c["txn_id"].tolist() == ["I2", "I1", "I4", "I5"]
    assert c["urgency"].tolist() == [121 * 100, 5 * 1000, 500, 29 * 500]
    assert c["remind"].tolist() == [True, False, True, True]
    first = c.iloc[0]
    assert (first["category_code"], first["reminder_days"], first["contact"], first["phone"]) == ("0101", 10, "Li",
                                                                                                 "138")
    assert first["bucket"] == "91-180"


def test_reconcile_raises_on_an_imbalance() -> None:
    ledger = build_ledger(figures_book())
    totals = reconcile(ledger)
    assert totals.net == totals.open_items - totals.unapplied_credit
    assert reconcile(figures_book()) == totals  # from the book, same as-of
    ledger.items.loc[0, "open_amount"] += 1
    with pytest.raises(LedgerImbalance, match="does not reconcile"):
        ledger.reconcile()
    assert issubclass(LedgerImbalance, AssertionError)


def test_reconcile_checks_allocations_item_by_item() -> None:
    ledger = build_ledger(figures_book())
    rows = ledger.allocations["invoice_row"].to_numpy()
    assert rows[1] != rows[2]  # moving cents between two items keeps every total
    ledger.allocations["invoice_row"] = rows[[0, 2, 1, 3]]
    with pytest.raises(LedgerImbalance, match="allocations per item differ from its settled_amount"):
        ledger.reconcile()


def test_reconcile_checks_the_customer_numbers_against_the_codes() -> None:
    ledger = build_ledger(figures_book())
    ledger.item_customer = ledger.item_customer[::-1].copy()
    with pytest.raises(LedgerImbalance, match="items' customer numbers differ from their customer codes"):
        ledger.reconcile()
