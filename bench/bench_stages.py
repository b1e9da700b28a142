"""Stage timings of a full run on a registry workbook (issue 8, first cut).

    python bench/registry.py --transactions 1048575 --customers 50000
    python bench/bench_stages.py bench/data/registry_1048575_50000_20240101.xlsx

The floor is python-calamine reading every sheet; each later line is one stage of
`xlcust run` without writing. Prints seconds per stage, the ratio to the floor and
the peak RSS.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable

import python_calamine

from xlcust.checks import run_checks
from xlcust.credit import grade_customers
from xlcust.io.reader import read_book
from xlcust.ledger import build_ledger
from xlcust.reclass import diff, evaluate_rules
from xlcust.reports.revenue import current_year_revenue


def timed(name: str, work: Callable[[], object], floor: float | None = None) -> tuple[object, float]:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    ratio = f"{seconds / floor:6.2f}×" if floor else "  1.00×"
    print(f"{name:36} {seconds:7.1f} s {ratio}", flush=True)
    return result, seconds


def read_floor(path: str) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def main(path: str) -> None:
    _, floor = timed("floor: python-calamine, all sheets", lambda: read_floor(path))
    book, _ = timed("read_book (read + typing)", lambda: read_book(path), floor)
    timed("checks", lambda: run_checks(book), floor)
    ledger, _ = timed("settlement + aging", lambda: _ledger(book), floor)
    timed("grades", lambda: grade_customers(book, ledger), floor)
    timed("rules dry run", lambda: diff(evaluate_rules(book, ledger)), floor)
    timed("revenue by category", lambda: current_year_revenue(book, ledger.as_of), floor)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


def _ledger(book):
    ledger = build_ledger(book)
    ledger.settlement()
    ledger.aging()
    ledger.reconcile()
    return ledger


if __name__ == "__main__":
    main(sys.argv[1])
