"""The receivables ledger: allocation, settlement, aging, customer figures, provision.

    from xlcust.ledger import build_ledger
    ledger = build_ledger(book, as_of=None, basis=None)  # None → Settings as_of / aging_basis
    ledger.items, ledger.credits, ledger.allocations, ledger.unapplied
    ledger.settlement(), ledger.aging(), ledger.customer_figures(), ledger.dso_by_quarter(),
    ledger.provision(), ledger.collections(), ledger.reconcile()

Money is integer cents (int64) everywhere; `xlcust.money` turns cents into Decimal,
text or JSON numbers, and `json_records` turns a ledger frame into JSON records.

Semantics (each module's docstring has the detail):

- **Which rows** (`lines`): a Transactions row without date, amount, customer code or
  a known kind is left out (`ledger.excluded` says why; the checks report it); so is a
  row dated after the as-of date, so a report at a past date sees only what had
  happened by then. Customer codes missing from the Customers sheet are kept.
- **Direction** (`lines`): invoices, openings and adjustments are debits; receipts and
  credit notes are credits; a negative typed amount reverses the direction (a negative
  adjustment is a credit, a negative receipt a refund). Debits become *items* to be
  settled; credits settle them.
- **Due dates** (`terms`): as typed, else item date + terms, with terms from the
  customer → its category → the nearest ancestor category → Settings default.
- **Allocation** (`allocation`): a credit's reference is honoured first (capped at the
  item's amount; any excess spills on); the rest is applied in time order to the items
  open on the credit's date, FIFO by due date, then date, then txn id. Credit that
  finds nothing open is unapplied and is taken by the next items to appear (an
  advance payment settles a later invoice on the invoice's date). Every allocation is
  a row of `ledger.allocations` with its method (`reference` / `fifo`).
- **Settlement** (`settlement`): settled_on, days_to_settle, days_late per item.
- **Aging** (`aging`): buckets from Settings aging_bounds on the due or invoice date;
  buckets add up to the open items; unapplied credit is its own column.
- **Figures** (`figures`), **provision** (`provision`), **collections**
  (`collections`), **control totals** (`reconcile`, raising `LedgerImbalance` on a bug).
"""

from .aging import AgingReport, bucket_index, bucket_labels
from .core import Ledger, build_ledger, build_ledger_from_frames
from .figures import MONEY_FIGURES, DsoReport
from .provision import ProvisionReport
from .reconcile import ControlTotals, LedgerImbalance, reconcile
from .records import json_records

__all__ = [
    "MONEY_FIGURES",
    "AgingReport",
    "ControlTotals",
    "DsoReport",
    "Ledger",
    "LedgerImbalance",
    "ProvisionReport",
    "bucket_index",
    "bucket_labels",
    "build_ledger",
    "build_ledger_from_frames",
    "json_records",
    "reconcile",
]
