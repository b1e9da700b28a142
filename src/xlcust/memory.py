"""What xlcust remembers between runs: each used customer's last known category (the lock's memory).

T3 locks a category once a customer has used it; xlcust keeps history instead, and the
CategoryHistory sheet is that history. The sheet can be deleted or edited away, so every
`run` and `check --write` also leaves, in a part of the file xlcust owns, the category in
force for each customer with transactions on the day it ran. A later change made on the
Customers sheet without a history row is then still caught (HIS_CHANGE_NO_HISTORY) and
recorded with an effective date by `xlcust reclassify --apply`; until then the customer's
transactions stay in the remembered category, so closed periods do not move.

    Remembered   customer_code → (category_code, seen_on), as read from the file
    remembered_categories(book)  → Series customer_code → category_code
    memory_records(book)         → the rows to remember now (what the hosts write)

The part itself (a very hidden sheet, see `xlcust.io.memory`) is read and written by the
hosts; this module only says what goes in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .book import Book

from .book import empty_memory, memory_frame  # noqa: F401 (the memory's frame is a Book field)

MEMORY_SHEET = "_xlcust_memory"
MEMORY_COLUMNS = ("customer_code", "category_code", "seen_on")


def remembered_categories(book: Book) -> pd.Series:
    """customer_code → the category xlcust last saw in force for it (empty without a memory)."""
    return book.remembered["category_code"]


def used_customers(book: Book) -> pd.Index:
    """Codes of customers with at least one transaction row (a used customer, in T3's words)."""
    t = book.transactions
    if not t.present or "customer_code" not in t.data.columns:
        return pd.Index([], dtype=object)
    return pd.Index(pd.unique(t.data["customer_code"].dropna().to_numpy(dtype=object)), dtype=object)


def memory_records(book: Book, today: dt.date | None = None) -> list[tuple[str, str, dt.date]]:
    """What to remember now: (customer_code, category_code, seen_on) per used customer on the Customers sheet.

    The category is the one in force at the as-of date by `xlcust.history` — the open CategoryHistory
    period, else the remembered category while a change is unrecorded, else the current
    one — so an unrecorded change is never remembered as if it had always been so.
    `seen_on` (the day xlcust saw it, `today`) is kept from the old memory while the category is the same.
    """
    from .history import category_at

    today = today or dt.date.today()
    as_of = book.settings.effective_as_of()
    on_sheet = book.customers.data["code"] if "code" in book.customers.data.columns else pd.Series([], dtype=object)
    used = used_customers(book)
    codes = pd.Series(used[used.isin(on_sheet.dropna().to_numpy(dtype=object))], dtype=object)
    if codes.empty:
        return []
    dates = pd.Series(np.full(len(codes), np.datetime64(as_of, "ns")), index=codes.index)
    category = category_at(book, codes, dates).to_numpy(dtype=object)
    old = book.remembered.reindex(codes.to_numpy())
    same = (old["category_code"].to_numpy(dtype=object) == category) & old["seen_on"].notna().to_numpy()
    seen = np.where(same, old["seen_on"].dt.date.to_numpy(dtype=object), today)
    return [(c, k, s) for c, k, s in zip(codes.tolist(), category.tolist(), seen.tolist(), strict=True)
            if k is not None]


def memory_after_changes(book: Book, changes: Iterable[object], today: dt.date | None = None,
                         ) -> list[tuple[str, str, dt.date]]:
    """What to remember once a reclassification's `changes` are recorded (`reclassify --apply`).

    `memory_records` of the book as read, except that a used customer whose category change takes
    effect by the as-of date is remembered in its new category, seen today: the next run then finds
    the memory current instead of an unrecorded change.
    """
    today = today or dt.date.today()
    as_of = book.settings.effective_as_of()
    moved = {c.customer_code: c.new for c in changes
             if c.field == "category" and c.new and (c.effective is None or c.effective <= as_of)}
    return [(code, moved[code], today if moved[code] != category else seen) if code in moved
            else (code, category, seen) for code, category, seen in memory_records(book, today)]


def initial_history(book: Book) -> list[dict[str, object]]:
    """CategoryHistory rows for a workbook without the sheet: one open period per customer.

    The category is the one in force (the remembered one while a change is unrecorded, so
    the checks then ask for the change's date), valid from the customer's first
    transaction, else its opened-on date, else the as-of date. Rows are dicts of canonical fields.
    """
    from .history import category_at

    today = book.settings.effective_as_of()
    c = book.customers.data
    if "code" not in c.columns or "category_code" not in c.columns:
        return []
    first = c[c["code"].notna().to_numpy() & ~c["code"].duplicated().to_numpy()]
    codes = pd.Series(first["code"].to_numpy(dtype=object), dtype=object)
    dates = pd.Series(np.full(len(codes), np.datetime64(today, "ns")))
    category = category_at(book, codes, dates).to_numpy(dtype=object)
    start = pd.Series(pd.NaT, index=codes.to_numpy(), dtype="datetime64[ns]")
    t = book.transactions
    if t.present and "customer_code" in t.data.columns and "date" in t.data.columns:
        earliest = t.data.groupby("customer_code", sort=False)["date"].min()
        start = pd.Series(pd.to_datetime(earliest.reindex(codes.to_numpy()).to_numpy()), index=codes.to_numpy())
    if "opened_on" in first.columns:
        start = start.fillna(pd.Series(pd.to_datetime(first["opened_on"].to_numpy()), index=codes.to_numpy()))
    start = start.fillna(pd.Timestamp(today))
    return [
        {"customer_code": code, "category_code": cat, "valid_from": day.date(), "valid_to": None}
        for code, cat, day in zip(codes.tolist(), category.tolist(), start.tolist(), strict=True)
        if cat is not None
    ]
