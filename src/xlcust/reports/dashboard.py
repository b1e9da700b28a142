"""The Dashboard's figures by level-1 category: aging, net sales, days to settle (or DSO).

    figures = dashboard_figures(book, ledger)      # what xlcust.views.dashboard draws

Each figure is {level-1 code: {column: value}}; `codes` are the level-1 categories with
something to show anywhere, in code order, with NO_CATEGORY last when money sits on
customers without one. The definitions are in `xlcust.views.dashboard`'s docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..ledger._frames import to_days
from .revenue import RevenueReport, current_year_revenue

if TYPE_CHECKING:
    from ..book import Book
    from ..ledger import DsoReport, Ledger

QUARTERS = 8
NO_CATEGORY = "<none>"  # stands for "no category" while grouping; not a code (codes are [0-9A-Z])


@dataclass(frozen=True)
class DashboardFigures:
    """What the Dashboard shows, in cents and days, before any word or colour."""

    buckets: tuple[str, ...]  # aging bucket labels, "not due" first
    aging: dict[str, dict[str, int]]  # level-1 code → bucket → open cents
    periods: list[str]
    sales: dict[str, dict[str, int]]  # level-1 code → period → net sales cents
    quarters: list[str]
    days: dict[str, dict[str, float]]  # level-1 code → quarter → days to settle (or DSO)
    codes: list[str]  # level-1 codes shown, NO_CATEGORY last


def dashboard_figures(book: Book, ledger: Ledger, revenue: RevenueReport | pd.DataFrame | None = None,
                      dso: DsoReport | pd.DataFrame | None = None) -> DashboardFigures:
    """The three figures by level-1 category (see `xlcust.views.dashboard.dashboard_sheet` for the arguments)."""
    first_level = ledger.scheme.lengths[0]

    def level1(code: object) -> str:
        if not isinstance(code, str) or ledger.scheme.level_of(code) is None:
            return NO_CATEGORY
        return code[:first_level]

    aging = ledger.aging()
    aging_rows = _aging_by_category(aging.by_category, list(aging.labels))
    periods, sales = _net_sales(book, ledger, revenue, level1)
    if dso is None:
        quarters, days = _days_to_settle(ledger, level1)
    else:
        quarters, days = _dso_frame(dso, level1)
    codes = _shown_categories([aging_rows, sales, days])
    return DashboardFigures(tuple(aging.labels), aging_rows, periods, sales, quarters, days, codes)


# --------------------------------------------------------------------------------------
# The figures, each {level-1 code: {column: value}}


def _top_level(frame: pd.DataFrame) -> np.ndarray:
    """Rows of a rolled-up frame to show: level 1 and the uncategorised row (no level)."""
    level = pd.array(frame["level"], dtype="Int64")
    return np.asarray((level == 1).fillna(False), dtype=bool) | np.asarray(level.isna(), dtype=bool)


def _aging_by_category(by_category: pd.DataFrame, buckets: list[str]) -> dict[str, dict[str, int]]:
    rows = by_category[_top_level(by_category)]
    out: dict[str, dict[str, int]] = {}
    for _, row in rows.iterrows():
        code = row["category_code"] if isinstance(row["category_code"], str) else NO_CATEGORY
        values = {b: int(row[b]) for b in buckets}
        if code != NO_CATEGORY or any(values.values()):
            out[code] = values
    return out


def _net_sales(book: Book, ledger: Ledger, revenue: RevenueReport | pd.DataFrame | None, level1
               ) -> tuple[list[str], dict[str, dict[str, int]]]:
    """(periods in order, {level-1 code: {period: int cents}})."""
    if revenue is None:
        revenue = current_year_revenue(book, ledger.as_of)
    if isinstance(revenue, RevenueReport):
        periods = [str(p) for p in revenue.totals["period"]]
        frame = revenue.by_category
    elif isinstance(revenue, pd.DataFrame):
        frame = revenue
        periods = sorted({str(p) for p in frame["period"]})
    else:
        raise TypeError(f"revenue must be a RevenueReport or a DataFrame, not {type(revenue).__name__}")
    codes = frame["category_code"].to_numpy(dtype=object)
    keep = _top_level(frame) if "level" in frame.columns else np.ones(len(frame), dtype=bool)
    out: dict[str, dict[str, int]] = {}
    for code, period, cents in zip(codes[keep], frame["period"].to_numpy(dtype=object)[keep],
                                   frame["net_sales"].to_numpy()[keep], strict=True):
        by_period = out.setdefault(level1(code), {})
        by_period[str(period)] = by_period.get(str(period), 0) + int(cents)
    return periods, out


def _days_to_settle(ledger: Ledger, level1) -> tuple[list[str], dict[str, dict[str, float]]]:
    """(the last QUARTERS quarter labels, {level-1 code: {quarter: amount-weighted mean days}})."""
    items = ledger.items
    quarters = _last_quarters(ledger.as_of, QUARTERS)
    settled = items["settled_on"].notna().to_numpy() & (items["kind"].to_numpy(dtype=object) == "invoice")
    # Only the columns needed, of only the rows shown: the items frame is a row per invoice.
    rows = np.flatnonzero(settled)
    quarter = _quarter_numbers(items["settled_on"].to_numpy()[rows])
    last = ledger.as_of.year * 4 + (ledger.as_of.month - 1) // 3 - 1970 * 4
    weight = items["amount"].to_numpy(dtype=np.int64)[rows].astype(float)
    keep = (quarter > last - QUARTERS) & (quarter <= last) & (weight > 0)
    rows, quarter, weight = rows[keep], quarter[keep], weight[keep]
    days = items["days_to_settle"].to_numpy(dtype=float, na_value=np.nan)[rows] * weight
    frame = pd.DataFrame({"quarter": pd.Series(_quarter_text(quarter), dtype=object),  # object: no str inference
                          "code": pd.Series(_per_distinct(items["category_code"].iloc[rows], level1), dtype=object),
                          "weighted": days, "weight": weight})
    sums = frame.groupby(["code", "quarter"])[["weighted", "weight"]].sum()
    out: dict[str, dict[str, float]] = {}
    for (code, quarter), row in sums.iterrows():
        out.setdefault(code, {})[quarter] = round(float(row["weighted"] / row["weight"]), 1)
    return quarters, out


def _dso_frame(dso: DsoReport | pd.DataFrame, level1) -> tuple[list[str], dict[str, dict[str, float]]]:
    frame = getattr(dso, "by_category", dso)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"dso must be a DsoReport or a DataFrame, not {type(dso).__name__}")
    if "level" in frame.columns:
        frame = frame[_top_level(frame)]
    quarters = sorted({str(q) for q in frame["quarter"]})[-QUARTERS:]
    out: dict[str, dict[str, float]] = {}
    for code, quarter, value in zip(frame["category_code"], frame["quarter"], frame["dso"], strict=True):
        if str(quarter) in quarters and not pd.isna(value):
            out.setdefault(level1(code), {})[str(quarter)] = round(float(value), 1)
    return quarters, out


def _last_quarters(as_of: dt.date, n: int) -> list[str]:
    q = as_of.year * 4 + (as_of.month - 1) // 3
    return [f"{k // 4}Q{k % 4 + 1}" for k in range(q - n + 1, q + 1)]


def _quarter_numbers(dates: np.ndarray) -> np.ndarray:
    """datetime64 values → quarters since 1970Q1."""
    return to_days(dates).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) // 3


def _quarter_text(quarters: np.ndarray) -> np.ndarray:
    """Quarters since 1970Q1 → their labels (2026Q3), each distinct one formatted once."""
    which, distinct = pd.factorize(quarters)
    labels = np.array([f"{1970 + q // 4}Q{q % 4 + 1}" for q in distinct] + [""], dtype=object)
    return labels[which]


def _per_distinct(values: pd.Series, f) -> np.ndarray:
    """f applied once per distinct value (a million rows hold a few hundred codes)."""
    which, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = np.array([f(v) for v in distinct] + [f(None)], dtype=object)
    return mapped[which]


def _shown_categories(figures: Sequence[dict[str, dict]]) -> list[str]:
    """Level-1 codes with something to show anywhere, in code order; the no-category key last."""
    shown = {code for fig in figures for code, values in fig.items()
             if any(v is not None and v != 0 for v in values.values())}
    codes = sorted(c for c in shown if c != NO_CATEGORY)
    return codes + ([NO_CATEGORY] if NO_CATEGORY in shown else [])


