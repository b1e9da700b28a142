"""Benchmark the ledger: 1,000,000 transactions for 50,000 customers (deterministic).

    python bench/bench_ledger.py [--transactions N] [--customers N] [--seed S] [--own-due-share F]

Builds the typed frames a Book holds directly (no Excel), then times build_ledger
(allocation included), settlement, aging, customer figures and the control totals,
and prints seconds per step and peak RSS. The data are shaped like a real ledger:
most receipts name the invoice they pay (some pay it only in part, some are dated
after the as-of date), the rest are lump sums applied FIFO; some invoices carry their
own due date (so some customers have a later invoice falling due first), there are
credit notes, openings, adjustments of both signs, and a few customer codes missing
from the registry. `--own-due-share` (default 0.1) is the share of invoices with their
own due date; raising it sends more customers through the exact (per-transaction)
replay, which is how to see what that fallback costs.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from xlcust.book import Book, SheetTable
from xlcust.ledger import build_ledger
from xlcust.schema import CATEGORIES, CUSTOMERS, HISTORY, RULES, SETTINGS, TRANSACTIONS
from xlcust.settings import Settings

START = np.datetime64("2022-01-01")
AS_OF = np.datetime64("2024-12-31")


def _codes(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), width)).astype(object)


def _table(spec, data: pd.DataFrame) -> SheetTable:
    return SheetTable(spec, spec.key, pd.DataFrame(index=data.index), data)


def make_book(n_txn: int, n_cust: int, seed: int, own_due_share: float = 0.1) -> Book:
    rng = np.random.default_rng(seed)
    # Categories 2-2-2: 5 × 4 × 3 = 60 leaves; terms on some levels only (the rest inherit).
    top = np.repeat(np.arange(1, 6), 12)
    mid = np.tile(np.repeat(np.arange(1, 5), 3), 5)
    leaf = np.tile(np.arange(1, 4), 20)
    leaves = np.char.add(np.char.add(np.char.zfill(top.astype(str), 2), np.char.zfill(mid.astype(str), 2)),
                         np.char.zfill(leaf.astype(str), 2)).astype(object)
    cat_codes = np.concatenate([np.unique([c[:2] for c in leaves]), np.unique([c[:4] for c in leaves]), leaves])
    terms = [[30, 45, 60, 90, None][i % 5] if len(c) < 6 else None for i, c in enumerate(cat_codes)]
    categories = pd.DataFrame({
        "code": cat_codes.astype(object), "name": cat_codes.astype(object), "tax_rate": np.nan,
        "payment_terms_days": pd.array(terms, dtype="Int64"),
        "credit_limit": pd.array([None] * len(cat_codes), dtype="Int64"), "invoice_type": None,
        "reminder_days": pd.array([7] * len(cat_codes), dtype="Int64"), "active": True,
    }, index=pd.RangeIndex(2, 2 + len(cat_codes)))

    customer_codes = _codes("C", np.arange(n_cust), 6)
    own_terms = np.where(rng.random(n_cust) < 0.1, rng.choice([15, 30, 60], n_cust), -1)
    customers = pd.DataFrame({c.name: None for c in CUSTOMERS.columns}, index=pd.RangeIndex(2, 2 + n_cust))
    customers["code"] = customer_codes
    customers["name"] = customer_codes
    customers["category_code"] = leaves[rng.integers(0, len(leaves), n_cust)]
    customers["contact"] = "Li"
    customers["phone"] = "13800000000"
    customers["payment_terms_days"] = pd.array(np.where(own_terms >= 0, own_terms, 0), dtype="Int64")
    customers.loc[own_terms < 0, "payment_terms_days"] = pd.NA
    customers["credit_limit"] = pd.array([None] * n_cust, dtype="Int64")
    customers["opened_on"] = np.full(n_cust, np.datetime64("NaT"), dtype="datetime64[ns]")

    days = int((AS_OF - START).astype(int))
    n_inv = int(n_txn * 0.5)
    n_ref = int(n_txn * 0.3)
    n_lump = int(n_txn * 0.1)
    n_cn = int(n_txn * 0.05)
    n_open = int(n_txn * 0.02)
    n_adj = n_txn - n_inv - n_ref - n_lump - n_cn - n_open

    weight = rng.gamma(0.7, size=n_cust)  # a few big customers, many small
    weight /= weight.sum()
    inv_cust = rng.choice(n_cust, n_inv, p=weight)
    inv_day = rng.integers(0, days, n_inv)
    inv_amount = np.maximum(rng.lognormal(11, 1.2, n_inv).astype(np.int64), 100)
    inv_due = np.where(rng.random(n_inv) < own_due_share, inv_day + rng.choice([15, 30, 60, 90], n_inv), -1)

    paid = rng.choice(n_inv, n_ref, replace=False)  # receipts naming an invoice
    ref_day = inv_day[paid] + rng.integers(0, 120, n_ref)
    ref_amount = np.where(rng.random(n_ref) < 0.85, inv_amount[paid], inv_amount[paid] // 2)
    lump_cust = rng.choice(n_cust, n_lump, p=weight)
    lump_day = rng.integers(0, days + 30, n_lump)
    lump_amount = np.maximum(rng.lognormal(11.5, 1.2, n_lump).astype(np.int64), 100)
    cn_of = rng.choice(n_inv, n_cn)
    cn_day = inv_day[cn_of] + rng.integers(0, 30, n_cn)
    open_cust = rng.choice(n_cust, n_open, replace=False)
    adj_cust = rng.choice(n_cust, n_adj, p=weight)
    adj_amount = rng.integers(-50_000, 50_000, n_adj)

    n = n_txn
    kind = np.concatenate([
        np.full(n_inv, "invoice", dtype=object), np.full(n_ref + n_lump, "receipt", dtype=object),
        np.full(n_cn, "credit_note", dtype=object), np.full(n_open, "opening", dtype=object),
        np.full(n_adj, "adjustment", dtype=object),
    ])
    cust = np.concatenate([inv_cust, inv_cust[paid], lump_cust, inv_cust[cn_of], open_cust, adj_cust])
    day = np.concatenate([inv_day, ref_day, lump_day, cn_day, np.full(n_open, -1), rng.integers(0, days, n_adj)])
    amount = np.concatenate([inv_amount, ref_amount, lump_amount, inv_amount[cn_of] // 10,
                             rng.lognormal(12, 1, n_open).astype(np.int64), adj_amount])
    due = np.concatenate([inv_due, np.full(n - n_inv, -1)])
    txn_ids = _codes("T", np.arange(n), 7)
    reference = np.full(n, None, dtype=object)
    reference[n_inv:n_inv + n_ref] = txn_ids[paid]
    cn_named = rng.random(n_cn) < 0.5
    reference[n_inv + n_ref + n_lump:n_inv + n_ref + n_lump + n_cn][cn_named] = txn_ids[cn_of[cn_named]]
    customer_code = customer_codes[cust]
    customer_code[rng.random(n) < 0.0005] = "UNREGISTERED"

    order = rng.permutation(n)  # the sheet is not in any particular order
    dates = START + day.astype("timedelta64[D]")
    due_dates = np.where(due >= 0, START + due.astype("timedelta64[D]"), np.datetime64("NaT"))
    transactions = pd.DataFrame({
        "txn_id": txn_ids[order],
        "date": dates[order].astype("datetime64[ns]"),
        "customer_code": customer_code[order],
        "kind": kind[order],
        "amount": pd.array(amount[order], dtype="Int64"),
        "due_date": due_dates[order].astype("datetime64[ns]"),
        "reference": reference[order],
        "memo": np.full(n, None, dtype=object),
    }, index=pd.RangeIndex(2, 2 + n))
    for column in ("txn_id", "customer_code", "kind", "reference", "memo"):
        transactions[column] = pd.Series(transactions[column].to_numpy(dtype=object), index=transactions.index,
                                         dtype=object)

    empty = pd.DataFrame()
    return Book(
        settings=Settings(as_of=pd.Timestamp(AS_OF).date()),
        settings_table=_table(SETTINGS, empty),
        categories=_table(CATEGORIES, categories),
        customers=_table(CUSTOMERS, customers),
        transactions=_table(TRANSACTIONS, transactions),
        rules=_table(RULES, empty),
        history=_table(HISTORY, empty),
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--own-due-share", type=float, default=0.1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    book = make_book(args.transactions, args.customers, args.seed, args.own_due_share)
    print(f"generated {len(book.transactions):,} transactions for {args.customers:,} customers "
          f"in {time.perf_counter() - t0:.2f} s; RSS {peak_rss_mb():,.0f} MB")

    timings: dict[str, float] = {}

    def timed(name: str, step):
        start = time.perf_counter()
        out = step()
        timings[name] = time.perf_counter() - start
        return out

    ledger = timed("build_ledger (allocation)", lambda: build_ledger(book))
    settlement = timed("settlement", ledger.settlement)
    aging = timed("aging", ledger.aging)
    figures = timed("customer_figures", ledger.customer_figures)
    totals = timed("reconcile (not in the target)", ledger.reconcile)

    for name, seconds in timings.items():
        print(f"  {name:<32}{seconds:8.2f} s")
    core = sum(v for k, v in timings.items() if "not in" not in k)
    print(f"  {'allocation+settlement+aging+figures':<32}{core:8.2f} s")
    print(f"peak RSS {peak_rss_mb():,.0f} MB")
    print(f"{len(ledger.items):,} items, {len(ledger.credits):,} credits, {len(ledger.allocations):,} allocations, "
          f"{ledger.replayed_customers:,} customers replayed exactly, {len(ledger.excluded):,} rows after as-of")
    print(f"{len(settlement):,} settlement records, {len(aging.items):,} open items, {len(figures):,} customers; "
          f"net {totals.net / 100:,.2f} = open {totals.open_items / 100:,.2f} − unapplied "
          f"{totals.unapplied_credit / 100:,.2f}")


if __name__ == "__main__":
    main()
