"""Write a registry workbook of N customers and M transactions (deterministic), for benchmarks.

    python bench/registry.py --transactions 1048575 --customers 50000 [--seed 20240101] [--out PATH]

The data come from `bench_ledger.make_book` (shaped like a real ledger); this script
only turns its typed frames into cells. XlsxWriter's constant_memory mode writes the
sheets row by row (plain ranges with a header row: the reader treats them exactly as
Tables). The file lands in bench/data/ by default and is reused when it exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ledger import make_book  # noqa: E402

from xlcust.schema import CATEGORIES, CUSTOMERS, HISTORY, SETTINGS, TRANSACTIONS  # noqa: E402
from xlcust.settings import setting_rows  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def default_path(n_txn: int, n_cust: int, seed: int) -> Path:
    return DATA / f"registry_{n_txn}_{n_cust}_{seed}.xlsx"


def _cells(frame: pd.DataFrame, fields: list[str]) -> list[list[object]]:
    """Typed columns back to cell values: cents → yuan, datetime64 → date, NA → None."""
    columns = []
    for f in fields:
        s = frame[f]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = s.dt.date.to_numpy(dtype=object).copy()
            values[s.isna().to_numpy()] = None
        elif str(s.dtype) == "Int64":
            ints = s.to_numpy(dtype=object, na_value=None)
            values = np.array([None if v is None else (v / 100 if f in ("amount", "credit_limit") else v)
                               for v in ints], dtype=object)
        else:
            values = s.to_numpy(dtype=object)
        columns.append(values)
    return [list(row) for row in zip(*columns, strict=True)]


def write_registry(path: Path, n_txn: int, n_cust: int, seed: int) -> Path:
    book = make_book(n_txn, n_cust, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    settings = [[k, v, n] for k, v, n in setting_rows(book.settings)]
    sheets = [
        (SETTINGS, ["key", "value", "note"], settings),
        (CATEGORIES, ["code", "name", "tax_rate", "payment_terms_days", "credit_limit", "reminder_days"],
         _cells(book.categories.data, ["code", "name", "tax_rate", "payment_terms_days", "credit_limit",
                                       "reminder_days"])),
        (CUSTOMERS, ["code", "name", "category_code", "industry", "region", "credit_limit", "payment_terms_days"],
         _cells(book.customers.data, ["code", "name", "category_code", "industry", "region", "credit_limit",
                                      "payment_terms_days"])),
        (TRANSACTIONS, ["txn_id", "date", "customer_code", "kind", "amount", "due_date", "reference"],
         None),
        (HISTORY, ["customer_code", "category_code", "valid_from"],
         [[code, category, dt.date(2021, 1, 1)] for code, category in zip(
             book.customers.data["code"], book.customers.data["category_code"], strict=True)]),
    ]
    for spec, fields, rows in sheets:
        ws = wb.add_worksheet(spec.key)
        ws.write_row(0, 0, [spec.by_name[f].en for f in fields])
        if rows is None:
            rows = _cells(book.transactions.data, fields)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None or (isinstance(v, float) and v != v):
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
    wb.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    path = args.out or default_path(args.transactions, args.customers, args.seed)
    started = time.perf_counter()
    write_registry(path, args.transactions, args.customers, args.seed)
    print(f"{path}  ({time.perf_counter() - started:.1f} s, {path.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
