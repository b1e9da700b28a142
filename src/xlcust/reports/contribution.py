"""Revenue an auditor and a manager read: share, change on a year earlier, ABC ranking (issue 14, point 8).

    c = contribution(book, report)      # report: a RevenueReport (either basis)
    c.by_category   category_code, name, level, net_sales, share, prior_net_sales, change, change_pct,
                    rank, cumulative_share, abc — every level, and the uncategorised row
    c.by_customer   customer_code, name, category_code, the same figures
    c.prior         the RevenueReport of the same dates a year earlier, same basis and tax

Decisions, each one an auditor can check:

- **Share** = net sales / the report's control total (blank when the total is not
  positive). Level-1 shares and the uncategorised share add up to 100 %; so do the
  customers' shares.
- **A year earlier** = the same dates one year back (29 February → 28 February), on
  the same basis, tax mode and level — a full `revenue()` of its own, tied to its own
  control total. A category or customer with no sales line then has a *blank* prior
  figure, change and change %, never 0 (a new customer did not grow from 0 %). Change %
  = change / |prior| (blank when prior is 0).
- **ABC (Pareto)**: rank by net sales, largest first (ties by code); the cumulative
  share *before* an item decides its class — below the A threshold (Settings
  `abc_a_share`, 80 %) it is A, below the B threshold (`abc_b_share`, 95 %) B, else C.
  So the item that crosses 80 % is still A, and the largest item is always A. Items
  with no positive net sales are C. Categories are ranked within their level (the
  uncategorised row among level 1); customers among all customers.
- **Tied to the control total**: per level, the categories (with the uncategorised
  row) add up to it; so do the customers; and likewise for the prior year. A
  mismatch raises `RevenueImbalance` (a bug, never a data problem).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..ledger._frames import sum_by, text, text_values, with_money
from .revenue import RevenueImbalance, RevenueReport, SalesLines, revenue, sales_lines_in

if TYPE_CHECKING:
    from ..book import Book

CLASSES = ("A", "B", "C")
_NONE = "<none>"


@dataclass
class Contribution:
    """Share, change on a year earlier and ABC class per category and per customer (int cents)."""

    by_category: pd.DataFrame
    by_customer: pd.DataFrame
    prior: RevenueReport
    prior_from: dt.date
    prior_to: dt.date
    a_share: float
    b_share: float

    def to_json(self) -> dict:
        """The `contribution` member of `xlcust revenue --json`."""
        from ..ledger.records import json_records
        from ..money import money_to_json

        return {"prior_from": self.prior_from.isoformat(), "prior_to": self.prior_to.isoformat(),
                "prior_control_total": money_to_json(self.prior.control.net),
                "abc_a_share": self.a_share, "abc_b_share": self.b_share,
                "by_category": json_records(self.by_category), "by_customer": json_records(self.by_customer)}


def year_earlier(day: dt.date) -> dt.date:
    """The same day a year before; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def prior_period(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The same dates a year earlier: what a report is compared with."""
    return year_earlier(date_from), year_earlier(date_to)


def contribution(book: Book, report: RevenueReport, lines: SalesLines | None = None) -> Contribution:
    """Share, change against the same dates a year earlier and ABC class (module docstring).

    `lines` (`sales_lines_in`) that include the year-earlier dates spare a second pass over the sheet.
    """
    p = report.parameters
    prior_from, prior_to = prior_period(p.date_from, p.date_to)
    if lines is None or not lines.covers(prior_from, prior_to):  # the book is the report's: so is its hash
        lines = sales_lines_in(book, [(prior_from, prior_to)], known_hash=p.data_hash)
    prior = revenue(book, prior_from, prior_to, by=p.by, level=p.level, basis=p.basis, tax=p.tax, lines=lines)
    settings = book.settings
    a, b = float(settings.abc_a_share), float(settings.abc_b_share)
    b = max(a, b)  # a B threshold below A's leaves class B empty rather than inverting the classes
    total = report.control.net

    now_cat, prior_cat = _category_totals(report), _category_totals(prior)
    cats = _outer(now_cat, prior_cat, ["category_code", "name", "level"])
    cats = _figures(cats, total)
    level = cats["level"].fillna(1).to_numpy(dtype=np.int64)
    cats["rank"], cats["cumulative_share"], cats["abc"] = _ranking(cats, level, total, a, b)
    by_category = pd.DataFrame({
        "category_code": text(cats["category_code"].to_numpy(dtype=object)),
        "name": text(cats["name"].to_numpy(dtype=object)),
        "level": pd.array(cats["level"], dtype="Int64"),
        **_columns(cats),
    })

    now_cust, prior_cust = _customer_totals(report, book), _customer_totals(prior, book)
    custs = _outer(now_cust, prior_cust, ["name", "category_code"])
    custs = _figures(custs, total)
    custs["rank"], custs["cumulative_share"], custs["abc"] = _ranking(custs, np.ones(len(custs), np.int64),
                                                                      total, a, b)
    by_customer = pd.DataFrame({
        "customer_code": text(custs["key"].to_numpy(dtype=object)),
        "name": text(custs["name"].to_numpy(dtype=object)),
        "category_code": text(custs["category_code"].to_numpy(dtype=object)),
        **_columns(custs),
    }).sort_values(["rank"], kind="stable").reset_index(drop=True)

    _assert_ties(by_category, by_customer, report, prior)
    money = ["net_sales", "prior_net_sales", "change"]
    return Contribution(with_money(by_category, money), with_money(by_customer, money), prior, prior_from, prior_to,
                        a, b)


def with_contribution(book: Book, report: RevenueReport, lines: SalesLines | None = None) -> RevenueReport:
    """The report with its `contribution` filled in (returned for chaining); `lines` as for `contribution`."""
    report.contribution = contribution(book, report, lines)
    return report


def _category_totals(report: RevenueReport) -> pd.DataFrame:
    """Per category (every level) and the uncategorised row: net sales over all periods, lines."""
    data = report.by_category
    key = data["category_code"].fillna(_NONE).to_numpy(dtype=object)
    sums = pd.DataFrame({"key": key, "net_sales": data["net_sales"].to_numpy(dtype=np.int64)}).groupby(
        "key", sort=True)["net_sales"].sum()
    # Lines per category: a line counts under its category and every ancestor, as in the roll-up.
    shown = report.lines["historical_category" if report.parameters.basis == "historical" else "current_category"]
    codes = shown.fillna(_NONE).to_numpy(dtype=object)
    line_counts: dict[str, int] = {}
    scheme = report.scheme
    for code, n in pd.Series(codes, dtype=object).value_counts().items():  # object: no str inference
        for ancestor in ([code] if code == _NONE else _ancestors(str(code), scheme)):
            line_counts[ancestor] = line_counts.get(ancestor, 0) + int(n)
    keys = sums.index.to_numpy(dtype=object)
    levels = [None if k == _NONE else scheme.level_of(k) for k in keys]
    names = report.categories["name"].reindex([None if k == _NONE else k for k in keys])
    frame = pd.DataFrame({"key": keys, "category_code": [None if k == _NONE else k for k in keys],
                          "name": text_values(names.to_numpy(dtype=object)), "level": levels,
                          "net_sales": sums.to_numpy(dtype=np.int64),
                          "lines": [line_counts.get(k, 0) for k in keys]})
    frame = frame.loc[np.array([lv is None or lv <= report.parameters.level for lv in levels], dtype=bool)]
    order = np.lexsort((frame["key"].to_numpy(dtype=str), frame["key"].eq(_NONE).to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _ancestors(code: str, scheme) -> list[str]:
    """The code and its parents by the coding scheme (an invalid code: itself only)."""
    if scheme.level_of(code) is None:
        return [code]
    return [*scheme.ancestors(code), code]


def _customer_totals(report: RevenueReport, book: Book) -> pd.DataFrame:
    """Per customer: net sales over the period, lines, name and category (the report's basis, last line).

    "Last line": the latest-dated line with a category (of two on one day, the one lower on the
    sheet). Customers in code order. Numbered with numpy rather than grouped by pandas on the
    codes (issue 15: this ran twice per run, for the year and the year earlier).
    """
    lines = report.lines
    basis_column = "historical_category" if report.parameters.basis == "historical" else "current_category"
    number, distinct = pd.factorize(lines["customer_code"].to_numpy(dtype=object))  # every sales line has one
    distinct = np.asarray(distinct, dtype=object)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    group = rank[number]
    n = len(distinct)
    categories = lines[basis_column].to_numpy(dtype=object)
    with_category = np.flatnonzero(~pd.isna(categories))
    days = lines["date"].to_numpy(dtype="datetime64[ns]").view(np.int64)[with_category]
    by_date = with_category[np.lexsort((with_category, days))]  # by date, then sheet order
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, group[by_date], np.arange(len(by_date)))
    category = np.full(n, None, dtype=object)
    category[latest >= 0] = categories[by_date[latest[latest >= 0]]]
    out = pd.DataFrame({"key": distinct[order],
                        "net_sales": sum_by(group, lines["net_sales"].to_numpy(dtype=np.int64), n),
                        "lines": np.bincount(group, minlength=n).astype(np.int64),
                        "category_code": category})
    names = book.customers.data.drop_duplicates("code").set_index("code")["name"]
    out["name"] = text_values(names.reindex(out["key"]).to_numpy(dtype=object))
    return out


def _outer(now: pd.DataFrame, prior: pd.DataFrame, described: list[str]) -> pd.DataFrame:
    """Every key sold to in either period (0 now for one sold to only a year earlier), in key order."""
    both = now.merge(prior, on="key", how="outer", suffixes=("", "_prior"), sort=False)
    for column in described:  # a key only in the prior period is described as it was then
        both[column] = both[column].astype(object).where(both[column].notna(), both[f"{column}_prior"])
    both["net_sales"] = both["net_sales"].fillna(0).astype(np.int64)
    both["lines"] = both["lines"].fillna(0).astype(np.int64)
    none_last = both["key"].eq(_NONE).to_numpy()
    order = np.lexsort((both["key"].to_numpy(dtype=str), none_last))
    return both.iloc[order].reset_index(drop=True)


def _figures(frame: pd.DataFrame, total: int) -> pd.DataFrame:
    """share, prior_net_sales, change, change_pct; blank prior where the prior period had no line."""
    now = frame["net_sales"].to_numpy(dtype=np.int64)
    had = frame["lines_prior"].fillna(0).to_numpy(dtype=np.int64) > 0
    prior = frame["net_sales_prior"].fillna(0).to_numpy(dtype=np.int64)
    frame["share"] = now / total if total > 0 else np.full(len(frame), np.nan)
    frame["prior_net_sales"] = pd.arrays.IntegerArray(prior, ~had)  # masked: blank, not 0
    frame["change"] = pd.arrays.IntegerArray(now - prior, ~had)
    with np.errstate(all="ignore"):
        pct = np.where(had & (prior != 0), (now - prior) / np.abs(prior), np.nan)
    frame["change_pct"] = pct
    return frame


def _ranking(frame: pd.DataFrame, group: np.ndarray, total: int, a: float, b: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank (1 = largest), cumulative share including the item, and ABC class, within each group."""
    n = len(frame)
    rank = np.zeros(n, dtype=np.int64)
    cumulative = np.full(n, np.nan)
    classes = np.full(n, "C", dtype=object)
    sales = frame["net_sales"].to_numpy(dtype=np.int64)
    keys = frame["key"].to_numpy(dtype=str)
    for g in np.unique(group):
        members = np.flatnonzero(group == g)
        order = members[np.lexsort((keys[members], -sales[members]))]
        rank[order] = np.arange(1, len(order) + 1)
        if total <= 0:
            continue
        running = np.cumsum(sales[order])
        before = (running - sales[order]) / total
        cumulative[order] = running / total
        positive = sales[order] > 0
        classes[order] = np.where(positive & (before < a), "A", np.where(positive & (before < b), "B", "C"))
    return rank, cumulative, classes


def _columns(frame: pd.DataFrame) -> dict[str, object]:
    return {
        "net_sales": frame["net_sales"].to_numpy(dtype=np.int64),
        "share": frame["share"].to_numpy(dtype=float),
        "prior_net_sales": frame["prior_net_sales"].array,
        "change": frame["change"].array,
        "change_pct": frame["change_pct"].to_numpy(dtype=float),
        "rank": frame["rank"].to_numpy(dtype=np.int64),
        "cumulative_share": frame["cumulative_share"].to_numpy(dtype=float),
        "abc": text(frame["abc"].to_numpy(dtype=object)),
    }


def _assert_ties(by_category: pd.DataFrame, by_customer: pd.DataFrame, report: RevenueReport,
                 prior: RevenueReport) -> None:
    problems = []
    total, prior_total = report.control.net, prior.control.net
    level = by_category["level"].fillna(1).to_numpy(dtype=np.int64)
    for lv in np.unique(level):
        rows = by_category[level == lv]
        if lv == 1 and int(rows["net_sales"].sum()) != total:
            problems.append(f"level 1 + uncategorised {int(rows['net_sales'].sum())} != {total}")
        if lv == 1 and int(rows["prior_net_sales"].fillna(0).sum()) != prior_total:
            problems.append(f"prior level 1 {int(rows['prior_net_sales'].fillna(0).sum())} != {prior_total}")
    if int(by_customer["net_sales"].sum()) != total:
        problems.append(f"customers {int(by_customer['net_sales'].sum())} != {total}")
    if problems:
        raise RevenueImbalance("contribution does not tie to the control total (a bug in xlcust): "
                               + "; ".join(problems))
