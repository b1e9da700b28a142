"""Settlement (结算明细): per debit item, when it was settled and how late.

One record per debit item (invoices, and also openings and positive adjustments,
marked by `kind`, since they are receivables that get settled too):

    settled_on      the day the item became fully settled (the last allocation's
                    `applied_on`); empty while anything is open
    days_to_settle  settled_on − date; empty while open
    days_late       max(0, settled_on − due_date); for an open item max(0, as_of − due_date)
    open_amount     what is still open at the as-of date (cents)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ._frames import with_money

if TYPE_CHECKING:
    from .core import Ledger

SETTLEMENT_COLUMNS = [
    "txn_id", "customer_code", "kind", "date", "due_date", "amount", "settled_on", "days_to_settle",
    "days_late", "open_amount", "source_row",
]


def settlement(ledger: Ledger) -> pd.DataFrame:
    """The settlement records, in FIFO order (customer, due date, date, txn id)."""
    return with_money(ledger.items[SETTLEMENT_COLUMNS], ["amount", "open_amount"])  # a new frame: no copy needed
