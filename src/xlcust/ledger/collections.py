"""Collections list (催款清单): overdue open items, grouped by category, most urgent first.

An item is on the list when it is open and past its due date on the as-of date
(days_overdue = as_of − due_date > 0, whatever the aging basis: a reminder is about
the due date). Each row carries the category's reminder days (催款天数, inherited from
the nearest ancestor category that has them), the customer's contact and phone, and
`remind` = days_overdue ≥ reminder_days (True when no reminder days are set).

Order: by category code (uncategorised last); within a category by urgency =
days_overdue × open amount (in cent-days, so a large invoice a little late and a
small one very late compare on one scale), largest first; then days overdue, customer
and txn id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._frames import text, with_money
from .aging import bucket_index, bucket_labels, days_overdue

if TYPE_CHECKING:
    from .core import Ledger


def collections(ledger: Ledger) -> pd.DataFrame:
    items = ledger.items
    overdue = days_overdue(items, ledger.as_of, "due")
    pick = (items["open_amount"].to_numpy() > 0) & (overdue > 0)
    items, overdue = items[pick], overdue[pick]
    customers = ledger.customers.iloc[ledger.item_customer[pick]]
    reminder = customers["reminder_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    open_amount = items["open_amount"].to_numpy(dtype=np.int64)
    labels = np.asarray(bucket_labels(ledger.settings.aging_bounds), dtype=object)
    frame = pd.DataFrame({
        "category_code": text(items["category_code"].to_numpy(dtype=object)),
        "category_name": text(customers["category_name"].to_numpy(dtype=object)),
        "reminder_days": pd.array(customers["reminder_days"].to_numpy(dtype=object), dtype="Int64"),
        "customer_code": text(items["customer_code"].to_numpy(dtype=object)),
        "customer_name": text(customers["name"].to_numpy(dtype=object)),
        "contact": text(customers["contact"].to_numpy(dtype=object)),
        "phone": text(customers["phone"].to_numpy(dtype=object)),
        "txn_id": text(items["txn_id"].to_numpy(dtype=object)),
        "date": items["date"].to_numpy(),
        "due_date": items["due_date"].to_numpy(),
        "days_overdue": overdue,
        "bucket": text(labels[bucket_index(overdue, ledger.settings.aging_bounds)]),
        "open_amount": open_amount,
        "urgency": overdue * open_amount,
        "remind": np.isnan(reminder) | (overdue >= np.nan_to_num(reminder)),
        "source_row": items["source_row"].to_numpy(dtype=np.int64),
    })
    category = frame["category_code"].to_numpy(dtype=object)
    no_category = pd.isna(category)
    order = np.lexsort((
        frame["txn_id"].fillna("").to_numpy(dtype=str),
        frame["customer_code"].to_numpy(dtype=str),
        -frame["days_overdue"].to_numpy(),
        -frame["urgency"].to_numpy(),
        np.where(no_category, "", category).astype(str),
        no_category,
    ))
    return with_money(frame.iloc[order].reset_index(drop=True), ["open_amount"])
