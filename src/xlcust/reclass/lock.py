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
    index = pd.Index(codes, dtype=object)
    if p.empty:
        return pd.DataFrame({
            "rows": np.zeros(n, dtype=np.int64), "open": np.zeros(n, dtype=np.int64),
            "open_row": pd.array([pd.NA] * n, dtype="Int64"),
            "open_from": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            "open_category": pd.Series([None] * n, dtype=object),
            "last_end": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        })
    p = p.astype({"row": "Int64", "start": "Int64", "end": "Int64"})  # NA-safe through reindexing
    counts = p.groupby("customer", sort=False).size().reindex(index, fill_value=0)
    opens = p[p["open"].to_numpy(dtype=bool)]
    open_counts = opens.groupby("customer", sort=False).size().reindex(index, fill_value=0)
    single = opens[~opens["customer"].duplicated(keep=False)].set_index("customer").reindex(index)
    closed_end = p.loc[~p["open"].to_numpy(dtype=bool)].groupby("customer", sort=False)["end"].max().reindex(index)
    return pd.DataFrame({
        "rows": counts.to_numpy(dtype=np.int64),
        "open": open_counts.to_numpy(dtype=np.int64),
        "open_row": pd.array(single["row"].to_numpy(dtype=object), dtype="Int64"),
        "open_from": _ns_dates(single["start"]),
        "open_category": pd.Series(single["category"].to_numpy(dtype=object), dtype=object).where(
            single["category"].notna().to_numpy(), None),
        "last_end": _ns_dates(closed_end),
    })


def _ns_dates(values: pd.Series) -> np.ndarray:
    """Int64 nanoseconds (NA when missing) → datetime64[ns] (NaT)."""
    nat = np.datetime64("NaT").astype("datetime64[ns]").astype(np.int64)
    return values.astype("Int64").to_numpy(dtype=np.int64, na_value=nat).astype("datetime64[ns]")


def lock_problem(book: Book, customer: str, state: pd.Series, as_of: dt.date, what: str) -> Finding | None:
    """Why `customer` cannot change category effective `as_of` (None when it can).

    `state` is the customer's row of `history_state`; `what` describes the change for
    the message ("to 990101 by rule R03").
    """
    h = book.history
    if not h.present or int(state["rows"]) == 0:
        return None
    if int(state["open"]) != 1:
        problem = "several current periods" if int(state["open"]) > 1 else "no current period (blank Valid to)"
        return warning(
            "RCL_HISTORY_UNCLEAR", h.name,
            f"Customer '{customer}' was not moved {what}: its {h.name} rows have {problem}, so there is no one "
            "period to close",
            suggestion="Fix the customer's history first (see the HIS_ findings of `xlcust check`), then run again",
        )
    start = pd.Timestamp(state["open_from"]).date()
    if start >= as_of:
        row = int(state["open_row"])
        return warning(
            "RCL_BEFORE_HISTORY", h.name,
            f"Customer '{customer}' was not moved {what}: its current period starts {start.isoformat()}, "
            f"not before the effective date {as_of.isoformat()}; a change then would rewrite history",
            **h.where("valid_from", row), value=start.isoformat(),
            suggestion=f"Run with --as-of after {start.isoformat()}, or correct the history row",
        )
    return None
