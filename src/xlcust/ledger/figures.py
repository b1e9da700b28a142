"""Per-customer figures for credit scoring and rules, and DSO by quarter.

`customer_figures` returns one row per customer code (Customers sheet ∪ codes used in
transactions), indexed by `customer_code`. Money is int64 cents (`MONEY_FIGURES`);
a rule written in currency units divides by 100. "The window" is the `window_months`
months ending on the as-of date, (as_of − window, as_of]; 12 by default, which is what
the `_12m` names say.

    category_code        the customer's current category
    balance              Σ signed transactions = open_amount − unapplied_credit
    open_amount          Σ open debit items
    unapplied_credit     credit not applied to any item
    overdue_amount       open amount of items past their due date (as_of − due_date > 0;
                         always on the due date, whatever the aging basis)
    overdue_90_amount    open amount more than 90 days past due
    overdue_90_count     number of such items
    overdue_90_share     overdue_90_amount / open_amount (NaN when nothing is open)
    avg_days_late        amount-weighted mean days_late of items settled in the window
                         (NaN when none was)
    avg_days_to_settle   amount-weighted mean days_to_settle of the same items
    dso                  DSO over the quarter ending on the as-of date:
                         max(0, balance) / net sales of (as_of − 3 months, as_of]
                         × days in that span (NaN when net sales ≤ 0)
    revenue_12m          net sales in the window: invoices − credit notes
    revenue_total        lifetime net sales: invoices − credit notes up to as_of (累计交易金额)
    late_count           invoices paid late by any number of days, or still open past
                         their due date (违约次数)
    max_overdue_amount   the largest open amount of one item past its due date (0 when none)
    max_days_overdue     the most days past due of an open item (0 when none)
    invoice_count_12m    invoices (positive) dated in the window
    active_months_12m    calendar months, of the window_months ending with the as-of
                         month, in which the customer has any transaction
    first_txn_date       first transaction date (NaT when none)
    last_txn_date        last transaction date up to as_of
    months_since_last_txn  whole months from last_txn_date to as_of (NA when none)
    stage                lifecycle stage code: potential, new, active, dormant or lost
                         (`xlcust.ledger.lifecycle`, thresholds from Settings)

DSO by quarter (`dso_by_quarter`): for each calendar quarter from the customer's first
transaction to the quarter holding the as-of date,

    dso = receivables at quarter end / net sales of the quarter × days in the quarter

where receivables = max(0, balance at quarter end) (a customer in credit owes
nothing; credit balances do not offset other customers' debts), net sales =
invoices − credit notes dated in the quarter, and DSO is NaN when net sales ≤ 0.
The quarter holding the as-of date is quarter-to-date: it ends on the as-of date and
counts the days so far (`complete` is False). Per category the receivables and net
sales of its customers (current category, rolled up every level) are summed first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._frames import day_of, from_days, group_cumsum, sum_by, text, to_days, with_money
from .lifecycle import lifecycle_stages
from .records import json_records
from .rollup import rollup

if TYPE_CHECKING:
    from .core import Ledger

SALES_KINDS = ("invoice", "credit_note")
MONEY_FIGURES = [
    "balance", "open_amount", "unapplied_credit", "overdue_amount", "overdue_90_amount", "revenue_12m",
    "revenue_total", "max_overdue_amount",
]


def _months_before(as_of: dt.date, months: int) -> int:
    """Day number of as_of − `months` calendar months (month-end clipped)."""
    return day_of(pd.Timestamp(as_of) - pd.DateOffset(months=months))


def _month_number(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number."""
    def months(d: np.ndarray) -> np.ndarray:
        return d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)

    days = np.asarray(days, dtype=np.int64)
    if len(days) > 1000 and int(days.max()) - int(days.min()) < len(days) // 2:
        # Many lines over a few years: convert each day of the span once and look the lines up.
        low = int(days.min())
        return months(np.arange(low, int(days.max()) + 1))[days - low]
    return months(days)


def customer_figures(ledger: Ledger, window_months: int = 12) -> pd.DataFrame:
    """The figures named in the module docstring, one row per customer."""
    customers = ledger.customers
    n = len(customers)
    as_of = day_of(ledger.as_of)
    start = _months_before(ledger.as_of, window_months)
    quarter_start = _months_before(ledger.as_of, 3)

    lines = ledger.lines
    l_cust = ledger.line_customer
    l_day = to_days(lines["date"].to_numpy())
    l_amount = lines["amount"].to_numpy(dtype=np.int64)
    kind = lines["kind"].to_numpy(dtype=object)
    is_invoice = kind == "invoice"
    is_sale = is_invoice | (kind == "credit_note")  # SALES_KINDS (np.isin would sort a million texts)
    in_window = l_day > start

    balance = sum_by(l_cust, l_amount, n)
    revenue = sum_by(l_cust[is_sale & in_window], l_amount[is_sale & in_window], n)
    revenue_total = sum_by(l_cust[is_sale], l_amount[is_sale], n)
    recent = is_sale & (l_day > quarter_start)
    sales_quarter = sum_by(l_cust[recent], l_amount[recent], n)
    invoices = is_invoice & (l_amount > 0) & in_window
    invoice_count = np.bincount(l_cust[invoices], minlength=n)

    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, l_cust, l_day)
    np.maximum.at(last, l_cust, l_day)
    has_txn = np.bincount(l_cust, minlength=n) > 0

    month = _month_number(l_day)
    month_as_of = _month_number(np.array([as_of]))[0]
    active = in_window & (month > month_as_of - window_months) if window_months > 0 else np.zeros(len(lines), bool)
    # Months with a transaction, per customer: one flag per (customer, month of the window).
    months_seen = np.zeros((n, window_months + 1), dtype=bool)
    months_seen[l_cust[active], month_as_of - month[active]] = True
    active_months = months_seen.sum(axis=1)

    items = ledger.items
    i_cust = ledger.item_customer
    i_open = items["open_amount"].to_numpy(dtype=np.int64)
    past_due = as_of - to_days(items["due_date"].to_numpy())
    open_amount = sum_by(i_cust, i_open, n)
    overdue = sum_by(i_cust, np.where(past_due > 0, i_open, 0), n)
    over_90 = (past_due > 90) & (i_open > 0)
    overdue_90 = sum_by(i_cust, np.where(over_90, i_open, 0), n)
    overdue_90_count = np.bincount(i_cust[over_90], minlength=n)
    # 违约次数: every invoice that was (or still is) late, whatever the number of days
    late_invoices = (items["kind"].to_numpy(dtype=object) == "invoice") & (items["days_late"].to_numpy() > 0)
    late_count = np.bincount(i_cust[late_invoices], minlength=n)
    overdue_open = (past_due > 0) & (i_open > 0)
    max_overdue = np.zeros(n, dtype=np.int64)
    np.maximum.at(max_overdue, i_cust[overdue_open], i_open[overdue_open])
    max_days = np.zeros(n, dtype=np.int64)
    np.maximum.at(max_days, i_cust[overdue_open], past_due[overdue_open])

    settled_day = to_days(items["settled_on"].to_numpy())  # NaT → the smallest int64
    done = (settled_day > start) & (settled_day <= as_of)
    weight = items["amount"].to_numpy(dtype=np.int64)[done]
    w_cust = i_cust[done]
    weight_sum = sum_by(w_cust, weight, n)
    late = sum_by(w_cust, weight * items["days_late"].to_numpy(dtype=np.int64)[done], n)
    to_settle = sum_by(w_cust, weight * items["days_to_settle"].to_numpy(dtype=np.int64, na_value=0)[done], n)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_late = np.where(weight_sum > 0, late / weight_sum, np.nan)
        avg_settle = np.where(weight_sum > 0, to_settle / weight_sum, np.nan)
        share_90 = np.where(open_amount > 0, overdue_90 / open_amount, np.nan)
        dso = np.where(sales_quarter > 0, np.maximum(balance, 0) / sales_quarter * (as_of - quarter_start), np.nan)

    last_ts = pd.DatetimeIndex(from_days(np.where(has_txn, last, 0)))
    as_of_ts = pd.Timestamp(ledger.as_of)
    months_since = ((as_of_ts.year - last_ts.year) * 12 + (as_of_ts.month - last_ts.month)
                    - (as_of_ts.day < last_ts.day).astype(int)).to_numpy()
    unapplied = ledger.unapplied.to_numpy(dtype=np.int64)

    frame = pd.DataFrame({
        "category_code": text(customers["category_code"].to_numpy(dtype=object), customers.index),
        "balance": balance,
        "open_amount": open_amount,
        "unapplied_credit": unapplied,
        "overdue_amount": overdue,
        "overdue_90_amount": overdue_90,
        "overdue_90_count": overdue_90_count.astype(np.int64),
        "overdue_90_share": share_90,
        "avg_days_late": avg_late,
        "avg_days_to_settle": avg_settle,
        "dso": dso,
        "revenue_12m": revenue,
        "revenue_total": revenue_total,
        "late_count": late_count.astype(np.int64),
        "max_overdue_amount": max_overdue,
        "max_days_overdue": max_days,
        "invoice_count_12m": invoice_count.astype(np.int64),
        "active_months_12m": active_months.astype(np.int64),
        "first_txn_date": from_days(np.where(has_txn, first, np.iinfo(np.int64).min)),
        "last_txn_date": from_days(np.where(has_txn, last, np.iinfo(np.int64).min)),
        "months_since_last_txn": pd.arrays.IntegerArray(np.where(has_txn, months_since, 0).astype(np.int64),
                                                        ~has_txn),
    }, index=customers.index)
    frame["stage"] = text(lifecycle_stages(frame, ledger.settings, ledger.as_of), customers.index)
    return with_money(frame, MONEY_FIGURES)


def earlier_dates(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise earlier of two date columns, ignoring NaT."""
    left = pd.Series(a.to_numpy(dtype="datetime64[ns]"), index=b.index)
    right = pd.Series(b.to_numpy(dtype="datetime64[ns]"), index=b.index)
    return left.where(left.notna() & ((left <= right) | right.isna()), right)


def whole_months(start: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Whole months from each start date to as_of (0 when missing or later)."""
    s = pd.DatetimeIndex(start)
    months = (as_of.year - s.year) * 12 + (as_of.month - s.month) - (as_of.day < s.day).astype(int)
    return np.maximum(np.nan_to_num(np.asarray(months, dtype=np.float64), nan=0.0), 0).astype(np.int64)


@dataclass(frozen=True)
class DsoReport:
    """DSO per customer and per category (rolled up, with level) per calendar quarter."""

    by_customer: pd.DataFrame
    by_category: pd.DataFrame

    def to_json(self) -> dict:
        return {"by_customer": json_records(self.by_customer), "by_category": json_records(self.by_category)}


def _quarter_of(days: np.ndarray) -> np.ndarray:
    months = _month_number(days)
    return months // 3  # quarters since 1970Q1


def _quarter_start(quarter: np.ndarray) -> np.ndarray:
    return (quarter * 3).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def dso_by_quarter(ledger: Ledger) -> DsoReport:
    """Receivables, net sales and DSO per customer and category per quarter (module docstring)."""
    customers = ledger.customers
    n = len(customers)
    lines = ledger.lines
    l_cust = ledger.line_customer
    l_day = to_days(lines["date"].to_numpy())
    l_amount = lines["amount"].to_numpy(dtype=np.int64)
    is_sale = np.isin(lines["kind"].to_numpy(dtype=object), SALES_KINDS)
    l_q = _quarter_of(l_day)
    as_of = day_of(ledger.as_of)
    q_last = int(_quarter_of(np.array([as_of]))[0])

    first_q = np.full(n, q_last + 1, dtype=np.int64)
    np.minimum.at(first_q, l_cust, l_q)
    count = np.maximum(q_last - first_q + 1, 0)
    offset = np.cumsum(count) - count
    grid_cust = np.repeat(np.arange(n), count)
    grid_q = first_q[grid_cust] + (np.arange(count.sum()) - offset[grid_cust])
    slot = offset[l_cust] + (l_q - first_q[l_cust])
    change = sum_by(slot, l_amount, len(grid_q))
    sales = sum_by(slot[is_sale], l_amount[is_sale], len(grid_q))
    balance = group_cumsum(change, grid_cust)
    receivables = np.maximum(balance, 0)

    by_customer = _quarter_frame(grid_q, q_last, as_of)
    by_customer.insert(0, "customer_code", text(customers.index.to_numpy(dtype=object)[grid_cust]))
    by_customer.insert(1, "category_code", text(customers["category_code"].to_numpy(dtype=object)[grid_cust]))
    by_customer["receivables"] = receivables
    by_customer["net_sales"] = sales
    by_customer["dso"] = _dso(receivables, sales, by_customer["days"].to_numpy())
    with_money(by_customer, ["receivables", "net_sales"])

    by_category = rollup(by_customer, ["receivables", "net_sales"], ledger.scheme, ledger.categories,
                         keys=("quarter",))
    quarters = by_customer.drop_duplicates("quarter").set_index("quarter")
    for column in ("quarter_start", "quarter_end", "days", "complete"):
        by_category.insert(by_category.columns.get_loc("category_code"), column,
                           quarters[column].reindex(by_category["quarter"]).to_numpy())
    by_category["dso"] = _dso(by_category["receivables"].to_numpy(), by_category["net_sales"].to_numpy(),
                              by_category["days"].to_numpy())
    with_money(by_category, ["receivables", "net_sales"])
    return DsoReport(by_customer, by_category)


def _quarter_frame(quarter: np.ndarray, q_last: int, as_of: int) -> pd.DataFrame:
    start = _quarter_start(quarter)
    end = np.where(quarter == q_last, as_of, _quarter_start(quarter + 1) - 1)
    year = 1970 + quarter // 4
    label = pd.Series(year.astype(str), dtype=object) + "Q" + pd.Series((quarter % 4 + 1).astype(str), dtype=object)
    return pd.DataFrame({
        "quarter": text(label.to_numpy(dtype=object)),
        "quarter_start": from_days(start),
        "quarter_end": from_days(end),
        "days": (end - start + 1).astype(np.int64),
        "complete": quarter < q_last,
    })


def _dso(receivables: np.ndarray, sales: np.ndarray, days: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sales > 0, receivables / sales * days, np.nan)
