"""Aging (账龄): open items by age bucket, per customer and per category.

Days overdue = as-of − due date (basis `due`) or as-of − item date (basis `invoice`).
With Settings aging_bounds `30,60,90,180` the buckets are `Not due` (≤ 0 days),
`1-30`, `31-60`, `61-90`, `91-180`, `>180`: upper bounds inclusive. Bounds that are
not positive or not increasing are sorted and de-duplicated (the checks report them).

Every open item falls in exactly one bucket, so per customer, per category and in
total the buckets add up to `open_amount` (Σ open items). Unapplied credit is never
netted into a bucket: it has its own column, and `balance` = open_amount −
unapplied_credit is the net receivable (Σ signed transactions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import N_
from ..money import money_to_json
from ._frames import day_of, text, to_days, with_money
from .records import json_records
from .rollup import rollup

if TYPE_CHECKING:
    from .core import Ledger

NOT_DUE = N_("Not due")  # a code; views show its label (views.labels.bucket_label)


def clean_bounds(bounds: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    return tuple(sorted({int(b) for b in bounds if int(b) > 0}))


def bucket_labels(bounds: tuple[int, ...] | list[int]) -> tuple[str, ...]:
    """(30, 60, 90, 180) → ('Not due', '1-30', '31-60', '61-90', '91-180', '>180')."""
    b = clean_bounds(bounds)
    labels = [NOT_DUE]
    low = 1
    for high in b:
        labels.append(f"{low}-{high}")
        low = high + 1
    labels.append(f">{low - 1}")
    return tuple(labels)


def bucket_index(days_overdue: np.ndarray, bounds: tuple[int, ...] | list[int]) -> np.ndarray:
    """Bucket number per item: 0 = Not due (≤ 0 days), then one per bound, last = beyond."""
    days = np.asarray(days_overdue, dtype=np.int64)
    edges = np.asarray(clean_bounds(bounds), dtype=np.int64)
    return np.where(days <= 0, 0, np.searchsorted(edges, days, side="left") + 1)


def days_overdue(items: pd.DataFrame, as_of: dt.date, basis: str) -> np.ndarray:
    """As-of minus the due date (basis `due`) or the item date (basis `invoice`), in days."""
    start = items["due_date"] if basis == "due" else items["date"]
    return day_of(as_of) - to_days(start.to_numpy())


@dataclass(frozen=True)
class AgingReport:
    """Open items aged at `as_of` on `basis`; money in int64 cents."""

    as_of: dt.date
    basis: str
    labels: tuple[str, ...]
    items: pd.DataFrame  # one row per open item
    by_customer: pd.DataFrame  # customers with an open item or unapplied credit
    by_category: pd.DataFrame  # every category, rolled up (level), plus uncategorised
    total: pd.Series  # labels…, open_amount, unapplied_credit, balance

    def to_json(self) -> dict:
        """The `xlcust aging --json` document."""
        return {
            "as_of": self.as_of.isoformat(),
            "basis": self.basis,
            "buckets": list(self.labels),
            "items": json_records(self.items),
            "by_customer": json_records(self.by_customer),
            "by_category": json_records(self.by_category),
            "total": {str(k): money_to_json(v) for k, v in self.total.items()},
        }


def age(ledger: Ledger) -> AgingReport:
    """The aging report of a ledger at its as-of date and basis."""
    labels = bucket_labels(ledger.settings.aging_bounds)
    bounds = ledger.settings.aging_bounds
    all_items = ledger.items
    is_open = all_items["open_amount"].to_numpy() > 0
    pick = np.flatnonzero(is_open)

    def column(name: str) -> np.ndarray:
        return all_items[name].to_numpy()[pick]

    overdue = days_overdue(all_items, ledger.as_of, ledger.basis)[pick]
    bucket = bucket_index(overdue, bounds)
    items = pd.DataFrame({
        "txn_id": text(column("txn_id")),
        "customer_code": text(column("customer_code")),
        "category_code": text(column("category_code")),
        "kind": text(column("kind")),
        "date": column("date"),
        "due_date": column("due_date"),
        "days_overdue": overdue,
        "bucket": text(np.asarray(labels, dtype=object)[bucket]),
        "amount": column("amount"),
        "open_amount": column("open_amount"),
        "source_row": column("source_row"),
    }, copy=False)  # every column is a new array
    with_money(items, ["amount", "open_amount"])

    customers = ledger.customers
    cust = ledger.item_customer[is_open]
    matrix = np.zeros((len(customers), len(labels)), dtype=np.int64)
    np.add.at(matrix, (cust, bucket), items["open_amount"].to_numpy(dtype=np.int64))
    by_customer = bucket_table(customers, matrix, labels, ledger.unapplied.to_numpy(dtype=np.int64))
    by_customer = by_customer[(by_customer["open_amount"] != 0) | (by_customer["unapplied_credit"] != 0)]
    by_customer = with_money(by_customer.reset_index(drop=True), [*labels, *_TOTALS])

    money = [*labels, *_TOTALS]
    by_category = rollup(by_customer, money, ledger.scheme, ledger.categories, all_categories=True)
    with_money(by_category, money)
    total = pd.Series({c: int(by_customer[c].sum()) for c in money}, dtype=np.int64)
    return AgingReport(ledger.as_of, ledger.basis, labels, items, by_customer, by_category, total)


_TOTALS = ["open_amount", "unapplied_credit", "balance"]


def bucket_table(customers: pd.DataFrame, matrix: np.ndarray, labels: tuple[str, ...],
                 unapplied: np.ndarray) -> pd.DataFrame:
    """Per customer: code, name, category, one column per bucket, and the three totals."""
    frame = pd.DataFrame({
        "customer_code": text(customers.index.to_numpy(dtype=object)),
        "name": text(customers["name"].to_numpy(dtype=object)),
        "category_code": text(customers["category_code"].to_numpy(dtype=object)),
    })
    for i, label in enumerate(labels):
        frame[label] = matrix[:, i]
    frame["open_amount"] = matrix.sum(axis=1)
    frame["unapplied_credit"] = unapplied
    frame["balance"] = frame["open_amount"] - frame["unapplied_credit"]
    return frame
