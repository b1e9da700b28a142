"""The category a customer was in on a date, from CategoryHistory (分类历史).

    category_at(book, customer_codes, dates)          → Series of category codes
    categories_in_force(book, customer_codes, dates)  → frame: category_code, source

A CategoryHistory row is a period of membership [valid_from, valid_to): Valid from is
the first day in the category, Valid to the first day no longer in it (blank: still
in it). For each (customer, date) pair the category is the period covering the date;
`source` says where the answer came from:

    history           a history period covers the date
    current           the customer has no history rows at all (or the workbook has no
                      CategoryHistory sheet): its current category on the Customers
                      sheet, as DESIGN §5 says history then starts from it — unless
                      xlcust remembers another category in force at its last run
                      (`xlcust.memory`): then that one, until the change is recorded
    current_fallback  the customer has history rows but none covers the date (a
                      transaction before the first period, or in a gap): its current
                      category is used, and callers should say so
    none              no category known: a blank or unknown customer code, or a
                      customer whose category cell is blank

Which rows count is what the checks use (`xlcust.checks.history.periods`): rows
without a customer or Valid from, with an unreadable Valid to, or whose Valid to is
not after Valid from are left out, and so are rows without a category code; each of
those has its own finding. When periods overlap (HIS_OVERLAP, an error) the covering
period that started last wins, and of two starting on the same day the one further
down the sheet (the later entry).
A customer code on several Customers rows takes the first row's category.

Everything is vectorised: one sort of the periods and one binary search for all
pairs, so a million transactions cost a fraction of a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .book import Book

SOURCES = ("history", "current", "current_fallback", "none")

_NS_PER_DAY = 86_400 * 10**9
_OPEN = np.iinfo(np.int64).max  # the end of an open period, in day numbers too


def current_categories(book: Book) -> pd.Series:
    """Each customer code's category on the Customers sheet (first row of a repeated code)."""
    c = book.customers.data
    if "code" not in c.columns or "category_code" not in c.columns:
        return pd.Series([], dtype=object)
    codes = c["code"].to_numpy(dtype=object)
    keep = ~pd.isna(codes) & ~pd.Series(codes).duplicated().to_numpy()
    return pd.Series(c["category_code"].to_numpy(dtype=object)[keep], index=pd.Index(codes[keep], dtype=object),
                     dtype=object, name="category_code")


def _periods(book: Book) -> pd.DataFrame:
    """Usable periods with a category: customer, category, start and end as day numbers."""
    from .checks.history import periods  # one definition of a usable period, shared with the checks

    p = periods(book)
    p = p[p["category"].notna().to_numpy()]
    start = p["start"].to_numpy(dtype=np.int64) // _NS_PER_DAY
    end = p["end"].to_numpy(dtype=np.int64)
    end = np.where(end == _OPEN, _OPEN, end // _NS_PER_DAY)
    return pd.DataFrame({"customer": p["customer"].to_numpy(dtype=object),
                         "category": p["category"].to_numpy(dtype=object),
                         "start": start, "end": end, "row": p["row"].to_numpy(dtype=np.int64)})


def categories_in_force(book: Book, customer_codes: pd.Series, dates: pd.Series) -> pd.DataFrame:
    """Category and its source (see the module docstring) for each (customer, date) pair.

    `customer_codes` and `dates` are parallel (same length; dates datetime64, NaT
    allowed: no period covers a missing date). The result has the index of
    `customer_codes` and columns `category_code` (object, None when unknown) and
    `source` (one of SOURCES).
    """
    if len(customer_codes) != len(dates):
        raise ValueError("customer_codes and dates must have the same length")
    codes = pd.Series(customer_codes).to_numpy(dtype=object, na_value=None)
    day_values = np.asarray(pd.Series(dates).to_numpy(dtype="datetime64[ns]"))
    dated = ~np.isnat(day_values)
    days = np.where(dated, day_values.astype("datetime64[D]").astype(np.int64), 0)
    n = len(codes)

    # Customers once each: everything per customer is looked up on the distinct codes.
    q_cust, distinct = pd.factorize(codes, use_na_sentinel=True)  # −1 for a blank code
    q_cust = q_cust.astype(np.int64)
    distinct = pd.Index(distinct, dtype=object)

    category = np.full(n, None, dtype=object)
    covered = np.zeros(n, dtype=bool)
    periods = _periods(book)
    p_cust = distinct.get_indexer(periods["customer"].to_numpy(dtype=object)).astype(np.int64)
    periods = periods[p_cust >= 0]  # periods of customers not asked about
    p_cust = p_cust[p_cust >= 0]
    if len(periods) and n:
        lo = min(int(periods["start"].min()), int(days.min()))
        span = max(int(periods["start"].max()), int(days.max())) - lo + 2
        order = np.lexsort((periods["row"].to_numpy(), periods["start"].to_numpy(), p_cust))
        p_cust = p_cust[order]
        p_end = periods["end"].to_numpy()[order]
        p_cat = periods["category"].to_numpy(dtype=object)[order]
        p_key = p_cust * span + (periods["start"].to_numpy()[order] - lo)
        # The last period starting on or before the date (same start: the higher row number,
        # sorted last). With overlaps an earlier period may still cover the date when the last one
        # has ended, so step back through the customer's earlier periods for those pairs.
        i = np.flatnonzero(dated & (q_cust >= 0))
        at = np.searchsorted(p_key, q_cust[i] * span + (days[i] - lo), side="right") - 1
        while len(i):
            same = at >= 0
            same[same] = p_cust[at[same]] == q_cust[i[same]]
            i, at = i[same], at[same]
            hit = p_end[at] > days[i]
            category[i[hit]] = p_cat[at[hit]]
            covered[i[hit]] = True
            i, at = i[~hit], at[~hit] - 1

    # Not covered: the current category, per distinct customer (slot −1 = a blank code) — or, for a
    # customer without history rows, the category xlcust remembers from its last run (`xlcust.memory`):
    # a change nobody recorded must not move the customer's past transactions.
    now = np.array(current_categories(book).reindex(distinct).to_numpy(dtype=object, na_value=None))
    with_rows = distinct.isin(_customers_with_rows(book))
    remembered = book.remembered["category_code"].reindex(distinct).to_numpy(dtype=object, na_value=None)
    from_memory = ~with_rows & ~pd.isna(remembered)
    now[from_memory] = remembered[from_memory]
    now = np.append(now, None)
    with_rows = np.append(with_rows, False)
    rest = ~covered
    category[rest] = now[q_cust[rest]]
    source = np.full(n, "history", dtype=object)
    source[rest] = np.where(with_rows[q_cust[rest]], "current_fallback", "current")
    source[pd.isna(category)] = "none"
    index = customer_codes.index if isinstance(customer_codes, pd.Series) else pd.RangeIndex(n)
    return pd.DataFrame({"category_code": pd.Series(category, index=index, dtype=object),
                         "source": pd.Series(source, index=index, dtype=object)})


def category_at(book: Book, customer_codes: pd.Series, dates: pd.Series) -> pd.Series:
    """The category code in force for each (customer, date) pair (None when unknown).

    Where no history period covers the date the customer's current category is used;
    which values came from history and which fell back is the `source` column of
    `categories_in_force` (same arguments). As a summary, the result's
    `attrs["source_counts"]` holds how many values came from each source.
    """
    frame = categories_in_force(book, customer_codes, dates)
    result = frame["category_code"].rename("category_code")
    counts = frame["source"].value_counts()
    result.attrs["source_counts"] = {s: int(counts.get(s, 0)) for s in SOURCES}
    return result


def _customers_with_rows(book: Book) -> np.ndarray:
    """Customer codes named on any CategoryHistory row, usable or not."""
    h = book.history
    if not h.present or "customer_code" not in h.data.columns:
        return np.array([], dtype=object)
    codes = h.data["customer_code"].dropna().unique()
    return np.asarray(codes, dtype=object)
