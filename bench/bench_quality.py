"""The data-quality sweep (xlcust.checks.quality) and the credit-as-typed check on a large archive.

    python bench/bench_quality.py [customers] [transactions]

Builds an in-memory book (default 50,000 customers, 500,000 transactions) with a few
slips of each kind, then times each sweep check and `check_invoice_credit_limits`.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from xlcust.book import Book
from xlcust.checks import quality, transactions


def build(n_customers: int, n_txns: int) -> Book:
    rng = random.Random(7)
    categories = [{"code": "01", "name": "A", "credit_limit": 200_000}, {"code": "0101", "name": "x"},
                  {"code": "0102", "name": "y", "active": False}, {"code": "0103", "name": "z"}]
    customers = [{"code": f"C{i:06d}", "name": f"客户{i}", "category_code": "0101" if i % 97 else "0102",
                  "phone": f"139{(i - i % 500 if i % 500 == 1 else i):08d}", "address": f"人民路{i}号",
                  "contact": None if i % 1000 == 0 else "王", "status": "停用" if i % 211 == 0 else "正常",
                  "tax_id": None, "opened_on": dt.date(2020, 1, 1)} for i in range(n_customers)]
    start = dt.date(2024, 1, 1)
    txns = [{"txn_id": f"T{j:07d}", "date": start + dt.timedelta(days=rng.randrange(900)),
             "customer_code": f"C{rng.randrange(n_customers):06d}",
             "kind": rng.choice(("invoice", "invoice", "receipt")),
             "amount": rng.randrange(100, 50_000)} for j in range(n_txns)]
    return Book.from_rows(settings={"coding_scheme": "2-2", "as_of": "2026-06-30",
                                    "required_customer_fields": "contact,phone"},
                          categories=categories, customers=customers, transactions=txns)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
    t0 = time.perf_counter()
    book = build(n, m)
    print(f"book of {n:,} customers, {m:,} transactions built in {time.perf_counter() - t0:.1f} s")
    for check in [*quality.CHECKS, transactions.check_invoice_credit_limits]:
        t0 = time.perf_counter()
        found = sum(1 for _ in check(book))
        print(f"{check.__name__:40s} {time.perf_counter() - t0:6.2f} s  {found:6,} findings")


if __name__ == "__main__":
    main()
