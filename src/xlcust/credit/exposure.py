"""Credit exposure against the credit limit, per customer.

    credit_limit      customer's own limit → its category's → the nearest ancestor
                      category's → Settings default_credit_limit (`archive.customer_credit_limits`);
                      NA when none of them sets one (no limit). A code seen only in
                      transactions gets the Settings default.
    exposure          what the customer owes now: max(0, balance), where balance = open
                      items − unapplied credit (open invoices are in the balance; a
                      customer in credit has no exposure). xlcust has no order book, so
                      open orders are not part of it.
    available_credit  credit_limit − exposure (negative when over; NA without a limit)
    credit_used       exposure / credit_limit (NaN without a limit or with a limit of 0)
    over_limit        exposure > credit_limit
    near_limit        not over, exposure > 0 and exposure ≥ Settings credit_near_limit (default 90 %)
                      of credit_limit

Money is int64 cents (Int64 where NA is possible).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..archive import customer_credit_limits
from ..book import Book
from .registry import sheet_positions

if TYPE_CHECKING:
    from ..ledger import Ledger

NEAR_LIMIT_SHARE = 0.9
EXPOSURE_MONEY = ["credit_limit", "exposure", "available_credit"]


def resolved_limits(book: Book, codes: pd.Index, positions: np.ndarray | None = None) -> pd.Series:
    """Credit limit in cents per customer code (Int64, NA = no limit); the first row of a code wins.
    `positions`: `registry.sheet_positions(book, codes)`, when the caller has them."""
    positions = sheet_positions(book, codes) if positions is None else positions
    limits = customer_credit_limits(book).to_numpy(dtype=np.float64, na_value=np.nan)
    found = positions >= 0
    values = np.full(len(positions), np.nan)
    values[found] = limits[positions[found]]
    default = book.settings.default_credit_limit
    if default is not None:
        values = np.where(found, values, default)
    out = pd.Series(pd.array(np.nan_to_num(values).astype(np.int64), dtype="Int64"), index=codes)
    out[np.isnan(values)] = pd.NA
    return out


def credit_exposure(book: Book, ledger: Ledger, figures: pd.DataFrame | None = None,
                    positions: np.ndarray | None = None) -> pd.DataFrame:
    """The columns of the module docstring, indexed by customer_code like `ledger.customers`."""
    figures = ledger.customer_figures() if figures is None else figures
    codes = figures.index
    limit = resolved_limits(book, codes, positions)
    exposure = np.maximum(figures["balance"].to_numpy(dtype=np.int64), 0)
    has_limit = limit.notna().to_numpy()
    cap = limit.to_numpy(dtype=np.int64, na_value=0)
    over = has_limit & (exposure > cap)
    # exposure ≥ Settings credit_near_limit (90 %) of the limit, in whole cents: 10 × exposure ≥ 9 × limit.
    num, den = book.settings.credit_near_limit.as_integer_ratio()
    near = has_limit & ~over & (exposure > 0) & (den * exposure >= num * cap)
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(has_limit & (cap > 0), exposure / np.where(cap > 0, cap, 1), np.nan)
    frame = pd.DataFrame({
        "credit_limit": limit.to_numpy(),
        "exposure": exposure,
        "available_credit": pd.arrays.IntegerArray(cap - exposure, ~has_limit),
        "credit_used": used,
        "over_limit": over,
        "near_limit": near,
    }, index=codes)
    frame["credit_limit"] = frame["credit_limit"].astype("Int64")
    frame.attrs["money_columns"] = list(EXPOSURE_MONEY)
    return frame
