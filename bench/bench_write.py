"""Write 200,000 × 7 cells with xlcust's package writer and with XlsxWriter (constant_memory).

    python bench/bench_write.py [ROWS]

Both write the same rows (text, int, money, date, datetime, percent, text) into a
fresh workbook; xlcust's time includes copying the small input package around it.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.sheetxml import ColumnSpec, OutputSheet

COLUMNS = [
    ColumnSpec("Code"), ColumnSpec("Count", "int"), ColumnSpec("Amount", "money"), ColumnSpec("Date", "date"),
    ColumnSpec("Changed at", "datetime"), ColumnSpec("Share", "percent"), ColumnSpec("Memo"),
]


def rows(n: int):
    base = dt.date(2024, 1, 1)
    stamp = dt.datetime(2024, 1, 1, 8, 30)
    for i in range(n):
        yield (f"C{i:07d}", i, Decimal(i % 100000) / 100, base + dt.timedelta(days=i % 700),
               stamp + dt.timedelta(minutes=i), (i % 1000) / 1000, f"memo {i % 97} 客户")


def bench_xlcust(folder: Path, n: int) -> float:
    seed = folder / "seed.xlsx"
    wb = xlsxwriter.Workbook(seed)
    wb.add_worksheet("Customers").write("A1", "Code")
    wb.close()
    pkg = open_package(seed)
    start = time.perf_counter()
    save_package(pkg, folder / "xlcust.xlsx", outputs=[OutputSheet("Checks", COLUMNS, rows(n))])
    return time.perf_counter() - start


def bench_xlsxwriter(folder: Path, n: int) -> float:
    start = time.perf_counter()
    wb = xlsxwriter.Workbook(folder / "xlsxwriter.xlsx", {"constant_memory": True})
    ws = wb.add_worksheet("Checks")
    money = wb.add_format({"num_format": "#,##0.00"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    pct = wb.add_format({"num_format": "0.00%"})
    formats = [None, None, money, date, stamp, pct, None]
    ws.write_row(0, 0, [c.header for c in COLUMNS])
    for r, values in enumerate(rows(n), start=1):
        for c, (value, fmt) in enumerate(zip(values, formats, strict=True)):
            ws.write(r, c, value, fmt)
    wb.close()
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours = bench_xlcust(folder, n)
        theirs = bench_xlsxwriter(folder, n)
        size_ours = (folder / "xlcust.xlsx").stat().st_size
        size_theirs = (folder / "xlsxwriter.xlsx").stat().st_size
    print(f"{n:,} rows × {len(COLUMNS)} columns")
    print(f"xlcust save_package        {ours:7.2f} s  {size_ours / 1e6:6.1f} MB")
    print(f"XlsxWriter constant_memory {theirs:7.2f} s  {size_theirs / 1e6:6.1f} MB")
    print(f"speed-up                   {theirs / ours:7.2f}×")


if __name__ == "__main__":
    main()
