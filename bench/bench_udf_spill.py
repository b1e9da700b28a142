"""The worksheet functions' spill form at scale: =CREDIT_GRADE(A2:A50001, tblTransactions[#All], tblCustomers[#All]).

    python bench/bench_udf_spill.py bench/data/registry_1048575_50000_20240101.xlsx

Excel hands a UDF its table arguments as lists of rows of Python values (xlwings:
text as str, numbers as float, dates as datetime). This script reads the registry's
Transactions and Customers sheets into exactly that form (dates as datetimes), then
times the Python side of the spill: cold (content key, parse, ledger, grades — what a
recalculation after an edit costs) and warm (the same tables again: cached by content).
Target (issue 8): 50,000 grades from 1,048,575 transactions ≤ 2 s Python-side.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time

import python_calamine

from xlcust import udfs


def grid(workbook: python_calamine.CalamineWorkbook, name: str) -> list[list[object]]:
    rows = workbook.get_sheet_by_name(name).to_python()
    return [[dt.datetime.combine(v, dt.time()) if type(v) is dt.date else (None if v == "" else v) for v in row]
            for row in rows]


def main(path: str, repeat: int = 3) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    transactions = grid(workbook, "Transactions")
    customers = grid(workbook, "Customers")
    codes = [[row[0]] for row in customers[1:]]
    print(f"{len(transactions) - 1:,} transactions, {len(codes):,} customer codes in the spill")

    cold, warm = [], []
    for _ in range(repeat):
        udfs.clear_cache()
        started = time.perf_counter()
        grades = udfs.CREDIT_GRADE(codes, transactions, customers)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        udfs.CREDIT_GRADE(codes, transactions, customers)
        warm.append(time.perf_counter() - started)
    assert len(grades) == len(codes) and all(g[0] in ("A", "B", "C", "D", "NEW", None) for g in grades)
    print(f"cold (key + parse + ledger + grades): {statistics.median(cold):6.2f} s  (median of {repeat})")
    print(f"warm (cached by content):             {statistics.median(warm):6.2f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
