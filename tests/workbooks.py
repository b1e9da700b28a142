"""Small registry workbooks written with xlsxwriter, for tests that need a real file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

Rows = list[list[object]]

CATEGORIES: Rows = [["Code", "Name"], ["01", "Domestic"], ["0101", "Construction"], ["02", "Export"]]
CUSTOMERS: Rows = [
    ["Code", "Name", "Category code"],
    ["C001", "华远建筑有限公司", "0101"],
    ["C002", "Acme Trading", "02"],
]
TRANSACTIONS: Rows = [
    ["Txn ID", "Date", "Customer code", "Kind", "Amount"],
    ["T1", dt.date(2024, 1, 5), "C001", "invoice", 1200.5],
    ["T2", dt.date(2024, 2, 1), "C001", "receipt", 1200.5],
]


def write_book(path: Path, sheets: dict[str, Rows], *, tables: tuple[str, ...] = (),
               start_row: dict[str, int] | None = None,
               extra: Callable[[xlsxwriter.Workbook, dict], None] | None = None) -> Path:
    """A workbook with one sheet per entry: header + rows, optionally as an Excel Table."""
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    sheets_by_name = {}
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        sheets_by_name[name] = ws
        top = (start_row or {}).get(name, 0)
        if name in tables:
            ws.add_table(top, 0, top + max(len(rows) - 1, 1), len(rows[0]) - 1, {
                "name": "tbl" + "".join(ch for ch in name if ch.isascii() and ch.isalnum()) or "tblData",
                "columns": [{"header": str(h)} for h in rows[0]],
            })
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(top + r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                else:
                    ws.write(top + r, c, value)
    if extra is not None:
        extra(wb, sheets_by_name)
    wb.close()
    return path


def registry(**overrides: Rows) -> dict[str, Rows]:
    return {"Categories": CATEGORIES, "Customers": CUSTOMERS, "Transactions": TRANSACTIONS, **overrides}
