"""Profile one stage of a run with pyinstrument (issue 8: find the hot spot before fixing it).

    python bench/profile_stage.py BOOK {read,checks,ledger,grades,rules,revenue,run}

BOOK is a registry workbook (bench/registry.py) or a pickled `Book` (`--save-book` writes one
next to the workbook, so later profiles skip the read). Needs `pip install pyinstrument`.
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from pyinstrument import Profiler

from xlcust.checks import run_checks
from xlcust.credit import grade_customers
from xlcust.io.reader import read_book
from xlcust.ledger import build_ledger
from xlcust.reclass import diff, evaluate_rules
from xlcust.reports.revenue import current_year_revenue


def load(path: Path, save: bool):
    if path.suffix == ".pkl":
        with path.open("rb") as f:
            return pickle.load(f)
    book = read_book(path)
    if save:
        with path.with_suffix(".pkl").open("wb") as f:
            pickle.dump(book, f, protocol=5)
    return book


def ledger_of(book):
    ledger = build_ledger(book)
    ledger.settlement()
    ledger.aging()
    ledger.reconcile()
    return ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("stage", choices=["read", "checks", "ledger", "grades", "rules", "revenue"])
    parser.add_argument("--save-book", action="store_true")
    parser.add_argument("--interval", type=float, default=0.002)
    args = parser.parse_args()

    profiler = Profiler(interval=args.interval)
    if args.stage == "read":
        profiler.start()
        load(args.book, args.save_book)
        profiler.stop()
    else:
        book = load(args.book, args.save_book)
        needs_ledger = args.stage in ("grades", "rules", "revenue")
        ledger = ledger_of(book) if needs_ledger else None
        work = {
            "checks": lambda: run_checks(book),
            "ledger": lambda: ledger_of(book),
            "grades": lambda: grade_customers(book, ledger),
            "rules": lambda: diff(evaluate_rules(book, ledger)),
            "revenue": lambda: current_year_revenue(book, ledger.as_of),
        }[args.stage]
        started = time.perf_counter()
        profiler.start()
        work()
        profiler.stop()
        print(f"{args.stage}: {time.perf_counter() - started:.2f} s")
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
