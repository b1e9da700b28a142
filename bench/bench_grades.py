"""Benchmark credit grading on top of the ledger: 50,000 customers, 1,000,000 transactions.

    python bench/bench_grades.py [--transactions N] [--customers N] [--seed S] [--repeat R]

The book comes from bench_ledger.make_book (same deterministic generator), with an
industry and region per customer, opening dates for some, and a Risk table. The ledger
is built first and not timed here (bench_ledger.py does that); then the grading step is
timed, wall clock and CPU, best of --repeat runs (a shared machine is noisy): customer
figures, grade_customers (scores, grades, explanations in two languages, exposure) and
early_warnings. Target: the grading step ≤ 2 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ledger import make_book, peak_rss_mb  # noqa: E402

from xlcust.book import Book  # noqa: E402
from xlcust.credit import early_warnings, grade_customers  # noqa: E402
from xlcust.ledger import build_ledger  # noqa: E402

INDUSTRIES = ("Manufacturing", "Wholesale", "Retail", "Construction", "IT", "Logistics", "Services", "Food")
REGIONS = ("上海", "北京", "广东", "浙江", "江苏", "四川", "河南", "湖北", "山东", "福建")


def with_credit_data(book: Book, seed: int) -> Book:
    rng = np.random.default_rng(seed)
    customers = book.customers.data.copy()
    n = len(customers)
    customers["industry"] = np.array(INDUSTRIES, dtype=object)[rng.integers(0, len(INDUSTRIES), n)]
    region = np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)]
    region[rng.random(n) < 0.05] = None  # some left blank
    customers["region"] = region
    opened = np.datetime64("2015-01-01") + rng.integers(0, 3000, n).astype("timedelta64[D]")
    customers["opened_on"] = np.where(rng.random(n) < 0.5, opened, np.datetime64("NaT")).astype("datetime64[ns]")
    risk = Book.from_rows(risk=[
        *({"kind": "industry", "name": name, "score": 40 + 7 * i} for i, name in enumerate(INDUSTRIES[:6])),
        *({"kind": "region", "name": name, "score": 50 + 5 * i} for i, name in enumerate(REGIONS[:8])),
        {"kind": "region", "name": "*", "score": 65},
    ]).risk
    return dataclasses.replace(book, customers=dataclasses.replace(book.customers, data=customers), risk=risk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--repeat", type=int, default=3, help="time each step this often; the best run counts")
    args = parser.parse_args()

    t0 = time.perf_counter()
    book = with_credit_data(make_book(args.transactions, args.customers, args.seed), args.seed)
    ledger = build_ledger(book)
    print(f"generated and allocated {len(book.transactions):,} transactions for {args.customers:,} customers "
          f"in {time.perf_counter() - t0:.2f} s (not timed below)")

    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(name: str, step):
        for _ in range(max(args.repeat, 1)):
            start, start_cpu = time.perf_counter(), time.process_time()
            out = step()
            timings[name] = min(timings.get(name, float("inf")), time.perf_counter() - start)
            cpu[name] = min(cpu.get(name, float("inf")), time.process_time() - start_cpu)
        return out

    figures = timed("customer_figures", ledger.customer_figures)
    grades = timed("grade_customers", lambda: grade_customers(book, ledger, figures))
    warnings = timed("early_warnings", lambda: early_warnings(book, ledger, figures, grades))
    print(f"  {'step':<24}{'wall':>8}  {'cpu':>8}")
    for name, seconds in timings.items():
        print(f"  {name:<24}{seconds:8.2f} s{cpu[name]:8.2f} s")
    print(f"  {'grading step (total)':<24}{sum(timings.values()):8.2f} s{sum(cpu.values()):8.2f} s   (target ≤ 2 s)")
    print(f"peak RSS {peak_rss_mb():,.0f} MB")
    counts = grades["grade"].value_counts()
    print("grades: " + ", ".join(f"{g} {int(counts.get(g, 0)):,}" for g in ("A", "B", "C", "D", "NEW")))
    print("warnings: " + ", ".join(f"{c} {n:,}" for c, n in warnings["code"].value_counts().items()))
    print(f"e.g. {grades.index[0]}: {grades['explanation'].iloc[0]}")
    assert len(grades) == len(ledger.customers) and not pd.isna(grades["score"]).any()


if __name__ == "__main__":
    main()
