"""Category lock with history (DESIGN §3): where each customer's CategoryHistory stands.

T3 locks a category once it is used; xlcust keeps history instead. A change of
category is never retroactive: it takes effect on the as-of date, the open history
period is closed on that date and a new one opens, so every earlier transaction
stays in the category it was in. That needs an unambiguous open period starting
*before* the as-of date; a customer without one is reported and left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..checks.history import periods
from ..findings import Finding, warning
from ..i18n import N_, Msg, msg

if TYPE_CHECKING:
    from ..book import Book


def history_state(book: Book, codes: np.ndarray) -> pd.DataFrame:
    """Per customer code (positional, like `codes`): its history rows and open period.

    Columns: `rows` (usable history rows), `open` (open periods), `open_row` (Excel
    row of the open period, when exactly one), `open_from` (its Valid from),
    `open_category`, `last_end` (the latest Valid to, for customers with no open period).
    """
    n = len(codes)
    p = periods(book)
    if p.empty:
        return pd.DataFrame({
            "rows": np.zeros(n, dtype=np.int64), "open": np.zeros(n, dtype=np.int64),
            "open_row": pd.array([pd.NA] * n, dtype="Int64"),
            "open_from": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            "open_category": pd.Series([None] * n, dtype=object),
            "last_end": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        })
    # Per customer with history rows (numbered by factorize), then looked up for each code.
    who, customers = pd.factorize(p["customer"].to_numpy(dtype=object))
    at = pd.Index(customers, dtype=object).get_indexer(codes)  # −1: a code without history rows
    known = at >= 0
    k = len(customers)
    is_open = p["open"].to_numpy(dtype=bool)
    rows = np.bincount(who, minlength=k)
    open_count = np.bincount(who[is_open], minlength=k)
    the_open = np.full(k, -1, dtype=np.int64)  # the open period's position, for customers with exactly one
    the_open[who[is_open]] = np.flatnonzero(is_open)
    the_open[open_count != 1] = -1
    closed = ~is_open
    has_closed = np.bincount(who[closed], minlength=k) > 0
    last_end = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_end, who[closed], p["end"].to_numpy(dtype=np.int64)[closed])

    single = np.where(known, the_open[at], -1)
    has_single = single >= 0
    nat = np.datetime64("NaT", "ns")
    category = np.where(has_single, p["category"].to_numpy(dtype=object)[single], None)
    category[pd.isna(category)] = None
    ended = known & has_closed[at]
    return pd.DataFrame({
        "rows": np.where(known, rows[at], 0).astype(np.int64),
        "open": np.where(known, open_count[at], 0).astype(np.int64),
        "open_row": pd.arrays.IntegerArray(p["row"].to_numpy(dtype=np.int64)[single], ~has_single),
        "open_from": np.where(has_single, p["start"].to_numpy(dtype=np.int64)[single].astype("datetime64[ns]"), nat),
        "open_category": pd.Series(category, dtype=object),
        "last_end": np.where(ended, last_end[at].astype("datetime64[ns]"), nat),
    })


SEVERAL_OPEN, NONE_OPEN = N_("several current periods"), N_("no current period (blank Valid to)")


def lock_problem(book: Book, customer: str, state: pd.Series, as_of: dt.date, what: Msg) -> Finding | None:
    """Why `customer` cannot change category effective `as_of` (None when it can).

    `state` is the customer's row of `history_state`; `what` describes the change for
    the message ("to 990101 by rule R03").
    """
    h = book.history
    if not h.present or int(state["rows"]) == 0:
        return None
    if int(state["open"]) != 1:
        problem = SEVERAL_OPEN if int(state["open"]) > 1 else NONE_OPEN
        return warning(
            "RCL_HISTORY_UNCLEAR", h.name,
            msg("Customer '{customer}' was not moved {what}: its {sheet} rows have {problem}, so there is no one "
                "period to close", customer=customer, what=what, sheet=h.name, problem=msg(problem)),
            suggestion=msg("Fix the customer's history first (see the HIS_ findings of `xlcust check`), then run "
                           "again"),
        )
    start = pd.Timestamp(state["open_from"]).date()
    if start >= as_of:
        row = int(state["open_row"])
        return warning(
            "RCL_BEFORE_HISTORY", h.name,
            msg("Customer '{customer}' was not moved {what}: its current period starts {start}, not before the "
                "effective date {as_of}; a change then would rewrite history", customer=customer, what=what,
                start=start.isoformat(), as_of=as_of.isoformat()),
            **h.where("valid_from", row), value=start.isoformat(),
            suggestion=msg("Run with --as-of after {start}, or correct the history row", start=start.isoformat()),
        )
    return None
