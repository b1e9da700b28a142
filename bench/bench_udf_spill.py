"""The worksheet functions' spill form at scale: =CREDIT_GRADE(A2:A50001, tblTransactions[#All], tblCustomers[#All]).

    python bench/bench_udf_spill.py /work/benchdata/registry_1048575_50000_20240101.xlsx [REPEAT]

Excel hands a UDF its table arguments as lists of rows of Python values (xlwings:
text as str, numbers as float, dates as datetime), a fresh copy on every call. This
script reads the registry's Transactions and Customers sheets into exactly that form
(dates as datetimes), then times the Python side of the spill in the cases a user
meets (CPU seconds, `time.process_time`, and wall seconds; medians of REPEAT):

    (a) first call      nothing known yet: content key, typing, ledger, grades
    (b) customer edit   one Customers cell changed (a credit limit), then recalculated
    (c) amount edit     one Transactions amount changed
    (d) row appended    one Transactions row added at the end (a receipt)
    warm                the same tables again (Excel recalculating another cell)

Each of (b)–(d) starts from the state (a) left, and every answer is checked against
the same tables computed from nothing, so a stale cache would fail here, not only in
the tests. Target (issue 15): cold ≤ 2 s.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time
from collections.abc import Callable

import python_calamine

from xlcust import udfs

Grid = list[list[object]]


def grid(workbook: python_calamine.CalamineWorkbook, name: str) -> Grid:
    rows = workbook.get_sheet_by_name(name).to_python()
    return [[dt.datetime.combine(v, dt.time()) if type(v) is dt.date else (None if v == "" else v) for v in row]
            for row in rows]


def fresh(rows: Grid) -> Grid:
    """A new copy, as xlwings hands one over on every call."""
    return [list(r) for r in rows]


def edited_customer(customers: Grid) -> Grid:
    out = fresh(customers)
    limit = next(i for i, h in enumerate(out[0]) if str(h).lower().startswith("credit limit"))
    out[101][limit] = 50_000.0
    return out


def edited_amount(transactions: Grid) -> Grid:
    out = fresh(transactions)
    amount = next(i for i, h in enumerate(out[0]) if str(h).lower() == "amount")
    out[1000][amount] = out[1000][amount] + 1.0
    return out


def appended_row(transactions: Grid) -> Grid:
    out = fresh(transactions)
    last = out[-1]
    head = [str(h).lower() for h in out[0]]
    row: list[object] = [None] * len(head)
    row[head.index("txn id")] = "TBENCH1"
    row[head.index("date")] = last[head.index("date")]
    row[head.index("customer code")] = last[head.index("customer code")]
    row[head.index("kind")] = "receipt"
    row[head.index("amount")] = 10.0
    out.append(row)
    return out


def timed(f: Callable[[], object]) -> tuple[object, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = f()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def main(path: str, repeat: int = 3) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    transactions = grid(workbook, "Transactions")
    customers = grid(workbook, "Customers")
    codes = [[row[0]] for row in customers[1:]]
    print(f"{len(transactions) - 1:,} transactions, {len(codes):,} customer codes in the spill")

    cases = {
        "(b) customer edit": (lambda: fresh(transactions), lambda: edited_customer(customers)),
        "(c) amount edit": (lambda: edited_amount(transactions), lambda: fresh(customers)),
        "(d) row appended": (lambda: appended_row(transactions), lambda: fresh(customers)),
        "warm": (lambda: fresh(transactions), lambda: fresh(customers)),
    }
    times: dict[str, list[tuple[float, float]]] = {"(a) first call": []} | {name: [] for name in cases}
    for _ in range(repeat):
        for name, (t_rows, c_rows) in cases.items():
            udfs.clear_cache()
            t, c = fresh(transactions), fresh(customers)
            grades, cpu, wall = timed(lambda t=t, c=c: udfs.CREDIT_GRADE(codes, t, c))
            times["(a) first call"].append((cpu, wall))
            assert len(grades) == len(codes) and all(g[0] in ("A", "B", "C", "D", "NEW", None) for g in grades)
            t, c = t_rows(), c_rows()
            answer, cpu, wall = timed(lambda t=t, c=c: udfs.CREDIT_GRADE(codes, t, c))
            times[name].append((cpu, wall))
            udfs.clear_cache()
            assert answer == udfs.CREDIT_GRADE(codes, t, c), f"{name}: not what the same tables give from nothing"
    print(f"{'':20s} {'cpu s':>7s} {'wall s':>7s}   (median of {repeat}; the machine: {_load()})")
    for name, runs in times.items():
        print(f"{name:20s} {statistics.median(c for c, _ in runs):7.2f} {statistics.median(w for _, w in runs):7.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


def _load() -> str:
    try:
        with open("/proc/loadavg") as f:
            return "load " + f.read().split()[0]
    except OSError:
        return "load unknown"


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
