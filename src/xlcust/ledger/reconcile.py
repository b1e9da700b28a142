"""Control totals: the ledger's numbers tied back to the Transactions sheet.

`reconcile` recomputes the sheet's debits and credits on its own (straight from the
typed Transactions frame, not from the ledger's frames) and checks, to the cent:

    Σ debits − Σ credits         == Σ open items − Σ unapplied credit   (the issue's identity)
    Σ debits (sheet)             == Σ debit items (ledger)
    Σ credits (sheet)            == Σ credits (ledger)
    Σ allocations                == Σ settled on items == Σ applied on credits
    per item / per credit        0 ≤ open ≤ amount; its rows in the Allocation table add up to
                                 amount − open (so the table can be re-added by hand)
    per customer                 Σ signed transactions == open items − unapplied credit
    aging                        Σ buckets == Σ open items

If any of these ever differs it is a bug in xlcust, not a problem in the user's data,
so it raises `LedgerImbalance` (an AssertionError, deliberately outside the
XlcustError tree the CLI turns into exit code 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..money import money_to_json
from ..tables import number_columns
from ._frames import sum_by
from .lines import SIGN, Numbers

if TYPE_CHECKING:
    from ..book import Book
    from .core import Ledger


class LedgerImbalance(AssertionError):
    """The ledger's own totals disagree: a bug in xlcust, never a data problem."""


@dataclass(frozen=True)
class ControlTotals:
    """Row counts and money totals (int64 cents) that tie the ledger to the sheet."""

    as_of: dt.date
    rows_in_sheet: int
    rows_used: int
    rows_excluded: int  # invalid rows (missing date/amount/kind/customer, unknown kind)
    rows_after_as_of: int
    debits: int  # Σ debit items
    credits: int  # Σ credits (positive)
    net: int  # debits − credits
    allocated: int
    open_items: int
    unapplied_credit: int
    aging_total: int

    def to_json(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        for key in ("debits", "credits", "net", "allocated", "open_items", "unapplied_credit", "aging_total"):
            data[key] = money_to_json(data[key])
        return data


def _sheet_totals(sheet: pd.DataFrame, as_of: dt.date, numbers: Numbers | None) -> tuple[int, int, int, int]:
    """(debits, credits, rows used, rows after as_of) straight from the typed sheet.

    `numbers` are the sheet's kinds and customer codes numbered (the ledger's `numbers`), else numbered here.
    """
    kind, customer = (numbers.kind, numbers.customer) if numbers is not None else (
        number_columns([sheet["kind"]])[0], number_columns([sheet["customer_code"]])[0])
    # One look-up per distinct kind and customer; 0 for a kind the ledger does not know, and for a blank (−1).
    sign = np.append(np.array([SIGN.get(k, 0) for k in kind.values], dtype=np.int64), 0)[kind.numbers]
    has_customer = np.append(np.array([c != "" for c in customer.values], dtype=bool), False)[customer.numbers]
    dates = sheet["date"].to_numpy(dtype="datetime64[ns]")
    amount = sheet["amount"]
    usable = ~np.isnat(dates) & amount.notna().to_numpy(dtype=bool) & (sign != 0) & has_customer
    early = dates <= np.datetime64(pd.Timestamp(as_of), "ns")
    used = usable & early
    signed = amount.to_numpy(dtype=np.int64, na_value=0)[used] * sign[used]
    return (int(signed[signed > 0].sum()), int(-signed[signed < 0].sum()), int(used.sum()),
            int((usable & ~early).sum()))


def _sum_per_row(rows: np.ndarray, allocation_rows: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Per entry of `rows` (sheet rows), the sum of the allocations naming that row.

    Summed on a dense array over the span of the rows (sheet rows are a few million at
    most), which is cheaper than matching row numbers through an index.
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = int(rows.min()), int(rows.max())
    inside = (allocation_rows >= low) & (allocation_rows <= high)
    return sum_by(allocation_rows[inside] - low, amounts[inside], high - low + 1)[rows - low]


def reconcile(source: Ledger | Book, as_of: dt.date | None = None) -> ControlTotals:
    """Control totals of a ledger (or of a book's ledger at `as_of`); raises LedgerImbalance."""
    from .core import Ledger, build_ledger

    ledger = source if isinstance(source, Ledger) else build_ledger(source, as_of)
    problems: list[str] = []

    def check(name: str, left: int, right: int) -> None:
        if left != right:
            problems.append(f"{name}: {left} != {right}")

    items, credits, alloc = ledger.items, ledger.credits, ledger.allocations
    sheet_debits, sheet_credits, used, late = _sheet_totals(ledger.sheet, ledger.as_of, ledger.numbers)
    debits = int(items["amount"].sum())
    credit_total = int(credits["amount"].sum())
    open_items = int(items["open_amount"].sum())
    unapplied = int(credits["unapplied_amount"].sum())
    allocated = int(alloc["amount"].sum())
    aging = ledger.aging()
    aging_total = int(sum(int(aging.total[label]) for label in aging.labels))

    check("debits − credits vs open items − unapplied credit", debits - credit_total, open_items - unapplied)
    check("sheet debits vs ledger debit items", sheet_debits, debits)
    check("sheet credits vs ledger credits", sheet_credits, credit_total)
    check("rows used", used, len(ledger.lines))
    check("allocations vs settled on items", allocated, int(items["settled_amount"].sum()))
    check("allocations vs applied on credits", allocated, int(credits["applied_amount"].sum()))
    check("unapplied per customer vs per credit", int(ledger.unapplied.sum()), unapplied)
    check("aging buckets vs open items", aging_total, open_items)

    for name, frame, remaining in (("item", items, "open_amount"), ("credit", credits, "unapplied_amount")):
        left = frame[remaining].to_numpy(dtype=np.int64)
        if ((left < 0) | (left > frame["amount"].to_numpy(dtype=np.int64))).any():
            problems.append(f"some {name} has {remaining} outside 0 … amount")
    for name, frame, row, done in (("item", items, "invoice_row", "settled_amount"),
                                   ("credit", credits, "credit_row", "applied_amount")):
        per_row = _sum_per_row(frame["source_row"].to_numpy(dtype=np.int64), alloc[row].to_numpy(dtype=np.int64),
                               alloc["amount"].to_numpy(dtype=np.int64))
        if not np.array_equal(per_row, frame[done].to_numpy(dtype=np.int64)):
            problems.append(f"allocations per {name} differ from its {done}")

    # Per customer through the ledger's customer numbers, each checked against the code it
    # stands for (reading the code back is cheaper than matching a million codes again).
    codes = ledger.customers.index.to_numpy(dtype=object)
    for name, numbers, frame in (("line", ledger.line_customer, ledger.lines), ("item", ledger.item_customer, items)):
        if not (codes[numbers] == frame["customer_code"].to_numpy(dtype=object)).all():
            problems.append(f"the {name}s' customer numbers differ from their customer codes")
    balance = sum_by(ledger.line_customer, ledger.lines["amount"].to_numpy(dtype=np.int64), len(codes))
    open_by_customer = sum_by(ledger.item_customer, items["open_amount"].to_numpy(dtype=np.int64), len(codes))
    if not np.array_equal(balance, open_by_customer - ledger.unapplied.to_numpy(dtype=np.int64)):
        problems.append("per-customer balance differs from open items − unapplied credit")

    if problems:
        raise LedgerImbalance("ledger does not reconcile (a bug in xlcust): " + "; ".join(problems))
    return ControlTotals(
        as_of=ledger.as_of, rows_in_sheet=len(ledger.sheet), rows_used=len(ledger.lines),
        rows_excluded=len(ledger.sheet) - len(ledger.lines) - late, rows_after_as_of=late,
        debits=debits, credits=credit_total, net=debits - credit_total, allocated=allocated,
        open_items=open_items, unapplied_credit=unapplied, aging_total=aging_total,
    )
