"""One ledger for all the worksheet functions of a recalculation, kept while its inputs stand.

CREDIT_GRADE, CREDIT_SCORE, CREDIT_EXPLAIN and CUSTOMERS_WHERE all read the
receivables ledger, the costliest thing they compute (a million transactions
allocated). They share the latest one here. It is rebuilt only when what the ledger
reads has changed:

* the Transactions table (the very typed table: its exact content key is unchanged),
* the settings (all of them, and the as-of date a blank as_of means today),
* the Customers and Categories columns the ledger reads (`ledger.terms.CUSTOMER_FIELDS`,
  `CATEGORY_FIELDS`: names, contacts, categories, terms), compared cell for cell.

So when a user edits a credit limit, an industry or a tag on the Customers sheet, the
grades are recomputed on the same ledger; when they edit a name or a category they
are recomputed on a new one. Tests build the ledger both ways for a change to every
other column and compare every frame.

One slot, not one per key: a ledger at Excel's limit holds frames of a million rows,
and a recalculation uses one. `cells.TableCache` empties the slot before a new
Transactions table is typed, so the old ledger is gone before the new one is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..book import Book
from ..ledger import Ledger, build_ledger
from ..ledger.terms import CATEGORY_FIELDS, CUSTOMER_FIELDS
from ..settings import Settings
from ..tables import SheetTable


@dataclass
class _Held:
    transactions: SheetTable
    settings: Settings
    as_of: object
    customers: pd.DataFrame
    categories: pd.DataFrame
    ledger: Ledger


class LedgerCache:
    """The shared ledger (`ledger_of`) and how often it was reused (`hits`) or built (`misses`)."""

    def __init__(self) -> None:
        self._held: _Held | None = None
        self.hits = 0
        self.misses = 0

    def ledger_of(self, book: Book) -> Ledger:
        """The ledger of `book` at its Settings as_of and aging basis: the one held when it still applies."""
        customers = book.customers.data[list(CUSTOMER_FIELDS)]
        categories = book.categories.data[list(CATEGORY_FIELDS)]
        as_of = book.settings.effective_as_of()
        held = self._held
        if (held is not None and held.transactions is book.transactions and held.settings == book.settings
                and held.as_of == as_of and held.customers.equals(customers)
                and held.categories.equals(categories)):
            self.hits += 1
            return held.ledger
        self.misses += 1
        self._held = None  # the old ledger goes before the new one is built
        ledger = build_ledger(book)
        self._held = _Held(book.transactions, book.settings, as_of, customers, categories, ledger)
        return ledger

    def clear(self) -> None:
        self._held = None
        self.hits = self.misses = 0


LEDGERS = LedgerCache()
